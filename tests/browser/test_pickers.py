"""Search-as-you-type pickers on the agreement form, used with the keyboard only, and the registry look-up's
"already a partner" link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from meridian.agreements.models import Agreement
from meridian.partners import services as partner_services
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.models import Country
from tests.browser.helpers import follow, sign_in_as


def _type(page: Page, field: str, text: str) -> None:
    """Focus a picker's search box and type, as a person would."""
    box = page.locator(f"#id_{field}-search")
    box.focus()
    box.press_sequentially(text, delay=20)


@pytest.mark.django_db(transaction=True)
def test_keyboard_picks_a_coordinator_and_two_partners_removes_a_chip_and_saves(page: Page, people, org):
    heidelberg = PartnerFactory(name="Ruprecht-Karls-Universität Heidelberg", name_en="Heidelberg University")
    kyoto = PartnerFactory(
        name="京都大学", name_en="Kyoto University", name_zh="京都大学", ror_id="02kpeqv85"
    )
    vienna = PartnerFactory(name="Universität Wien", name_en="University of Vienna", name_zh="维也纳大学")
    people.staff.display_name = "Li Na"
    people.staff.save()
    sign_in_as(page, people.officer.username, "en")
    page.goto("/agreements/new/")
    page.fill("#id_title_en", "Joint lab with three universities")
    page.select_option("#id_kind", "joint_lab")
    page.select_option("#id_responsible_unit", str(org.computing.pk))

    # The coordinator: only staff are offered; the student matches the text but is not listed.
    coordinator = page.locator("#id_home_coordinator-search")
    expect(coordinator).to_have_attribute("role", "combobox")
    expect(page.locator("label[for=id_home_coordinator-search]")).to_have_count(1)
    _type(page, "home_coordinator", "st")
    listbox = page.locator("#" + coordinator.get_attribute("aria-controls"))
    expect(listbox.locator("[role=option]")).to_have_count(1)
    expect(listbox).to_contain_text("Li Na")
    expect(listbox).not_to_contain_text("student")
    coordinator.press("ArrowDown")
    expect(coordinator).to_have_attribute("aria-expanded", "true")
    expect(listbox.locator("[role=option][aria-selected=true]")).to_have_text(re.compile("Li Na"))
    coordinator.press("Enter")
    expect(listbox).to_be_hidden()
    expect(page.locator("#field-home_coordinator .picker-chip")).to_have_text(re.compile("Li Na"))

    # Partners by their Chinese, German and English names; the third one is removed again.
    partners = page.locator("#id_partners-search")
    for text in ("京都", "Wien", "Heidelberg"):
        _type(page, "partners", text)
        expect(page.locator("#field-partners [role=option]").first).to_be_visible()
        partners.press("ArrowDown")
        partners.press("Enter")
    chips = page.locator("#field-partners .picker-chip")
    expect(chips).to_have_count(3)
    remove = page.get_by_role("button", name="Remove University of Vienna")
    remove.focus()
    remove.press("Enter")
    expect(chips).to_have_count(2)
    expect(partners).to_be_focused()
    # Escape closes the results without choosing.
    _type(page, "partners", "Vienna")
    expect(page.locator("#field-partners [role=option]").first).to_be_visible()
    partners.press("Escape")
    expect(page.locator("#field-partners [role=listbox]")).to_be_hidden()
    expect(chips).to_have_count(2)

    with page.expect_navigation(url=re.compile(r"/agreements/\d+/$")):
        page.locator("main form button[type=submit]").click()
    agreement = Agreement.objects.get(title_en="Joint lab with three universities")
    assert agreement.home_coordinator == people.staff
    assert set(agreement.parties.values_list("partner_id", flat=True)) == {heidelberg.pk, kyoto.pk}
    assert vienna.pk not in set(agreement.parties.values_list("partner_id", flat=True))


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_pickers_are_plain_selects(new_page, people, org):
    partner = PartnerFactory(name_en="Heidelberg University")
    page = new_page(java_script_enabled=False)
    sign_in_as(page, people.officer.username, "en")
    page.goto(f"/agreements/new/?partner={partner.pk}")
    expect(page.locator("select#id_partners")).to_be_visible()
    expect(page.locator("#id_partners-search")).to_have_count(0)
    options = page.locator("select#id_home_coordinator option")
    assert people.student.username not in options.all_text_contents()
    page.fill("#id_title_en", "Plain form")
    page.select_option("#id_kind", "mou")
    page.select_option("#id_responsible_unit", str(org.computing.pk))
    page.select_option("select#id_home_coordinator", str(people.staff.pk))
    with page.expect_navigation(url=re.compile(r"/agreements/\d+/$")):
        page.locator("main form button[type=submit]").click()
    assert Agreement.objects.get(title_en="Plain form").home_coordinator == people.staff


@pytest.mark.django_db(transaction=True)
def test_registry_lookup_says_already_a_partner_before_the_form_is_filled(page: Page, people, registry):
    oxford = partner_services.partner_create(
        actor=None, name="University of Oxford", country=Country.objects.get(code="GB"), ror_id="052gg0110"
    )
    sign_in_as(page, people.officer.username, "en")
    page.goto("/partners/new/")
    page.locator("#registry-q").press_sequentially("Oxford", delay=20)
    suggestions = page.locator("#registry-suggestions")
    expect(suggestions).to_contain_text("already a partner:")
    link = suggestions.get_by_role("link", name="University of Oxford")
    expect(link).to_have_attribute("href", f"/partners/{oxford.pk}/")
    follow(page, link, re.compile(rf"/partners/{oxford.pk}/$"))
