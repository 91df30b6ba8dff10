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


def pick(page: Page, field: str, text: str) -> None:
    """Choose the first result for `text` in the search picker of form field `field`, with the keyboard."""
    box = page.locator(f"#id_{field}-search")
    box.focus()
    box.press_sequentially(text, delay=20)
    expect(page.locator(f"#{box.get_attribute('aria-controls')} [role=option]").first).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")


def follow(page: Page, target: Locator, url: str | re.Pattern[str]) -> None:
    """Click something that loads a new page and wait until that page has loaded (scripts included)."""
    with page.expect_navigation(url=url):
        target.click()


# --- steps of the case journeys (visitors; the travel journey keeps its own copies) -----------------------


def sign_in_as(page: Page, username: str, language: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, land on the dashboard (or the inbox, for staff), then choose the
    interface language in the top bar."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation(url=re.compile(r"/(dashboard|inbox)/$")):
        page.click("main form button[type=submit]")
    if language != "en":
        switch_language(page, language)


def expect_success(page: Page) -> None:
    """The page says the last action worked (and no error message is shown)."""
    expect(page.locator(".message.error")).to_have_count(0)
    expect(page.locator(".message.success")).to_have_count(1)


def approve_step(page: Page, step: str, comment: str) -> None:
    """Approve the open approval step labelled ``step`` from the case page's approval panel."""
    mine = page.locator("#case-approval li[data-state=open]", has_text=step)
    form = mine.locator("form[data-step-action=approve]")
    form.locator("textarea[name=comment]").fill(comment)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def download(page: Page, link: Locator) -> bytes:
    """Click a download link and return the downloaded bytes."""
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    assert path is not None, info.value.failure()
    with open(path, "rb") as handle:
        return handle.read()


def upload(name: str, data: bytes, mime: str) -> dict:
    """A file for ``set_input_files``."""
    return {"name": name, "mimeType": mime, "buffer": data}


def pdf_file(pages: int = 1) -> bytes:
    """A small valid PDF (blank A4 pages)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_file(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid PNG image of one colour."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, format="PNG")
    return out.getvalue()


def no_horizontal_overflow(page: Page) -> None:
    """Nothing on the page is wider than the viewport (no sideways scrolling)."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]}px wide in a {widths[1]}px viewport"
