"""The embeddable widget (framable from anywhere, only it) and the snippet generator (editors only)."""

import html
import re

import pytest

pytestmark = pytest.mark.django_db

EMBED = "/en/global-vision/partners/embed/"
SNIPPET = "/en/global-vision/partners/embed/snippet/"


def test_widget_may_be_framed_by_any_site_and_nothing_else_may(world, anonymous, atlas_file):
    widget = anonymous.get(EMBED)
    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget
    policy = {d.split()[0]: d.split()[1:] for d in widget["Content-Security-Policy"].split("; ")}
    assert policy["frame-ancestors"] == ["*"] and policy["script-src"] == ["'self'"]
    for url in ("/en/global-vision/partners/", f"/en/global-vision/partners/{world.heidelberg.pk}/"):
        response = anonymous.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors *" not in response.get("Content-Security-Policy", ""), url


def test_widget_has_no_site_chrome_and_opens_links_in_a_new_tab(world, anonymous, atlas_file):
    text = anonymous.get(EMBED).content.decode()
    assert "public-nav" not in text and "public-footer" not in text
    assert "<svg" in text and "Heidelberg University" in text
    links = re.findall(r"<a [^>]*>", text)
    assert links
    for link in links:
        assert 'target="_blank"' in link and 'rel="noopener"' in link, link
    assert "Hidden Hochschule" not in text and "Confidential" not in text


def test_widget_views_filters_limit_and_language(world, anonymous, atlas_file):
    only_list = anonymous.get(EMBED, {"view": "list"}).content.decode()
    assert "<svg" not in only_list and "Heidelberg University" in only_list
    only_map = anonymous.get(EMBED, {"view": "map"}).content.decode()
    assert "<svg" in only_map and 'class="embed-list"' not in only_map
    filtered = anonymous.get(EMBED, {"view": "list", "region": "142"}).content.decode()
    assert "Kyoto Institute of Research" in filtered and "Heidelberg University" not in filtered
    limited = anonymous.get(EMBED, {"view": "list", "limit": "1"}).content.decode()
    assert limited.count('href="/en/global-vision/partners/') == 3  # title, one partner, "see all"
    assert "See all in the partner directory" in limited
    assert anonymous.get(EMBED, {"limit": "many", "view": "sideways"}).status_code == 200
    chinese = anonymous.get("/zh-hans/global-vision/partners/embed/", {"view": "list"}).content.decode()
    assert "海德堡大学" in chinese and '<html lang="zh-hans">' in chinese


@pytest.mark.parametrize("who", ["student", "staff", "coordinator", "leadership", "outsider"])
def test_snippet_generator_is_404_to_all_but_editors(world, people, login, who):
    assert login(getattr(people, who)).get(SNIPPET).status_code == 404


def test_snippet_generator_asks_anonymous_visitors_to_sign_in(anonymous):
    response = anonymous.get(SNIPPET)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_snippet_generator_shows_escaped_code_and_a_preview(world, people, login, who):
    response = login(getattr(people, who)).get(
        SNIPPET,
        {"view": "map", "language": "zh-hans", "limit": 10, "width": 640, "height": 480, "region": "142"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    expected_src = "http://testserver/zh-hans/global-vision/partners/embed/?view=map&region=142&limit=10"
    # The code is shown as text (escaped once more), ready to copy.
    assert html.escape(f'<iframe src="{html.escape(expected_src)}" width="640" height="480"') in text
    assert (
        f'<iframe src="{html.escape(expected_src)}" width="640" height="480" title="Preview of the widget"'
        in text
    )


def test_snippet_generator_reports_bad_values(people, login):
    text = (
        login(people.officer)
        .get(SNIPPET, {"view": "map", "language": "en", "limit": 1000, "width": 640, "height": 480})
        .content.decode()
    )
    assert "&lt;iframe" not in text
    assert "Ensure this value is less than or equal to 100" in text
