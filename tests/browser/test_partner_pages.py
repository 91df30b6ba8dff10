"""Partner pages in the browser: the filtered list with and without JavaScript, and duplicate warnings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from meridian.partners.models import Partner
from meridian.partners.services import partner_create
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from tests.browser.helpers import follow, sign_in


@pytest.fixture
def three_partners(transactional_db) -> dict[str, Partner]:
    germany = country("DE", "Germany", "德国")
    britain = country("GB", "United Kingdom", "英国", alpha3="GBR", region_code="150")
    return {
        "heidelberg": PartnerFactory(
            name="Universität Heidelberg", name_en="Heidelberg University", country=germany
        ),
        "munich": PartnerFactory(name="Technische Universität München", name_en="TU Munich", country=germany),
        "oxford": PartnerFactory(
            name="University of Oxford", name_en="University of Oxford", country=britain, city="Oxford"
        ),
    }


def expect_results(page: Page, names: list[str]) -> None:
    """The result table lists exactly these partners (in any order), once it has settled."""
    links = page.locator("#partner-results tbody tr td:first-child a")
    expect(links).to_have_count(len(names))
    assert sorted(links.all_inner_texts()) == sorted(names)


@pytest.mark.django_db(transaction=True)
def test_changing_a_filter_updates_the_results_in_place(page: Page, people, three_partners):
    sign_in(page, people.officer.username)
    follow(page, page.locator("nav.mainnav a[href$='/partners/']"), re.compile(r"/partners/$"))
    expect_results(page, ["Heidelberg University", "TU Munich", "University of Oxford"])
    # A full page load would wipe this marker; an in-place update keeps it.
    page.evaluate("window.sameDocument = true")

    with page.expect_response(re.compile(r"/partners/\?.*country=GB")) as answer:
        page.select_option("#id_country", "GB")
    request = answer.value.request
    assert request.headers.get("hx-request") == "true"
    expect(page.locator("#partner-results tbody tr")).to_have_count(1)
    expect_results(page, ["University of Oxford"])
    assert page.evaluate("window.sameDocument") is True
    # The address bar follows, so the filtered list can be bookmarked and shared.
    expect(page).to_have_url(re.compile(r"/partners/\?.*country=GB"))
    # Only the results were sent back, not a whole page.
    assert "<html" not in answer.value.text()

    page.select_option("#id_country", "DE")
    expect(page.locator("#partner-results tbody tr")).to_have_count(2)
    expect_results(page, ["Heidelberg University", "TU Munich"])
    assert page.evaluate("window.sameDocument") is True


@pytest.mark.django_db(transaction=True)
def test_filter_form_works_without_javascript(new_page, people, three_partners):
    page = new_page(java_script_enabled=False)
    sign_in(page, people.officer.username)
    page.goto("/partners/")
    expect(page.locator("#partner-results tbody tr")).to_have_count(3)

    page.select_option("#id_country", "GB")
    # Without JavaScript nothing happens until the form is submitted.
    expect(page.locator("#partner-results tbody tr")).to_have_count(3)
    follow(
        page, page.locator("form[role=search] button[type=submit]"), re.compile(r"/partners/\?.*country=GB")
    )
    expect_results(page, ["University of Oxford"])
    expect(page.locator("#id_country")).to_have_value("GB")

    page.fill("#id_q", "munich")
    page.select_option("#id_country", "")
    follow(page, page.locator("form[role=search] button[type=submit]"), re.compile(r"q=munich"))
    expect_results(page, ["TU Munich"])


@pytest.mark.django_db(transaction=True)
def test_a_second_partner_with_the_same_website_is_refused_with_a_link(page: Page, people):
    existing = partner_create(
        actor=None,
        name="Universität Heidelberg",
        name_en="Heidelberg University",
        website="https://www.uni-heidelberg.de",
        country=country("DE", "Germany", "德国"),
    )
    sign_in(page, people.officer.username)
    page.goto("/partners/new/")
    form = page.locator("#partner-form")
    form.locator("[name=name]").fill("Ruprecht-Karls-Universität Heidelberg")
    form.locator("[name=country]").select_option("DE")
    form.locator("[name=website]").fill("https://uni-heidelberg.de/en/")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()
    expect(page).to_have_url(re.compile(r"/partners/new/$"))
    link = warning.locator(f"a[href$='/partners/{existing.pk}/']")
    expect(link).to_contain_text("Heidelberg University")
    # What the user typed is kept, so nothing is lost if they decide otherwise.
    expect(form.locator("[name=name]")).to_have_value("Ruprecht-Karls-Universität Heidelberg")
    assert Partner.objects.count() == 1

    follow(page, link, re.compile(rf"/partners/{existing.pk}/$"))
    expect(page.locator("h1")).to_contain_text("Heidelberg University")


@pytest.mark.django_db(transaction=True)
def test_the_registry_match_fills_only_the_empty_identifiers(page: Page, people, registry):
    sign_in(page, people.officer.username)
    page.goto("/partners/new/")
    form = page.locator("#partner-form")
    form.locator("[name=name]").fill("University of Oxford")
    form.locator("[name=website]").fill("https://oxford.example")
    form.locator("[name=country]").select_option("GB")

    match = page.locator("#registry-match")
    expect(match).to_contain_text(
        "Registry match: University of Oxford (ROR 052gg0110, Oxford, United Kingdom)"
    )
    match.get_by_role("button", name="Use these identifiers").click()
    expect(form.locator("[name=ror_id]")).to_have_value("052gg0110")
    expect(form.locator("[name=name_zh]")).to_have_value("牛津大学")
    # What the user typed stays.
    expect(form.locator("[name=website]")).to_have_value("https://oxford.example")
    expect(match).to_contain_text("Empty identifier fields filled in from the registry.")

    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    partner = Partner.objects.get()
    assert (partner.ror_id, partner.name_zh, partner.website) == (
        "052gg0110",
        "牛津大学",
        "https://oxford.example",
    )
    assert partner.registry_institution.ror_id == "052gg0110"
