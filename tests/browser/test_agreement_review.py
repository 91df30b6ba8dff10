"""An agreement's review through its approval chain, in English and in Simplified Chinese.

A coordinator submits an agreement; it appears in the International Office's inbox with a count; the officer
returns it with a comment; the coordinator corrects it and submits it again; the office and then the
university leader approve their steps; the officer activates the signed agreement, generates its PDF, and the
document's verification address confirms it to anyone, signed in or not.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from meridian.agreements import services
from meridian.agreements.models import Agreement
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from meridian.workflow.services import chain_create
from tests.browser.helpers import follow, switch_language, translated

STEPS = [
    {"order": 1, "label": "International Office review", "assignee_kind": "international_office"},
    {"order": 2, "label": "University leader", "assignee_kind": "university_leader"},
]
RETURN_COMMENT = "Please say how many students go each way."


def sign_in(page: Page, username: str, language: str) -> None:
    """Sign in through the login form and choose the interface language."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery staple")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if language != "en":
        switch_language(page, language)


def state_badge(page: Page):
    return page.locator(".page-head .badge[class*='state-']")


def open_from_inbox(page: Page, agreement: Agreement, step: str, language: str) -> None:
    """The inbox link in the top bar counts the tasks; the agreement is listed with its step."""
    inbox = page.locator("nav.mainnav a[data-nav=inbox]")
    expect(inbox.locator(".badge.count")).to_have_text("1")
    follow(page, inbox, re.compile(r"/inbox/"))
    expect(page.locator("[data-count=tasks]")).to_have_text("1")
    row = page.locator("table.inbox tbody tr", has_text=agreement.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(step)
    follow(page, row.locator("a"), re.compile(rf"/agreements/{agreement.pk}/$"))


def decide(page: Page, action: str, comment: str, **fields: str) -> None:
    """Approve or return the open step from the approval panel of the agreement page."""
    form = page.locator(f"#case-approval form[data-step-action={action}]")
    form.locator("textarea[name=comment]").fill(comment)
    for name, text in fields.items():
        form.locator(f"input[name=field__{name}]").fill(text)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def check_generated_pdf_verifies(browser_page_factory, page: Page, agreement: Agreement) -> None:
    """The signed agreement's generated PDF carries a verification address (its QR code) that confirms it."""
    from meridian.documents.models import GeneratedDocument

    generate = page.locator("#generated-documents form").filter(
        has=page.locator("input[name=template][value=signature-page]")
    )
    with page.expect_navigation():
        generate.first.locator("button[type=submit]").click()
    document = GeneratedDocument.objects.filter(object_id=agreement.pk).latest("pk")
    assert document.file.read(5) == b"%PDF-"
    path = urlsplit(document.verify_url).path
    visitor = browser_page_factory()
    visitor.goto(path)
    expect(visitor.locator("main")).to_contain_text(document.serial)


@pytest.fixture
def review_case(org, people):
    partner = PartnerFactory(
        name="Universität Heidelberg",
        name_en="Heidelberg University",
        country=country("DE", "Germany", "德国", region_code="150"),
    )
    chain_create(actor=people.admin, case_type="agreement", name="Agreement review", steps=STEPS)
    return services.agreement_create(
        actor=people.coordinator,
        partners=[partner],
        channels=["student_exchange"],
        title_en="Student exchange with Heidelberg University",
        title_zh="与海德堡大学的学生交换协议",
        kind="student_exchange",
        responsible_unit=org.computing,
        start_date=date.today() + timedelta(days=30),
        end_date=date.today() + timedelta(days=30 + 5 * 365),
        languages="en, zh",
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db(transaction=True)
def test_coordinator_submits_officer_returns_then_each_step_approves(new_page, people, review_case, language):
    agreement = review_case
    url = f"/agreements/{agreement.pk}/"

    # The coordinator submits the draft.
    coordinator = new_page()
    sign_in(coordinator, people.coordinator.username, language)
    coordinator.goto(url)
    submit = coordinator.locator(f"#lifecycle-actions form[action$='/{agreement.pk}/move/submit/']")
    submit.locator("textarea[name=comment]").fill("Ready for review")
    with coordinator.expect_navigation():
        submit.locator("button[type=submit]").click()
    expect(state_badge(coordinator)).to_have_class(re.compile(r"\bstate-under_review\b"))
    expect(coordinator.locator("#case-approval li[data-state=open]")).to_contain_text(
        "International Office review"
    )

    # It waits in the officer's inbox; the officer returns it with a comment on the description.
    officer = new_page()
    sign_in(officer, people.officer.username, language)
    open_from_inbox(officer, agreement, "International Office review", language)
    # While the chain runs, approving the whole agreement by hand is not offered, and the page says why.
    expect(officer.locator("#lifecycle-actions [data-move=approve] button[disabled]")).to_have_count(1)
    decide(officer, "return", RETURN_COMMENT, description="Give the number of places.")
    expect(state_badge(officer)).to_have_class(re.compile(r"\bstate-draft\b"))

    # The coordinator reads why, corrects the draft and submits it again.
    coordinator.goto(url)
    latest = coordinator.locator("#transitions ol.timeline > li").first
    expect(latest.locator("q")).to_have_text(RETURN_COMMENT)
    expect(latest).to_contain_text("Give the number of places.")
    follow(
        coordinator,
        coordinator.locator(f"a[href$='/agreements/{agreement.pk}/edit/']"),
        re.compile(r"/edit/$"),
    )
    coordinator.fill("#id_description", "Five students each way every year.")
    follow(coordinator, coordinator.locator("main form button[type=submit]"), re.compile(rf"{url}$"))
    submit = coordinator.locator(f"#lifecycle-actions form[action$='/{agreement.pk}/move/submit/']")
    with coordinator.expect_navigation():
        submit.locator("button[type=submit]").click()
    expect(state_badge(coordinator)).to_have_class(re.compile(r"\bstate-under_review\b"))

    # Each step approves: the office, then the university leader.
    officer.goto("/")
    open_from_inbox(officer, agreement, "International Office review", language)
    decide(officer, "approve", "The office agrees.")
    expect(officer.locator("#case-approval li[data-state=open]")).to_contain_text("University leader")
    expect(officer.locator("nav.mainnav a[data-nav=inbox] .badge.count")).to_have_count(0)

    leader = new_page()
    sign_in(leader, people.leadership.username, language)
    open_from_inbox(leader, agreement, "University leader", language)
    decide(leader, "approve", "Approved.")
    expect(state_badge(leader)).to_have_class(re.compile(r"\bstate-approved\b"))
    expect(state_badge(leader)).to_have_text(translated("Approved", language))

    # The history shows the review step by step, newest first.
    officer.goto(url)
    actions = officer.locator("#transitions ol.timeline > li").evaluate_all(
        "items => items.map(i => i.dataset.action)"
    )
    assert actions == ["approve", "step_approve", "step_approve", "submit", "return", "step_return", "submit"]
    agreement.refresh_from_db()
    assert agreement.state == "approved" and agreement.description == "Five students each way every year."

    # The officer activates the signed agreement; its generated PDF verifies through its QR address.
    activate = officer.locator(f"#lifecycle-actions form[action$='/{agreement.pk}/move/activate/']")
    with officer.expect_navigation():
        activate.locator("button[type=submit]").click()
    expect(state_badge(officer)).to_have_class(re.compile(r"\bstate-active\b"))
    check_generated_pdf_verifies(new_page, officer, agreement)
