"""Public pages that show: the chosen country highlighted and a region zoomed on the map, the table beside
the map fitting its column, the widget's two-column layout, the snippet's Copy button, and the partner page's
logo and news."""

import re

import pytest
from django.utils import timezone

from meridian.directory.selectors import map_context
from meridian.portal.tests.factories import ArticleFactory, section
from meridian.reference.svgmap import focus_box

pytestmark = pytest.mark.django_db

DIRECTORY = "/en/global-vision/partners/"
EMBED = "/en/global-vision/partners/embed/"
SNIPPET = "/en/global-vision/partners/embed/snippet/"


def _view_box(svg: str) -> list[float]:
    return [float(v) for v in re.search(r'<svg class="world-map" viewBox="([^"]+)"', svg).group(1).split()]


def test_the_chosen_country_is_highlighted_and_drawn_on_top(world, atlas_file):
    svg = map_context(filters={"country": "JP"})["map_svg"]
    assert svg.count("selected") == 1
    countries = svg.split('<g class="countries">')[1].split("</g>")[0]
    last = countries.rsplit("<a ", 1)[1]
    assert 'data-country="JP"' in last and "selected" in last
    # A country without public partners is highlighted too (filtering by it lists none).
    assert 'class="country selected"' in map_context(filters={"country": "FR"})["map_svg"]


def test_filtering_by_region_zooms_the_map(world, atlas_file):
    whole = _view_box(map_context()["map_svg"])
    asia = _view_box(map_context(filters={"region": "142"})["map_svg"])
    assert asia[2] < whole[2] and asia[3] < whole[3]
    assert asia[2] / asia[3] == pytest.approx(whole[2] / whole[3], rel=0.02)
    assert 'data-zoomed="true"' in map_context(filters={"region": "142"})["map_svg"]
    assert 'data-zoomed="true"' not in map_context()["map_svg"]


def test_focus_box_keeps_proportions_padding_and_the_map_bounds():
    assert focus_box([], width=1000, height=500) == (0, 0, 1000, 500)
    x, y, w, h = focus_box([(100, 100), (300, 200)], width=1000, height=500)
    assert w / h == pytest.approx(2, rel=0.02)
    assert x <= 100 and x + w >= 300 and y <= 100 and y + h >= 200
    assert focus_box([(990, 490)], width=1000, height=500) == (800, 400, 200, 100)  # inside the map


def test_the_table_beside_the_map_has_two_columns_with_the_links_on_the_names(world, anonymous, atlas_file):
    text = anonymous.get(DIRECTORY + "?country=DE").content.decode()
    table = text.split('class="map-table')[1].split("</table>")[0]
    assert table.count('<th scope="col">') == 2
    assert re.search(
        r'<tr class="selected" aria-current="true">\s*<th scope="row"><a [^>]*data-country="DE"', table
    )
    assert "chosen country or region" in text


def test_the_widget_puts_map_and_list_side_by_side(world, anonymous, atlas_file):
    text = anonymous.get(EMBED).content.decode()
    assert 'class="embed directory-page embed-both"' in text
    assert 'class="embed-list-section"' in text
    assert "embed-both" not in anonymous.get(EMBED + "?view=map").content.decode()


def test_the_snippet_has_a_copy_button_that_needs_no_other_host(world, people, login):
    text = login(people.officer).get(SNIPPET).content.decode()
    button = re.search(r'<button type="button"[^>]*id="copy-code"[^>]*>', text, re.S).group(0)
    assert 'data-copy-target="embed-code"' in button and 'aria-describedby="copy-status"' in button
    assert " hidden" in button  # shown by the script, which only a browser with JavaScript runs
    assert 'id="copy-status" role="status"' in text
    assert re.search(r'<script src="/static/directory/snippet\.js[^"]*" defer>', text)
    assert "Copy the code" in text


def test_the_partner_page_lists_recent_news_that_mention_it(world, anonymous):
    news = section("news")
    ArticleFactory(section=news, slug="visit", title_en="Delegation from Heidelberg University")
    ArticleFactory(section=news, slug="other", title_en="Summer school", body_en="Nothing about partners")
    ArticleFactory(
        section=news,
        slug="draft",
        title_en="Heidelberg University draft",
        status="draft",
        publish_at=timezone.now(),
    )
    text = anonymous.get(f"{DIRECTORY}{world.heidelberg.pk}/").content.decode()
    block = text.split('id="partner-news"')[1].split("</section>")[0]
    assert "Delegation from Heidelberg University" in block
    assert "Summer school" not in block and "draft" not in block
    assert 'id="partner-news"' not in anonymous.get(f"{DIRECTORY}{world.kyoto.pk}/").content.decode()
