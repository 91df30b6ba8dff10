"""The public directory and its world map: a click on a country filters the list; the map's table is reached
with the keyboard and read by screen readers; everything works without JavaScript; another site can embed
the widget."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from meridian.partners.models import Partner
from meridian.reference.models import Country

FOCUSED = """() => {
  const e = document.activeElement;
  return {
    tag: e.tagName.toLowerCase(),
    country: e.getAttribute('data-country') || '',
    inMap: !!e.closest('svg.world-map'),
    inTable: !!e.closest('.map-table'),
  };
}"""


def directory_url(language: str = "en", query: str = "") -> str:
    with translation.override(language):
        return reverse("directory:list") + query


def public_names(**filters) -> list[str]:
    return sorted(Partner.objects.filter(is_public=True, **filters).values_list("name_en", flat=True))


def listed(page: Page) -> list[str]:
    return sorted(
        n.strip() for n in page.locator("table.directory-table tbody td:first-child > a").all_inner_texts()
    )


def listed_countries(page: Page) -> set[str]:
    return {c.strip() for c in page.locator("table.directory-table tbody td:nth-child(2)").all_inner_texts()}


def wait_for_list(page: Page, names: list[str]) -> None:
    expect(page.locator("table.directory-table tbody td:first-child > a")).to_have_count(len(names))
    assert listed(page) == names


@pytest.mark.django_db(transaction=True)
def test_clicking_a_country_on_the_map_filters_the_directory(page: Page, public_world):
    germany = Country.objects.get(code="DE")
    page.goto(directory_url())
    wait_for_list(page, public_names())
    assert public_world.hidden.name_en not in page.content()

    country = page.locator("svg.world-map a[data-country='DE']")
    expect(country).to_have_attribute("aria-label", re.compile(r"Germany: 3 partners"))
    country.click()

    expect(page).to_have_url(re.compile(r"[?&]country=DE\b"))
    wait_for_list(page, public_names(country_id="DE"))
    assert listed_countries(page) == {germany.name_en}
    expect(page.locator("#directory-filters [name=country]")).to_have_value("DE")
    # The chosen country is marked on the redrawn map, and the list survives a reload (the address holds it).
    expect(page.locator("svg.world-map a[data-country='DE'] path.selected")).to_have_count(1)
    page.reload()
    wait_for_list(page, public_names(country_id="DE"))


@pytest.mark.django_db(transaction=True)
def test_the_map_and_its_table_are_reached_with_the_keyboard(page: Page, public_world):
    page.goto(directory_url())
    wait_for_list(page, public_names())

    # A table of partners by country is the map's text alternative: captioned, with row and column headers.
    table = page.locator(".map-table table")
    expect(table.locator("caption")).not_to_be_empty()
    countries = Partner.objects.filter(is_public=True).values("country_id").distinct().count()
    expect(table.locator("tbody th[scope=row]")).to_have_count(countries)
    expect(table.locator("thead th[scope=col]").first).to_be_visible()

    reached_map = reached_table = None
    for _ in range(150):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["inMap"] and focused["country"] and reached_map is None:
            reached_map = focused["country"]
            expect(page.locator(".map-figure .map-label")).to_be_visible()  # the focus label shows the name
        if focused["inTable"] and focused["tag"] == "a":
            reached_table = focused["country"]
            break
    assert reached_map, "Tab never reached a country on the map"
    assert reached_table, "Tab never reached a link in the table of partners by country"

    # Enter on the focused table link lists that country's partners.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]country={reached_table}\b"))
    wait_for_list(page, public_names(country_id=reached_table))


@pytest.mark.django_db(transaction=True)
def test_map_and_directory_work_without_javascript(new_page, public_world):
    page = new_page(java_script_enabled=False)
    with translation.override("en"):
        page.goto(reverse("portal:home"))
    # Without script the map (its own cached address) is a picture; the table beside it has the links.
    picture = page.locator("main img.world-map")
    expect(picture).to_be_visible()
    assert page.evaluate("document.querySelector('main img.world-map').naturalWidth") > 0
    countries = Partner.objects.filter(is_public=True).values("country_id").distinct().count()
    expect(page.locator("main .map-table tbody th[scope=row]")).to_have_count(countries)
    # Small states stay reachable: Singapore has a link of its own in the table.
    expect(page.locator(".map-table a[data-country='SG']")).to_have_count(1)

    # The links are plain links: Japan opens the directory filtered by Japan.
    with page.expect_navigation(url=re.compile(r"[?&]country=JP\b")):
        page.locator(".map-table a[data-country='JP']").click()
    wait_for_list(page, public_names(country_id="JP"))
    expect(page.locator("main img.world-map")).to_be_visible()

    # The filter form is an ordinary GET form.
    page.goto(directory_url())
    page.locator("#directory-filters [name=q]").fill("university")
    page.locator("#directory-filters [name=country]").select_option("DE")
    with page.expect_navigation():
        page.locator("#directory-filters button[type=submit]").click()
    wait_for_list(page, ["Heidelberg University", "RWTH Aachen University", "Technical University of Munich"])


@pytest.mark.django_db(transaction=True)
def test_another_site_embeds_the_widget(page: Page, live_server, other_site, public_world):
    with translation.override("en"):
        list_url = f"{live_server.url}{reverse('directory:embed')}?view=list&country=DE"
    with translation.override("zh-hans"):
        map_url = f"{live_server.url}{reverse('directory:embed')}?view=map"
    host_page = f"""<!DOCTYPE html><html lang="en">
    <head><meta charset="utf-8"><title>Partners</title></head><body>
      <h1>Our partners in Germany</h1>
      <iframe id="partners" src="{list_url}" title="Partner institutions" width="800" height="600"></iframe>
      <iframe id="world" src="{map_url}" title="合作伙伴" width="800" height="600"></iframe>
    </body></html>"""
    page.goto(other_site(page, host_page))

    frame = page.frame_locator("iframe#partners")
    items = frame.locator(".embed-list li a")
    expect(items).to_have_count(3)
    assert sorted(items.all_inner_texts()) == public_names(country_id="DE")
    expect(frame.locator("body")).not_to_contain_text(public_world.hidden.name_en)
    # Links open the full directory outside the frame.
    expect(items.first).to_have_attribute("target", "_blank")

    world = page.frame_locator("iframe#world")
    expect(world.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(world.locator("svg.world-map a[data-country='JP']")).to_have_count(1)
    expect(world.locator(".map-table")).to_contain_text("日本")
