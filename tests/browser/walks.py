"""Walking the app as one role: the pages a role reaches from its landing page and navigation, and what is
checked on each of them (status, sub-requests, sideways scrolling, axe-core, English left on Chinese pages).

A walk never stops at the first problem: every problem of a role is collected as one line, and the test
reports them together.
"""

from __future__ import annotations

import io
import re
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython
from django.test import Client
from playwright.sync_api import Page, Response

from tests.browser.english import english_strings
from tests.browser.portal.conftest import AXE
from tests.browser.portal.test_accessibility import BLOCKING, describe

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LANGUAGES = ("en", "zh-hans")

# Navigation entries that are not the app's own pages: the API's documentation (a third-party viewer of the
# API's schema, in English by design) and the Django admin. Their status is still checked.
NOT_OURS = re.compile(r"^/(api|admin)/")
# A record's own page, one path segment below a list (a number, a record number or a slug with a digit).
RECORD = re.compile(r"^[^/]*\d[^/]*/$")
PUBLIC_RECORD = re.compile(r"^[^/]+/$")
NOT_A_RECORD = {"new/", "add/", "export/", "import/", "map/", "embed/", "feed/", "calendar/"}

# The data migrations that seed rows a freshly migrated database holds (countries, purposes, portal sections).
SEEDING_APPS = {"reference": "reference.Country", "people": "people.Purpose", "portal": "portal.Section"}


def restore_seeded_rows() -> None:
    """Put back the seeded rows that are gone (the database was flushed by an earlier transactional test); a
    freshly migrated database is left as it is. Reference data comes from `load-reference` (what its data
    migrations load); the other apps' seeding data migrations are replayed."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    editor = type("Editor", (), {"connection": connection})()
    for app, model in SEEDING_APPS.items():
        if apps.get_model(model).objects.exists():
            continue
        if app == "reference":
            call_command("load-reference", verbosity=0, stdout=io.StringIO())
            continue
        for key in sorted(k for k in loader.disk_migrations if k[0] == app):
            for operation in loader.disk_migrations[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, editor)


def session_cookies(username: str, base_url: str, language: str) -> list[dict]:
    """Cookies of a signed-in session for `username` (made on the server, not through the login form) and of
    the interface language."""
    from meridian.accounts.models import User

    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    if username:
        client = Client()
        client.force_login(User.objects.get(username=username))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url})
    return cookies


# --- record values a Chinese page may show in their original language -------------------------------------


def record_values() -> set[str]:
    """What the records hold in their original language: every text column of the app's own models without
    choices, except where a Chinese version of the same value is filled in (``name_en`` next to a filled
    ``name_zh``, ``title`` next to ``title_zh``): those must be shown in Chinese."""
    values: set[str] = set()
    for model in apps.get_models():
        historical = model._meta.object_name.startswith("Historical")
        if not model.__module__.startswith("meridian.") or historical or not model._meta.managed:
            continue
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not f.name.endswith("_zh")
        ]
        names = {f.name for f in model._meta.concrete_fields}
        for column in columns:
            base = column.name.removesuffix("_en")
            chinese = f"{base}_zh" if f"{base}_zh" in names else None
            try:
                rows = model.objects.exclude(**{column.name: ""}).exclude(**{f"{column.name}__isnull": True})
                if chinese:
                    missing = models.Q(**{chinese: ""}) | models.Q(**{f"{chinese}__isnull": True})
                    rows = rows.filter(missing)
                values.update(
                    str(v) for v in rows.order_by().values_list(column.name, flat=True).distinct()[:5000]
                )
            except FieldError:  # an encrypted column (personal data) cannot be filtered in the database
                values.update(str(getattr(r, column.name) or "") for r in model.objects.all()[:5000])
        for column in [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]:
            for value in model.objects.exclude(**{f"{column.name}__isnull": True}).values_list(
                column.name, flat=True
            )[:5000]:
                values.update(_strings(value))
    from meridian.accounts.models import User

    for user in User.objects.all():
        values.update({str(user), user.get_full_name(), f"{user.last_name} {user.first_name}"})
    from meridian.people.models import Person

    for person in Person.objects.all():
        given, family = person.given_name, person.family_name
        values.update({f"{given} {family}", f"{family} {given}"})
    return {v for v in values if v.strip()}


def _strings(value: object) -> Iterator[str]:
    """The texts in a JSON value (comments per field, answers, labels)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --- the walk --------------------------------------------------------------------------------------------


@dataclass
class Walk:
    """The pages one role reaches and the problems found on them."""

    role: str
    shots: Path
    origin: str
    known: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def visit(self, page: Page, path: str, language: str, *, axe: bool = True) -> bool:
        """Open `path` and check it at laptop then phone size; False when the page did not load."""
        self.seen.add(path)
        page.set_viewport_size(LAPTOP)
        failed: list[str] = []
        origin = self.origin

        def on_response(response: Response) -> None:
            if response.status >= 400 and response.url.startswith(origin):
                failed.append(f"{response.status} {urlsplit(response.url).path}")

        def on_failed(request) -> None:  # type: ignore[no-untyped-def]
            if request.url.startswith(origin) and "ERR_ABORTED" not in (request.failure or ""):
                failed.append(f"{request.failure} {urlsplit(request.url).path}")

        pending: set = set()

        def on_request(request) -> None:  # type: ignore[no-untyped-def]
            pending.add(request)

        def on_done(request) -> None:  # type: ignore[no-untyped-def]
            pending.discard(request)

        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        page.on("request", on_request)
        page.on("requestfinished", on_done)
        page.on("requestfailed", on_done)
        where = f"[{self.role} {language}] {path}"
        try:
            response = page.goto(path, wait_until="load")
            settle(page, pending)
        except Exception as error:  # noqa: BLE001 - a page that does not load is one problem among others
            self.problems.append(f"{where}: did not load ({error})")
            return False
        finally:
            page.remove_listener("request", on_request)
            page.remove_listener("requestfinished", on_done)
            page.remove_listener("requestfailed", on_done)
        ok = response is not None and response.status < 400
        if not ok:
            self.problems.append(f"{where}: answered {response and response.status}")
        slug = re.sub(r"[^\w]+", "-", f"{self.role}-{language}-{path}").strip("-")
        for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.screenshot(path=self.shots / f"{slug}-{size}.png")
            width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1] + 1:
                wide = page.evaluate(WIDEST)
                self.problems.append(f"{where} at {size}: page is {width[0]}px wide in {width[1]}px ({wide})")
            if size == "laptop" and ok and not NOT_OURS.match(path):
                if axe:
                    violations = axe_violations(page, contrast=language == "en")
                    if violations:
                        self.problems.append(f"{where}: axe-core\n{describe(violations)}")
                if language != "en":
                    lang = page.get_attribute("html", "lang")
                    if lang != language:
                        self.problems.append(f"{where}: shown in {lang!r}")
                    english = english_strings(page, known=self.known)
                    if english:
                        self.problems.append(f"{where}: English left: {english}")
        page.remove_listener("response", on_response)
        page.remove_listener("requestfailed", on_failed)
        failed = [f for f in failed if f.split(" ")[-1] != path]  # the page itself is reported above
        if failed:
            self.problems.append(f"{where}: failed sub-requests {sorted(set(failed))}")
        return ok


RUN_AXE = """async (contrast) => {
  const result = await axe.run(document, {
    resultTypes: ['violations'], rules: {'color-contrast': {enabled: contrast}},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


_AXE_ROUTED: weakref.WeakSet[Page] = weakref.WeakSet()


def axe_violations(page: Page, *, contrast: bool = True) -> list[dict]:
    """axe-core's serious and critical violations on the page (loaded as in the public pages' accessibility
    test: a script of the page's own origin, answered by the test). `contrast=False` leaves out the colour
    contrast rule, the slowest, for a second language whose colours are the same."""
    if page not in _AXE_ROUTED:
        page.route("**/__axe-core.js", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
        _AXE_ROUTED.add(page)
    page.add_script_tag(url="/__axe-core.js")
    return [v for v in page.evaluate(RUN_AXE, contrast) if v["impact"] in BLOCKING]


def settle(page: Page, pending: set, *, quiet: float = 0.15, limit: float = 10.0) -> None:
    """Wait until the page has made no request for `quiet` seconds (parts loaded after the page itself, such
    as the dashboard's tiles), at most `limit` seconds; shorter than Playwright's fixed half-second
    "networkidle"."""
    start = last = time.monotonic()
    count = -1
    while time.monotonic() - start < limit:
        if pending or len(pending) != count:
            last = time.monotonic()
            count = len(pending)
        elif time.monotonic() - last >= quiet:
            return
        page.wait_for_timeout(25)


WIDEST = """() => {
  const limit = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
      const inside = el.parentElement && el.parentElement.getBoundingClientRect().right > limit + 1;
      if (!inside || out.length === 0) {
        const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
        out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
          + classes.map(c => c ? '.' + c : '').join('') + ' ' + Math.round(r.right));
      }
    }
    if (out.length >= 4) break;
  }
  return out.join(', ');
}"""


def links(page: Page, selector: str) -> list[str]:
    """Same-origin paths of the links in `selector`, in page order, each once."""
    hrefs = page.eval_on_selector_all(
        selector,
        "(els, origin) => els.map(a => new URL(a.getAttribute('href'), location.href))"
        ".filter(u => u.origin === origin).map(u => u.pathname)",
        page.evaluate("() => location.origin"),
    )
    return list(dict.fromkeys(hrefs))


def record_links(page: Page, under: str, *, public: bool = False) -> Iterator[str]:
    """Links in the page's main content to a record one level below the list at `under`."""
    pattern = PUBLIC_RECORD if public else RECORD
    for path in links(page, "main a[href]"):
        rest = path[len(under) :] if path.startswith(under) else None
        if rest and pattern.match(rest) and rest not in NOT_A_RECORD:
            yield path


def first(items: Iterable[str]) -> str | None:
    return next(iter(items), None)
