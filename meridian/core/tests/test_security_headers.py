"""Content-Security-Policy on every page: scripts only from the app's own files; framing as X_FRAME_OPTIONS.

The staff pages, the public pages, the embeddable widget and the API documentation are fetched and their
policies read; the templates are scanned for the inline scripts, handlers and `javascript:` addresses that the
policy would block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/dashboard/",
    "/partners/",
    "/partners/new/",
    "/agreements/",
    "/travel/",
    "/visitors/",
    "/people/",
    "/search/",
    "/accounts/password/change/",
]
PUBLIC_PAGES = [
    "/accounts/login/",
    "/en/global-vision/",
    "/en/global-vision/partners/",
    "/zh-hans/global-vision/partners/",
    "/en/global-vision/lectures/",
    "/en/global-vision/exchange-calls/",
]
API_DOCS = ["/api/v1/docs/", "/api/v1/docs/?script=", "/api/v1/redoc/"]
EMBED = "/en/global-vision/partners/embed/"


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}; fails when there is none."""
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} answered without a Content-Security-Policy"
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def assert_strict_scripts(directives: dict[str, list[str]], url: str) -> None:
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts == ["'self'"], (url, scripts)
    assert "'unsafe-inline'" not in directives.get("script-src-elem", []), url
    assert "'unsafe-eval'" not in " ".join(sum(directives.values(), [])), url
    assert directives["object-src"] == ["'none'"], url


@pytest.fixture
def officer_client(people) -> Client:
    client = Client()
    client.force_login(people.officer)
    return client


def test_staff_pages_allow_only_the_apps_own_scripts_and_no_framing(officer_client):
    for url in STAFF_PAGES:
        response = officer_client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert_strict_scripts(directives, url)
        assert directives["default-src"] == ["'self'"], url
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"], url
        assert directives["img-src"] == ["'self'", "data:"], url
        assert directives["font-src"] == ["'self'"] and directives["connect-src"] == ["'self'"], url
        # X_FRAME_OPTIONS = "DENY", said again the way current browsers read it.
        assert directives["frame-ancestors"] == ["'none'"] and response["X-Frame-Options"] == "DENY", url


def test_public_pages_and_the_api_documentation_have_the_same_script_policy(org):
    client = Client()
    for url in PUBLIC_PAGES + API_DOCS:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert_strict_scripts(directives, url)
        assert directives["frame-ancestors"] == ["'none'"], url


def test_swagger_ui_starts_from_a_script_file_not_an_inline_script(org):
    client = Client()
    page = client.get("/api/v1/docs/").content.decode()
    assert '<script src="/api/v1/docs/?script="></script>' in page
    script = client.get("/api/v1/docs/?script=")
    assert (
        script["Content-Type"].startswith("application/javascript") and b"SwaggerUIBundle(" in script.content
    )


def test_redoc_may_start_its_worker_and_loads_no_third_party_fonts(org):
    response = Client().get("/api/v1/redoc/")
    assert policy(response)["worker-src"] == ["'self'", "blob:"]
    page = response.content.decode()
    assert "googleapis" not in page and "<redoc spec-url=" in page


def test_only_the_embeddable_widget_may_be_framed_by_other_sites(org):
    response = Client().get(EMBED)
    directives = policy(response)
    assert directives["frame-ancestors"] == ["*"] and "X-Frame-Options" not in response
    assert_strict_scripts(directives, EMBED)


def test_htmx_is_configured_to_need_neither_eval_nor_inline_styles(officer_client):
    for client, url in ((officer_client, "/partners/"), (Client(), "/en/global-vision/partners/")):
        page = client.get(url).content.decode()
        config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
        assert config, url
        assert '"allowEval": false' in config.group(1) and '"includeIndicatorStyles": false' in config.group(
            1
        )


# Inline code the policy blocks: a <script> without src (JSON data blocks excepted), an on...= handler
# attribute, a javascript: address, or an htmx event filter (evaluated with eval).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
EVENT_FILTER = re.compile(r"hx-trigger=\"[^\"]*\w\[[^\]]*\]")


def _templates() -> list[Path]:
    package = Path(settings.PACKAGE_DIR)
    found = [path for path in package.rglob("templates/**/*.html") if "/tests/" not in str(path)]
    assert len(found) > 100
    return found


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("inline script", INLINE_SCRIPT),
        ("inline event handler", HANDLER),
        ("javascript: address", JAVASCRIPT_URL),
        ("htmx event filter", EVENT_FILTER),
    ],
)
def test_no_template_has_code_the_policy_would_block(name, pattern):
    offenders = []
    for path in _templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(settings.PACKAGE_DIR)}:{number}: {line.strip()[:100]}")
    assert offenders == [], f"{name}:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (INLINE_SCRIPT, "<script>alert(1)</script>"),
        (HANDLER, '<button type="button" onclick="window.print()">'),
        (JAVASCRIPT_URL, '<a href="javascript:void(0)">'),
        (EVENT_FILTER, "hx-trigger=\"change[!target.closest('#x')] from:#f\""),
    ],
)
def test_the_template_scan_recognises_blocked_code(pattern, line):
    assert pattern.search(line)
    assert not pattern.search('<script src="/static/core/meridian.js" defer></script>')
