"""Headless Chromium (Debian's package) driven by Playwright against the live test server."""

import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required for the browser tests in CI but {CHROMIUM} is missing")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}; `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """Open pages in fresh browser contexts (e.g. `new_page(java_script_enabled=False)`).

    Nothing but the app itself may be contacted: every other host is refused, recorded, and fails the test.
    Nothing may break the Content-Security-Policy either: a violation the browser reports on its console (a
    refused inline script or handler, eval, a style or font from elsewhere) fails the test.
    """
    contexts = []
    foreign: list[str] = []
    violations: list[str] = []

    def watch_console(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def guard(route):
        if route.request.url.startswith(live_server.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    def make(**options):
        settings = {"locale": "en-GB", "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(base_url=live_server.url, **settings)
        context.route("**/*", guard)
        contexts.append(context)
        context.on("console", watch_console)  # every page of the context, pop-ups included
        opened = context.new_page()
        opened.set_default_timeout(15000)
        return opened

    yield make
    for context in contexts:
        context.close()
    assert foreign == [], f"the page tried to reach other hosts: {foreign}"
    assert violations == [], f"the page broke the Content-Security-Policy: {violations}"


@pytest.fixture
def page(new_page):
    return new_page()


def _ror(ror_id: str, name: str, *, country: str, city: str, website: str, labels=()) -> dict:
    """One institution in the ROR data dump's schema v2."""
    names = [{"value": name, "types": ["ror_display", "label"], "lang": "en"}]
    names += [{"value": value, "types": ["label"], "lang": lang} for lang, value in labels]
    return {
        "id": f"https://ror.org/{ror_id}",
        "names": names,
        "locations": [
            {
                "geonames_id": 1,
                "geonames_details": {"name": city, "lat": 49.41, "lng": 8.71, "country_code": country},
            }
        ],
        "links": [{"type": "website", "value": website}],
        "domains": [],
        "external_ids": [],
        "status": "active",
        "types": ["education"],
        "established": 1386,
    }


REGISTRY = [
    _ror(
        "038t36y30",
        "Heidelberg University",
        country="DE",
        city="Heidelberg",
        website="https://www.uni-heidelberg.de",
        labels=[("de", "Ruprecht-Karls-Universität Heidelberg"), ("zh", "海德堡大学")],
    ),
    _ror(
        "052gg0110",
        "University of Oxford",
        country="GB",
        city="Oxford",
        website="https://www.ox.ac.uk",
        labels=[("zh", "牛津大学")],
    ),
    _ror(
        "03prydq77",
        "University of Vienna",
        country="AT",
        city="Vienna",
        website="https://www.univie.ac.at",
        labels=[("de", "Universität Wien")],
    ),
]


@pytest.fixture
def registry(transactional_db, tmp_path: Path) -> None:
    """Countries from the project's facts, and three institutions imported through the real ROR pipeline."""
    from django.core.management import call_command

    from meridian.reference.registry_import import registry_import

    call_command("load-reference", stdout=io.StringIO())
    path = tmp_path / "ror.json"
    path.write_text(json.dumps(REGISTRY, ensure_ascii=False), encoding="utf-8")
    registry_import(source="ror", path=path)
