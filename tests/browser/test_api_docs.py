"""The API documentation pages (Swagger UI and Redoc) load and render under the Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

# Redoc's side menu always shows the Redocly logo from Redocly's CDN; the policy blocks it (so nothing is
# requested from that host) and Redoc hides the broken image. That one refusal is expected, nothing else.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_the_api_without_breaking_the_policy(page: Page):
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Meridian API", timeout=120_000)
    expect(page.locator(".opblock-tag-section").first).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_redoc_renders_the_api_and_only_its_cdn_logo_is_refused(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    refused: list[str] = []
    context.on("console", lambda message: refused.append(message.text))
    foreign: list[str] = []
    context.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "blob:", "data:"))
            else foreign.append(request.url)
        ),
    )
    try:
        page = context.new_page()
        page.goto("/api/v1/redoc/")
        expect(page.locator("h1")).to_contain_text("Meridian API", timeout=120_000)
        expect(page.get_by_text("List agreements").first).to_be_attached()
    finally:
        context.close()
    violations = [text for text in refused if "Content Security Policy" in text]
    assert violations and all(REDOC_LOGO in text for text in violations), violations
    assert foreign in ([], [REDOC_LOGO]), foreign
