"""The agreement form as a browser submits it: optional sections left untouched must not block saving."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from meridian.agreements.models import Agreement
from meridian.partners.tests.factories import PartnerFactory
from tests.browser.helpers import follow, sign_in


@pytest.mark.django_db(transaction=True)
def test_agreement_saves_with_the_signatory_rows_left_empty(page: Page, people, org):
    partner = PartnerFactory(name_en="Heidelberg University")
    sign_in(page, people.officer.username)
    page.goto(f"/partners/{partner.pk}/")
    follow(page, page.locator(f"a[href$='/agreements/new/?partner={partner.pk}']"), re.compile(r"/new/"))
    page.fill("#id_title_en", "Framework agreement with Heidelberg University")
    page.select_option("#id_kind", "mou")
    page.select_option("#id_responsible_unit", str(org.intl_office.pk))
    # Signatories are optional: the empty rows are sent as the browser fills them (a side is preselected).
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    expect(page.locator(".field-errors")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/agreements/\d+/$"))
    agreement = Agreement.objects.get(parties__partner=partner)
    assert agreement.signatories.count() == 0
