"""A lifecycle panel offers only the moves that can be made now and says for the others what is missing; its
comment boxes are labelled; the change history reads in the reader's language (Chinese here).

The officer opens an open-ended agreement in force: "Mark as expired" is shown disabled, with the reason the
workflow's guard gives, and no form to submit; the moves that can be made are forms with labelled comments.
On a partner's page, whose status, public flag and
parent organisation the officer changed, the history names the fields by their Chinese labels, shows the
choices and Yes/No in Chinese, the parent by its Chinese name, the time to the minute, and no internal column.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from conftest import PASSWORD
from meridian.agreements import services as agreement_services
from meridian.agreements.choices import AgreementState
from meridian.agreements.models import Agreement
from meridian.partners import services as partner_services
from meridian.reference.tests.factories import country
from tests.browser.helpers import switch_language

LANGUAGE = "zh-hans"


def sign_in(page, username: str) -> None:
    """Sign in through the login form, wherever the role lands, then choose Chinese in the top bar."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url=lambda url: "/accounts/login/" not in url):
        page.click("main form button[type=submit]")
    switch_language(page, LANGUAGE)


@pytest.fixture
def records(org, people):
    germany = country("DE", "Germany", "德国", region_code="150", region_en="Europe")
    parent = partner_services.partner_create(
        actor=people.officer, name="Baden-Württemberg Stiftung", name_zh="巴登-符腾堡基金会", country=germany
    )
    partner = partner_services.partner_create(
        actor=people.officer, name="Universität Heidelberg", name_en="Heidelberg University",
        name_zh="海德堡大学", country=germany, status="prospect",
    )  # fmt: skip
    partner_services.partner_update(
        partner=partner, actor=people.officer, expected_version=1, status="active", is_public=True,
        parent=parent, cooperating_since=date(2020, 9, 1),
    )  # fmt: skip
    agreement = agreement_services.agreement_create(
        actor=people.officer,
        partners=[partner],
        channels=["student_exchange"],
        title_en="Student exchange with Heidelberg University",
        kind="student_exchange",
        responsible_unit=org.computing,
        start_date=date(2025, 9, 1),
    )
    # An open-ended agreement in force (its review is not what this test is about).
    Agreement.objects.filter(pk=agreement.pk).update(state=AgreementState.ACTIVE)
    return partner, agreement


@pytest.mark.django_db(transaction=True)
def test_disabled_move_says_why_and_history_reads_in_chinese(page, people, records):
    partner, agreement = records
    sign_in(page, people.officer.username)

    page.goto(f"/agreements/{agreement.pk}/")
    expire = page.locator("#lifecycle-actions [data-move=expire]")
    expect(expire.locator("button[disabled]")).to_have_count(1)
    expect(expire.locator("form")).to_have_count(0)  # not offered as a move that would only be refused
    with translation.override(LANGUAGE):
        why = _("Agreement %(number)s is open-ended and cannot expire; terminate it instead.") % {
            "number": agreement.number
        }
    expect(page.locator("#why-expire")).to_contain_text(why)
    expect(expire.locator("button[disabled]")).to_have_attribute("aria-describedby", "why-expire")
    # The moves that can be made are forms (terminating takes a comment).
    terminate = page.locator("#lifecycle-actions form[data-move=terminate]")
    expect(terminate.locator("textarea[name=comment]")).to_have_count(1)
    # Every comment box on the page has a visible label (or is labelled by another element).
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('textarea')]
              .filter(t => !(t.labels && t.labels.length) && !t.getAttribute('aria-labelledby'))
              .map(t => t.id || t.name)"""
    )
    assert unlabelled == []

    page.goto(f"/partners/{partner.pk}/")
    latest = page.locator("#history ol.timeline > li").first
    expect(latest.locator("time")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    changes = latest.locator("ul.changes")
    expect(changes.locator("li", has_text="合作状态")).to_contain_text("潜在合作")
    expect(changes.locator("li", has_text="合作状态")).to_contain_text("活跃")
    expect(changes.locator("li", has_text="公开显示")).to_contain_text("否")
    expect(changes.locator("li", has_text="公开显示")).to_contain_text("是")
    expect(changes.locator("li", has_text="上级机构")).to_contain_text("巴登-符腾堡基金会")
    expect(changes.locator("li", has_text="合作起始时间")).to_contain_text("2020-09-01")
    text = page.locator("#history").inner_text()
    for internal in ("is_demo", "version", "sort_key", "search_text", "parent_id", "True", "False"):
        assert internal not in text
