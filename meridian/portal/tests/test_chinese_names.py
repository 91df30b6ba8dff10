"""Names on the public pages in the reader's language: the navigation reads like the page it opens, the author
line names a unit in Chinese, and the university's name follows the language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from meridian.portal.models import Section


def _get(client, language: str, name: str, *args) -> str:
    with translation.override(language):
        address = reverse(name, args=args)
    return client.get(address).content.decode()


def _nav_label(html: str, slug: str) -> str:
    nav = html.split('class="public-nav"')[1].split("</nav>")[0]
    found = re.search(rf'href="[^"]*/{slug}/"[^>]*>([^<]+)</a>', nav)
    assert found, f"no link to {slug} in the public navigation"
    return found.group(1).strip()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_global_partnership_link_reads_like_the_page_title(client, org, language):
    html = _get(client, language, "portal:section", "global-partnership")
    title = re.search(r"<h1>([^<]+)</h1>", html).group(1).strip()
    assert _nav_label(html, "global-partnership") == title
    assert title == ("全球伙伴" if language == "zh-hans" else "Global Partnership")


def test_a_renamed_section_is_renamed_in_the_navigation(client, org):
    Section.objects.filter(slug="global-partnership").update(name_en="Partnerships", name_zh="合作")
    assert _nav_label(_get(client, "zh-hans", "portal:home"), "global-partnership") == "合作"
    assert _nav_label(_get(client, "en", "portal:home"), "global-partnership") == "Partnerships"


def test_author_line_and_university_name_in_chinese(client, org, settings):
    settings.UNIVERSITY_NAME_ZH = "子午线大学"
    html = _get(client, "zh-hans", "portal:section", "global-partnership")
    meta = html.split('class="article-meta"')[1].split("</p>")[0]
    assert "国际合作与交流处" in meta and "International Office" not in meta
    assert '<span class="public-university">子午线大学</span>' in html
    english = _get(client, "en", "portal:section", "global-partnership")
    assert "International Office" in english.split('class="article-meta"')[1].split("</p>")[0]
    assert '<span class="public-university">Meridian University</span>' in english
