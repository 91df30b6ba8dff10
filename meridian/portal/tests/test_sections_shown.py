"""Empty public sections are hidden (navigation, site map; the page answers 404) until they have content."""

import dataclasses

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from meridian.core.registry import PublicSectionBlock, registry
from meridian.portal.selectors import HIDDEN_WHEN_EMPTY, sections_with_content
from meridian.portal.tests.factories import ArticleFactory, section

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def nav(html: str) -> str:
    return html.split('class="public-nav"')[1].split("</nav>")[0]


@pytest.fixture
def no_open_calls(monkeypatch):
    """Whatever other contexts register, their blocks have nothing to show."""
    slot = registry.public_section_blocks._entries
    for entry in list(registry.public_section_blocks):
        if entry.has_content is not None:
            monkeypatch.setitem(slot, entry.key, dataclasses.replace(entry, has_content=lambda: False))


def test_empty_sections_are_not_linked_nor_in_the_site_map(client, no_open_calls):
    html = client.get(url("portal:home")).content.decode()
    links = nav(html)
    assert "Global Partnership" in links  # its page is seeded
    for name in ("Visiting Scholars", "International Students", "News"):
        assert name not in links, name
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/international-students/" not in sitemap and "/global-partnership/" in sitemap


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("slug", sorted(HIDDEN_WHEN_EMPTY))
def test_an_empty_hidden_section_opened_by_its_address_is_not_found(client, no_open_calls, language, slug):
    with translation.override(language):
        address = reverse("portal:section", args=[slug])
    response = client.get(address)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Nothing has been published in this section yet." not in page
    expected = "此页面不存在，或您无权查看。" if language == "zh-hans" else "This page does not exist"
    assert expected in page


def test_news_by_its_own_address_is_not_found_while_empty(client, no_open_calls):
    assert client.get(url("portal:news")).status_code == 404
    ArticleFactory(section=section("news"), title_en="Signed")
    from django.core.cache import cache

    cache.clear()  # the set of shown sections is cached for a minute
    assert client.get(url("portal:news")).status_code == 200


def test_a_section_always_linked_still_opens_when_empty(client, no_open_calls):
    # The Global Partnership page is linked whatever it holds; it is never hidden.
    assert client.get(url("portal:section", "global-partnership")).status_code == 200


def test_a_live_article_shows_its_section(client, no_open_calls):
    ArticleFactory(section=section("international-students"), kind="page", title_en="Welcome")
    ArticleFactory(
        section=section("news"), status="scheduled", publish_at=timezone.now() + timezone.timedelta(days=2)
    )
    assert sections_with_content() >= {"international-students", "global-partnership"}
    assert "news" not in sections_with_content()  # scheduled for later: not yet
    html = client.get(url("portal:home")).content.decode()
    assert "International Students" in nav(html) and "News" not in nav(html)
    assert client.get(url("portal:section", "international-students")).status_code == 200


def test_a_block_with_content_shows_its_section(client, no_open_calls):
    entry = PublicSectionBlock(
        key="test-block",
        section="visiting-scholars",
        template="portal/_charts.html",
        context=lambda request: {"charts": []},
        has_content=lambda: True,
    )
    assert "visiting-scholars" not in sections_with_content()
    registry.public_section_blocks.add(entry)
    try:
        from django.core.cache import cache

        cache.clear()  # the set is cached for a minute
        assert "visiting-scholars" in sections_with_content()
        assert client.get(url("portal:section", "visiting-scholars")).status_code == 200
    finally:
        registry.public_section_blocks.remove(entry.key)
