"""Every role walks its pages in English and Chinese, on a laptop and on a phone (issue 12, sections 5 and 7).

The demo data set is built once for the module. The live server's tests normally run on a transactional
database that is emptied after each test; here the module's own `_live_server_helper` asks for the demo
instead, so the walks share it, and the module empties the database when it is done (as any transactional
test does).

From the landing page, every entry of the role's navigation (read from the page, so new pages are walked too)
and the first record of each list are opened. On each page: the page and its same-origin sub-requests answer
below 400, nothing scrolls sideways at 1280 x 800 nor at 390 x 844, axe-core finds nothing serious or
critical (at laptop size), and a Chinese page shows no English interface text (record values in their
original language allowed). Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from tests.browser.walks import (
    LANGUAGES,
    NOT_OURS,
    Walk,
    first,
    links,
    record_links,
    record_values,
    restore_seeded_rows,
    session_cookies,
)

PASSWORD = "demo password for the walks"

# Role -> the demo user who walks it ("" for a visitor who is not signed in).
ROLES = {
    "officer": "demo-officer",
    "coordinator": "demo-coordinator",
    "leader": "demo-leader",
    "staff": "demo-staff",
    "student": "demo-student",
    "partner-contact": "demo-partner",
    "public": "",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[set[str]]:
    """The demo data set, committed, for all the walks; the record values a Chinese page may show."""
    from meridian.demo.builder import build_demo

    previous = os.environ.get("DEMO_ADMIN_PASSWORD")
    os.environ["DEMO_ADMIN_PASSWORD"] = PASSWORD
    with django_db_blocker.unblock():
        try:
            restore_seeded_rows()
            build_demo(password=PASSWORD)
            yield record_values()
        finally:
            # What every transactional test leaves behind: an empty database.
            call_command("flush", interactive=False, verbosity=0)
            if previous is None:
                os.environ.pop("DEMO_ADMIN_PASSWORD", None)
            else:
                os.environ["DEMO_ADMIN_PASSWORD"] = previous


@pytest.fixture(autouse=True)
def _live_server_helper(request: pytest.FixtureRequest, demo) -> Iterator[None]:
    """pytest-django's helper of the same name, except that the live server's tests get the shared demo data
    set instead of a transactional database that is emptied after each of them."""
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


def walk_signed_in(page: Page, walk: Walk, language: str) -> None:
    """The landing page, every entry of the navigation and the top bar, and one record of each list."""
    walk.seen = set()
    records: list[str] = []
    page.goto("/inbox/start/")
    landing = page.evaluate("() => location.pathname")
    entries = [landing] + links(page, "nav.mainnav a[href]") + links(page, ".topbar-tools a[href]")
    if not links(page, "nav.mainnav a[href]"):
        walk.problems.append(f"[{walk.role} {language}] {landing}: no navigation")
    for entry in dict.fromkeys(entries):
        if entry in walk.seen or not walk.visit(page, entry, language):
            continue
        if NOT_OURS.match(entry) or "/global-vision/" in entry:
            continue
        record = first(p for p in record_links(page, entry) if p not in walk.seen)
        if record:
            walk.visit(page, record, language)
            records.append(record)
    if not records:
        walk.problems.append(f"[{walk.role} {language}] no list led to a record page")


def walk_public(page: Page, walk: Walk, language: str) -> None:
    """The Global Vision home, every entry of its navigation, and one record of each section."""
    walk.seen = set()
    records: list[str] = []
    home = f"/{language}/global-vision/"
    page.goto(home)
    for entry in dict.fromkeys([home, *links(page, "nav.public-nav a[href]")]):
        if entry in walk.seen or not walk.visit(page, entry, language):
            continue
        record = first(p for p in record_links(page, entry, public=True) if p not in walk.seen)
        if record:
            walk.visit(page, record, language)
            records.append(record)
    if not records:
        walk.problems.append(f"[{walk.role} {language}] no section led to a record page")


@pytest.mark.parametrize("role", list(ROLES))
def test_walk(role, demo, new_page, live_server, tmp_path):
    walk = Walk(role=role, shots=tmp_path, origin=live_server.url, known=demo)
    for language in LANGUAGES:
        page = new_page()
        page.context.add_cookies(session_cookies(ROLES[role], live_server.url, language))
        if ROLES[role]:
            walk_signed_in(page, walk, language)
        else:
            walk_public(page, walk, language)
        page.context.close()
    assert not walk.problems, f"{len(walk.problems)} problem(s) walking as {role}:\n" + "\n".join(
        walk.problems
    )
