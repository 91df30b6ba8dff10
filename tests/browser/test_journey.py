"""The journey an International Office officer takes: sign in, register a partner from the institution
registry, record an agreement with it, move the agreement to active and find it on the dashboard.
Once in English and once in Simplified Chinese, chosen with the language selector in the top bar."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from meridian.agreements.choices import AgreementState
from meridian.agreements.models import Agreement
from meridian.partners.models import Partner
from meridian.reference.models import Institution
from tests.browser.helpers import HAN, follow, sign_in, switch_language, translated

S = AgreementState


def label(state: AgreementState, language: str) -> str:
    with translation.override(language):
        return str(state.label)


def shown_name(language: str) -> str:
    """Partners are named in the reader's language when the record has that name."""
    return "海德堡大学" if language.startswith("zh") else "Heidelberg University"


def check_chinese_interface(page: Page) -> None:
    """The top bar speaks Chinese: the catalogue is compiled and used for every navigation label."""
    nav = page.locator("nav.mainnav")
    partners = nav.locator("a[href$='/partners/']")
    agreements = nav.locator("a[href$='/agreements/']")
    dashboard = nav.locator("a[href$='/dashboard/']")
    expect(partners).to_contain_text("合作伙伴")
    expect(agreements).to_contain_text("协议")
    for link, english in ((dashboard, "Dashboard"), (partners, "Partners"), (agreements, "Agreements")):
        text = link.inner_text().strip()
        assert HAN.search(text), f"the {english!r} navigation label is not translated: {text!r}"
        assert text == translated(english, "zh-hans")


def create_partner_from_registry(page: Page, language: str) -> Partner:
    follow(page, page.locator("nav.mainnav a[href$='/partners/']"), re.compile(r"/partners/$"))
    follow(page, page.locator("main a[href$='/partners/new/']"), re.compile(r"/partners/new/$"))
    expect(page.locator("h1")).to_have_text(translated("New partner", language))

    # Typing a few letters asks the registry for suggestions as you type.
    page.locator("#registry-q").press_sequentially("heidel", delay=20)
    suggestion = page.locator("#registry-suggestions li", has_text="Heidelberg University")
    expect(suggestion).to_have_count(1)
    expect(page.locator("#registry-suggestions li", has_text="University of Oxford")).to_have_count(0)
    suggestion.locator("button[data-prefill]").click()

    form = page.locator("#partner-form")
    expect(form.locator("[name=name]")).to_have_value("Heidelberg University")
    expect(form.locator("[name=country]")).to_have_value("DE")
    expect(form.locator("[name=city]")).to_have_value("Heidelberg")
    expect(form.locator("[name=website]")).to_have_value("https://www.uni-heidelberg.de")
    expect(form.locator("[name=ror_id]")).to_have_value("038t36y30")
    institution = Institution.objects.get(ror_id="038t36y30")
    expect(form.locator("[name=registry_institution]")).to_have_value(str(institution.pk))

    form.locator("[name=name_zh]").fill("海德堡大学")
    follow(page, form.locator("button[type=submit]"), re.compile(r"/partners/\d+/$"))
    expect(page.locator("h1")).to_contain_text(shown_name(language))
    expect(page.locator(".messages")).to_be_visible()

    partner = Partner.objects.get(ror_id="038t36y30")
    assert partner.registry_institution_id == institution.pk
    assert partner.country_id == "DE"
    assert partner.website_domain == "uni-heidelberg.de"
    assert partner.name_zh == "海德堡大学"
    assert page.url.endswith(f"/partners/{partner.pk}/")
    return partner


def create_agreement(page: Page, partner: Partner, org, end: date) -> Agreement:
    new = page.locator(f"a[href$='/agreements/new/?partner={partner.pk}']")
    follow(page, new, re.compile(r"/agreements/new/\?partner="))
    # The partner the officer came from is already chosen.
    assert page.locator("#id_partners").evaluate("s => [...s.selectedOptions].map(o => o.value)") == [
        str(partner.pk)
    ]
    page.fill("#id_title_en", "Student exchange with Heidelberg University")
    page.fill("#id_title_zh", "与海德堡大学的学生交换协议")
    page.select_option("#id_kind", "student_exchange")
    page.check("input[name=channels][value=student_exchange]")
    page.check("input[name=channels][value=staff_exchange]")
    page.select_option("#id_responsible_unit", str(org.engineering.pk))
    page.fill("#id_start_date", (end - timedelta(days=3 * 365)).isoformat())
    page.fill("#id_end_date", end.isoformat())
    page.fill("#id_sig-0-name", "Li Wei")
    page.fill("#id_sig-0-title", "President")
    page.select_option("#id_sig-1-side", "partner")
    page.select_option("#id_sig-1-partner", str(partner.pk))
    page.fill("#id_sig-1-name", "Frauke Melchior")
    page.fill("#id_sig-1-title", "Rector")
    follow(page, page.locator("main form button[type=submit]"), re.compile(r"/agreements/\d+/$"))

    agreement = Agreement.objects.get(parties__partner=partner)
    assert page.url.endswith(f"/agreements/{agreement.pk}/")
    assert agreement.state == S.DRAFT
    assert sorted(agreement.channels.values_list("channel", flat=True)) == [
        "staff_exchange",
        "student_exchange",
    ]
    assert agreement.signatories.count() == 2
    return agreement


def move(page: Page, agreement: Agreement, action: str, start: S, target: S, moves: int, language: str):
    comment = f"{action} after the committee meeting"
    form = page.locator(f"#lifecycle-actions form[action$='/{agreement.pk}/move/{action}/']")
    form.locator("textarea[name=comment]").fill(comment)
    follow(page, form.locator("button[type=submit]"), re.compile(rf"/agreements/{agreement.pk}/$"))

    badge = page.locator(".page-head .badge[class*='state-']")
    expect(badge).to_have_class(re.compile(rf"\bstate-{target}\b"))
    expect(badge).to_have_text(label(target, language))
    log = page.locator("#transitions ol.timeline > li")
    expect(log).to_have_count(moves)
    latest = log.first
    expect(latest).to_contain_text(f"{label(start, language)} → {label(target, language)}")
    expect(latest).to_contain_text("officer")
    expect(latest.locator("q")).to_have_text(comment)
    agreement.refresh_from_db()
    assert agreement.state == target


def check_dashboard(page: Page, agreement: Agreement, language: str) -> None:
    follow(page, page.locator("nav.mainnav a[href$='/dashboard/']"), re.compile(r"/dashboard/$"))
    expect(page.locator("#by-state-title")).to_have_text(translated("Agreements by state", language))
    active = page.locator("section[aria-labelledby=by-state-title] .bar", has_text=label(S.ACTIVE, language))
    expect(active.locator(".count")).to_have_text("1")
    expect(page.locator("#expiring-title")).to_have_text(translated("Agreements expiring soon", language))
    row = page.locator("#expiring tbody tr", has_text=agreement.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(shown_name(language))
    expect(row.locator("time")).to_have_attribute("datetime", agreement.end_date.isoformat())
    follow(page, row.locator(f"a[href$='/agreements/{agreement.pk}/']"), re.compile(r"/agreements/\d+/$"))
    expect(page.locator(".page-head .badge.expiring")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db(transaction=True)
def test_officer_registers_partner_and_activates_agreement(page: Page, people, org, registry, language):
    sign_in(page, people.officer.username)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    if language != "en":
        switch_language(page, language)
        check_chinese_interface(page)

    partner = create_partner_from_registry(page, language)
    agreement = create_agreement(page, partner, org, end=date.today() + timedelta(days=60))
    badge = page.locator(".page-head .badge[class*='state-']")
    expect(badge).to_have_class(re.compile(r"\bstate-draft\b"))
    expect(badge).to_have_text(label(S.DRAFT, language))
    expect(page.locator("#transitions ol.timeline > li")).to_have_count(0)

    move(page, agreement, "submit", S.DRAFT, S.UNDER_REVIEW, 1, language)
    move(page, agreement, "approve", S.UNDER_REVIEW, S.APPROVED, 2, language)
    move(page, agreement, "activate", S.APPROVED, S.ACTIVE, 3, language)
    # An active agreement offers no way back to review.
    expect(page.locator("#lifecycle-actions form[action$='/move/submit/']")).to_have_count(0)
    expect(page.locator("#lifecycle-actions form[action$='/move/approve/']")).to_have_count(0)

    check_dashboard(page, agreement, language)
    expect(page.locator("html")).to_have_attribute("lang", language)
