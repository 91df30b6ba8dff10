"""Steps shared by the browser journeys: signing in and switching the interface language."""

from __future__ import annotations

import re

from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from conftest import PASSWORD

# Any Chinese character; used to tell a translated label from an untranslated English one.
HAN = re.compile(r"[\u4e00-\u9fff]")


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would, and land on the dashboard."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dashboard/")


def switch_language(page: Page, code: str) -> None:
    """Choose a language in the top bar; the selector posts to /i18n/setlang/ and comes back to the page."""
    with page.expect_navigation():
        page.select_option("#language-select", code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def translated(text: str, language: str) -> str:
    """What the app shows for `text` in `language`, from the same catalogue the server uses."""
    with translation.override(language):
        return str(translation.gettext(text))


def follow(page: Page, target: Locator, url: str | re.Pattern[str]) -> None:
    """Click something that loads a new page and wait until that page has loaded (scripts included)."""
    with page.expect_navigation(url=url):
        target.click()
