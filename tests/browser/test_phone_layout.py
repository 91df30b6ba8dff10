"""Every staff page an officer opens, at the size of a phone (390 × 844) and of a laptop (1280 × 900).

At phone size no page scrolls sideways, no table column is narrower than the longest word it holds (a few
characters of Chinese), and the agreement list keeps a sane height in English and in Chinese; at laptop size
the page does not scroll sideways either. The pages are found from the URL configuration, so that a staff page
added later is walked too; pages that need a record are opened for one record of each main kind.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from meridian.agreements.tests.factories import AgreementFactory
from meridian.mobility.tests.factories import make_call
from meridian.partners.tests.factories import PartnerFactory
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.travel.tests.factories import make_trip
from meridian.visitors.tests.factories import make_visit
from tests.browser.helpers import no_horizontal_overflow, sign_in, switch_language

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}

# Addresses that are not staff pages: the API, the admin site, sign-in and sign-out, the public site (its own
# tests), the portals of guests, students and partner contacts, files (exports, downloads, calendars) and
# addresses that only take a POST.
SKIPPED = re.compile(
    r"^/(api|admin|i18n|sso|static|media|healthz|metrics|en|zh-hans)(/|$)"
    r"|^/accounts/(login|logout|password/reset)|^/account/two-factor/passkey/"
    r"|/(export|download|template)[^/]*/?$|\.(csv|xlsx|ics|pdf|svg|json|txt)$"
    r"|^/visitors/guest|^/exchange/(student|partner|my)(/|$)|/self-service/"
)
# A title in each language long enough to wrap, as real agreement titles do.
TITLE_EN = "Memorandum of understanding on joint doctoral supervision and staff mobility in engineering"
TITLE_ZH = "关于工程领域联合培养博士研究生及教职人员交流合作的谅解备忘录"


def _static_paths(patterns: list, prefix: str = "") -> Iterator[str]:
    """Every address of the URL configuration that takes no argument."""
    for entry in patterns:
        if not isinstance(entry.pattern, RoutePattern) or entry.pattern.converters:
            continue
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _static_paths(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield "/" + route


def staff_paths() -> list[str]:
    """The staff pages without an argument, in a stable order."""
    return sorted({path for path in _static_paths(get_resolver().url_patterns) if not SKIPPED.search(path)})


def narrow_cells(page: Page) -> list[str]:
    """Table cells narrower than the longest word they hold, or whose content is cut off.

    A word is what the browser's own word breaker (Intl.Segmenter) finds: text between spaces and
    punctuation, and the dictionary words of Chinese or Thai, which are written without spaces.
    """
    return page.evaluate(
        """() => {
        if (!(document instanceof HTMLDocument)) return [];
        const canvas = document.createElement("canvas").getContext("2d");
        const words = new Intl.Segmenter(document.documentElement.lang || "en", {granularity: "word"});
        const widest = (text, font) => {
          canvas.font = font;
          let most = [0, ""];
          for (const piece of words.segment(text)) {
            if (!piece.isWordLike) continue;
            const width = canvas.measureText(piece.segment).width;
            if (width > most[0]) most = [width, piece.segment];
          }
          return most;
        };
        const problems = [];
        for (const cell of document.querySelectorAll("main table td, main table th")) {
          if (!cell.offsetParent) continue;
          const style = getComputedStyle(cell);
          const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          let need = [0, ""];
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const owner = node.parentElement;
            if (!owner || !owner.offsetParent && owner !== cell) continue;
            if (owner.closest(".visually-hidden")) continue;
            const s = getComputedStyle(owner);
            const font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
            const word = widest(node.textContent, font);
            if (word[0] > need[0]) need = word;
          }
          const label = cell.textContent.trim().replace(/\\s+/g, " ").slice(0, 40);
          const short = `"${label}": "${need[1]}" needs ${Math.ceil(need[0])}px, has ${Math.floor(room)}px`;
          if (need[0] > room + 1.5) problems.push(short);
          else if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`"${label}" is cut off`);
        }
        return problems;
    }"""
    )


def visit(page: Page, path: str) -> int:
    """Open ``path`` and return the status of its answer; an answer without a body (a 405 to a GET) leaves
    the browser on an error page, so its status is asked for apart."""
    try:
        response = page.goto(path)
    except PlaywrightError:
        page.wait_for_load_state()
        return page.request.get(path).status
    assert response is not None
    return response.status


def page_height(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollHeight")


@pytest.fixture
def records(transactional_db, org, people) -> dict[str, str]:
    """One record of each main kind, with long titles in both languages; their pages, by kind."""
    germany = country("DE", "Germany", "德国", region_code="150", region_en="Europe", region_zh="欧洲")
    partner = PartnerFactory(
        name="Ruprecht-Karls-Universität Heidelberg",
        name_en="Heidelberg University",
        name_zh="海德堡大学",
        country=germany,
        city="Heidelberg",
        website="https://www.uni-heidelberg.de/en/international-relations/partnerships",
    )
    agreements = [
        AgreementFactory(
            responsible_unit=org.engineering,
            title_en=TITLE_EN,
            title_zh=TITLE_ZH,
            partners=[partner],
            state=state,
            end_date=datetime.date.today() + datetime.timedelta(days=days),
        )
        for state, days in (("active", 60), ("draft", 900), ("under_review", 700), ("expired", -30))
    ]
    trip = make_trip(unit=org.engineering, applicant=people.coordinator)
    visit = make_visit(host_unit=org.engineering, host=people.coordinator)
    person = make_person(family_name="Schmidt-Hohenberger", given_name="Anna-Katharina", nationality=germany)
    call = make_call(unit=org.engineering, title_en=TITLE_EN, title_zh=TITLE_ZH)
    return {
        "partner": partner.get_absolute_url(),
        "partner edit": f"/partners/{partner.pk}/edit/",
        "agreement": agreements[0].get_absolute_url(),
        "agreement edit": f"/agreements/{agreements[1].pk}/edit/",
        "trip": trip.get_absolute_url(),
        "visit": visit.get_absolute_url(),
        "person": f"/people/{person.pk}/",
        "call": call.get_absolute_url(),
    }


def test_every_staff_page_fits_a_phone_and_a_laptop(page: Page, people, records, subtests):
    sign_in(page, people.officer.username)
    page.set_viewport_size(PHONE)
    detail = set(records.values())
    paths = staff_paths() + sorted(detail)
    assert "/agreements/" in paths and "/partners/new/" in paths, paths
    checked = []
    for path in paths:
        with subtests.test(msg=path):
            status = visit(page, path)
            if status in (403, 404, 405) and path not in detail:
                continue  # not a page this officer may open, or an address that only takes a POST
            assert status < 400, f"{path} answered {status}"
            if not page.locator("body > main").count():
                continue  # a fragment that a page fetches (search-as-you-type results), not a page
            page.set_viewport_size(PHONE)
            no_horizontal_overflow(page)
            assert narrow_cells(page) == []
            page.set_viewport_size(LAPTOP)
            no_horizontal_overflow(page)
            checked.append(path)
    # The walk reached the lists and forms of the main areas, not only pages the officer may not open.
    for expected in ("/agreements/", "/partners/", "/travel/", "/visitors/", "/people/", "/jobs/"):
        assert any(path.startswith(expected) for path in checked), (expected, checked)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_agreement_list_reads_on_a_phone(page: Page, people, records, language, tmp_path: Path):
    sign_in(page, people.officer.username)
    if language != "en":
        switch_language(page, language)
    page.set_viewport_size(PHONE)
    page.goto("/agreements/")
    rows = page.locator("#results table tbody tr")
    assert rows.count() == 4
    no_horizontal_overflow(page)
    assert narrow_cells(page) == []
    # Four agreements with long titles: a few screens at most, not a title standing one character per line.
    assert page_height(page) < 4 * PHONE["height"], page_height(page)
    row = rows.first.bounding_box()
    assert row is not None and row["height"] < 300, row
    # The key column stays in view while the table scrolls sideways, and the state column can be reached.
    wrap = page.locator("#results .table-wrap")
    key = rows.first.locator("td").first
    before = key.bounding_box()
    wrap.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    after = key.bounding_box()
    assert before is not None and after is not None and abs(before["x"] - after["x"]) < 1
    state = rows.first.locator(".badge[class*=state-]")
    state.scroll_into_view_if_needed()
    box = state.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The header fits: every navigation link can be reached without scrolling sideways.
    for link in page.locator("nav.mainnav a").all():
        nav = link.bounding_box()
        assert nav is not None and nav["x"] + nav["width"] <= PHONE["width"], link.inner_text()
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
    no_horizontal_overflow(page)
    page.screenshot(path=str(tmp_path / "laptop.png"))
