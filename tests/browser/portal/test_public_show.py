"""Public pages that show: charts drawn by the server (read without JavaScript, printed), the chosen country
highlighted and a region zoomed on the map, the widget at its documented 800 × 600 size showing both the map
and the list, the snippet's Copy button, and a partner's logo uploaded by an officer on its public page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.browser.helpers import no_horizontal_overflow, sign_in
from tests.browser.portal.conftest import PARTNERSHIP_PATH

AMBER = "rgb(245, 158, 11)"


def address(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def check_charts(page: Page) -> None:
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() >= 3
    for index in range(charts.count()):
        chart = charts.nth(index)
        expect(chart).to_be_visible()
        assert chart.locator("title").text_content().strip()
        box = chart.locator("rect").first.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0
    # The table of the same figures opens without script (a <details> element).
    first = page.locator(".chart-figure").first
    table = first.locator("table.chart-table")
    expect(table).to_be_hidden()
    first.locator("summary").click()
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_charts_read_and_print_without_javascript(new_page, public_world, language):
    page = new_page(java_script_enabled=False)
    page.goto(address("portal:home", language=language))
    check_charts(page)
    expect(page.locator("#chart-partners-by-channel")).to_be_visible()
    if language == "zh-hans":
        # The categories are named in Chinese (the table of the same figures too).
        assert re.search(
            r"[\u4e00-\u9fff]", page.locator("#chart-partners-by-type svg text").first.text_content()
        )
        assert re.search(
            r"[\u4e00-\u9fff]", page.locator("#chart-partners-by-type tbody th").first.text_content()
        )
    page.goto(PARTNERSHIP_PATH.format(language=language))
    check_charts(page)
    page.emulate_media(media="print")
    expect(page.locator("svg.chart").first).to_be_visible()
    fill = page.locator("svg.chart rect").first.get_attribute("fill")
    assert fill and fill.startswith("#")  # the colour is the SVG's own: it prints without the style sheet


@pytest.mark.django_db(transaction=True)
def test_the_chosen_country_is_highlighted_and_a_region_zooms_the_map(page: Page, public_world):
    page.goto(address("directory:list") + "?country=DE")
    germany = page.locator("svg.world-map a[data-country='DE'] path.country")
    expect(germany).to_have_class(re.compile(r"\bselected\b"))
    assert germany.evaluate("e => getComputedStyle(e).fill") == AMBER
    expect(page.locator(".map-table tr.selected th")).to_contain_text("Germany")
    world_box = germany.bounding_box()
    whole = page.locator("svg.world-map").get_attribute("viewBox")

    page.goto(address("directory:list") + "?region=150")  # Europe
    svg = page.locator("svg.world-map")
    expect(svg).to_have_attribute("data-zoomed", "true")
    assert svg.get_attribute("viewBox") != whole
    zoomed_box = page.locator("svg.world-map a[data-country='DE'] path.country").bounding_box()
    assert zoomed_box["width"] > 2 * world_box["width"]


@pytest.mark.django_db(transaction=True)
def test_the_widget_at_800_by_600_shows_map_and_list(new_page, public_world):
    page = new_page(viewport={"width": 800, "height": 600})
    page.goto(address("directory:embed"))
    no_horizontal_overflow(page)
    map_box = page.locator("svg.world-map").bounding_box()
    assert map_box["y"] < 600 and map_box["height"] >= 150 and map_box["y"] + map_box["height"] <= 600
    first = page.locator(".embed-list li a").first
    expect(first).to_be_in_viewport()
    item = first.bounding_box()
    assert item["y"] + item["height"] <= 600
    # The table beside the map is not cut off: nothing in it is wider than its box.
    table = page.locator(".map-table")
    widths = table.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths


@pytest.mark.django_db(transaction=True)
def test_the_map_table_on_the_directory_is_not_clipped(page: Page, public_world):
    page.goto(address("directory:list"))
    table = page.locator("main .map-table")
    expect(table.locator("tbody th a").first).to_be_visible()
    widths = table.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths
    for link in table.locator("tbody th a").all():
        box, frame = link.bounding_box(), table.bounding_box()
        assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1


@pytest.mark.django_db(transaction=True)
def test_the_snippet_is_copied_with_one_button(new_page, public_world, people):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    sign_in(page, people.officer.username)
    page.goto(address("directory:snippet"))
    button = page.get_by_role("button", name="Copy the code")
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text(re.compile("copied"))
    code = page.locator("#embed-code").input_value()
    assert code.startswith("<iframe ") and page.evaluate("() => navigator.clipboard.readText()") == code


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_logo_shows_on_the_public_partner_page(new_page, public_world, people, tmp_path):
    import io

    from PIL import Image

    partner = public_world.partners["heidelberg"]
    picture = tmp_path / "logo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), (20, 60, 160)).save(buffer, format="JPEG")
    picture.write_bytes(buffer.getvalue())

    officer = new_page()
    sign_in(officer, people.officer.username)
    officer.goto(reverse("partners:edit", args=[partner.pk]))
    officer.locator("#partner-form input[name=logo]").set_input_files(str(picture))
    officer.locator("#partner-form button[type=submit]").click()
    officer.wait_for_url(re.compile(rf"/partners/{partner.pk}/$"))

    visitor = new_page(java_script_enabled=False)
    visitor.goto(address("directory:partner", partner.pk))
    logo = visitor.locator("img.partner-logo")
    expect(logo).to_have_attribute("alt", "Logo of Heidelberg University")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 300
