"""Keyboard use: the skip link comes first and the main navigation is reachable with Tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in

FOCUSED = "() => { const e = document.activeElement; return [e.tagName, e.id, e.getAttribute('href') || ''] }"


@pytest.mark.django_db(transaction=True)
def test_skip_link_and_main_navigation_are_reachable_with_tab(page: Page, people):
    sign_in(page, people.officer.username)
    page.goto("/partners/")

    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    # Off screen until focused, then visible to a sighted keyboard user.
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()

    page.goto("/partners/")
    wanted = ["/dashboard/", "/partners/", "/agreements/"]
    reached: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        tag, _id, href = page.evaluate(FOCUSED)
        if tag == "A" and href in wanted and href not in reached:
            reached.append(href)
        if reached == wanted:
            break
    assert reached == wanted

    # The focused navigation link opens with Enter.
    with page.expect_navigation(url=re.compile(r"/agreements/$")):
        page.keyboard.press("Enter")
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_attribute("href", "/agreements/")
    # The language selector in the top bar is reachable too (after every navigation entry the role sees).
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED)[1] == "language-select":
            break
    expect(page.locator("#language-select")).to_be_focused()
