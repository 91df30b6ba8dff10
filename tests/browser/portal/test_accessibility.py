"""axe-core finds no serious or critical accessibility problem on the public pages, in English and Chinese."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.browser.portal.conftest import AXE, PARTNERSHIP_PATH

BLOCKING = {"serious", "critical"}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


def _address(name: str, language: str, world) -> str:
    with translation.override(language):
        if name == "home":
            return reverse("portal:home")
        if name == "global-partnership":
            return PARTNERSHIP_PATH.format(language=language)
        if name == "directory":
            return reverse("directory:list")
        if name == "partner":
            return reverse("directory:partner", args=[world.partners["heidelberg"].pk])
        return world.news.get_absolute_url()


# Something each page must show, so that axe checks the real page and not an error page or an empty shell.
CONTENT = {
    "home": "main svg.world-map",
    "global-partnership": "main .article-body",
    "directory": "main table.directory-table tbody tr",
    "partner": "main .partner-profile",
    "article": "main .article-body h2",
}


def axe_violations(page: Page) -> list[dict]:
    # axe-core is loaded as a script file of the page's own origin (answered by the test, never by the app):
    # the Content-Security-Policy refuses inline scripts, which is what add_script_tag(path=...) would add.
    page.route("**/__axe-core.js", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url="/__axe-core.js")
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {target}" for target in v["nodes"][:8]]
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("name", ["home", "global-partnership", "directory", "partner", "article"])
@pytest.mark.django_db(transaction=True)
def test_no_serious_or_critical_violations(page: Page, public_world, name, language):
    address = _address(name, language, public_world)
    response = page.goto(address)
    assert response is not None and response.status == 200, (
        f"{address} answered {response and response.status}"
    )
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator(CONTENT[name]).first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, f"axe-core on {address}:\n{describe(violations)}"
