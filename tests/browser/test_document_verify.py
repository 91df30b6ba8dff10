"""A signed agreement's generated PDF verifies through its QR address, in English and in Chinese."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from meridian.agreements.models import Signatory
from meridian.agreements.tests.factories import AgreementFactory
from meridian.documents.models import GeneratedDocument
from meridian.documents.tests.helpers import pdf_link_targets, pdf_text
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from tests.browser.helpers import sign_in, switch_language, translated


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_officer_generates_the_signed_agreements_pdf_and_its_qr_address_verifies(
    page: Page, new_page, people, org, live_server, settings, language
):
    settings.SITE_URL = live_server.url  # the address printed in the QR code points at this server
    partner = PartnerFactory(
        name="Ruprecht-Karls-Universität Heidelberg",
        name_en="Heidelberg University",
        name_zh="海德堡大学",
        country=country("DE", "Germany", "德国", region_code="150"),
    )
    agreement = AgreementFactory(
        state="active",
        responsible_unit=org.computing,
        partners=[partner],
        channels=["student_exchange"],
        title_en="Student exchange agreement with Heidelberg",
        title_zh="与海德堡大学学生交流协议",
    )
    Signatory.objects.create(
        agreement=agreement,
        side="partner",
        partner=partner,
        name="Klaus Weber",
        title="Rector",
        signed_on=datetime.date(2026, 6, 15),
    )

    sign_in(page, people.officer.username)
    if language != "en":
        switch_language(page, language)
    page.goto(agreement.get_absolute_url())
    panel = page.locator("#generated-documents")
    expect(panel.locator("h2")).to_have_text(translated("Generated documents", language))
    with page.expect_navigation():
        panel.locator("form:has(input[name=template][value=signature-page]) button").click()
    document = GeneratedDocument.objects.get()
    expect(panel.locator("table")).to_contain_text(document.serial)

    # Download the PDF as the officer would, and take the verification address from the file itself.
    with page.expect_download() as download_info:
        panel.get_by_role("link", name=document.filename).click()
    data = download_info.value.path().read_bytes()
    text = pdf_text(data)
    assert "海德堡大学" in text and "Klaus Weber" in text
    links = {url for page_links in pdf_link_targets(data) for url in page_links}
    assert len(links) == 1
    verify_url = links.pop()
    assert re.fullmatch(
        rf"{re.escape(live_server.url)}/documents/verify/{document.serial}/[\w-]{{32}}/", verify_url
    )
    assert verify_url in text  # printed beside the QR code as well

    # Someone who holds the paper opens the address without signing in.
    visitor = new_page(locale="zh-CN" if language != "en" else "en-GB")
    response = visitor.goto(verify_url)
    assert response is not None and response.status == 200
    expect(visitor.locator("html")).to_have_attribute("lang", language)
    expect(visitor.locator("#verification h1")).to_contain_text(translated("Document verification", language))
    expect(visitor.locator("#serial")).to_have_text(document.serial)
    expect(visitor.locator("#holder")).to_have_text("Heid****** Univ******")
    expect(visitor.locator("#verification")).not_to_contain_text("Heidelberg University")
    expect(visitor.locator("#verification")).not_to_contain_text(agreement.number)

    # A wrong token answers "not found", with no hint.
    wrong = visitor.goto(verify_url.rsplit("/", 2)[0] + "/" + "A" * 32 + "/")
    assert wrong is not None and wrong.status == 404
    expect(visitor.locator("#verification")).not_to_contain_text(document.serial)
