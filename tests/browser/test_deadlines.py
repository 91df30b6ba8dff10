"""Deadline clock of an agreement, in English and in Simplified Chinese: an agreement 29 days from its end has
an open renewal clock, shown on its page and in the deadlines view, and the escalation to the unit's
coordinator is e-mailed once although the clock job runs twice."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from meridian.agreements.tests.factories import AgreementFactory
from meridian.clocks.models import Obligation
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from tests.browser.helpers import follow, sign_in, switch_language, translated


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_agreement_ending_in_29_days_has_a_clock_and_escalates_once(page: Page, people, org, language):
    partner = PartnerFactory(
        name="Universität Heidelberg",
        name_en="Heidelberg University",
        country=country("DE", "Germany", "德国"),
    )
    agreement = AgreementFactory(
        state="active",
        responsible_unit=org.computing,
        partners=[partner],
        home_coordinator=people.staff,
        start_date=date(2024, 1, 1),
        end_date=timezone.localdate() + timedelta(days=29),
    )

    # The clock job, run twice (the scheduler and a person running the command by hand, say).
    call_command("send-reminders")
    call_command("send-reminders")
    clock = Obligation.objects.get(object_id=agreement.pk, rule="agreements.renewal")
    assert clock.state == "open"
    escalations = [m for m in mail.outbox if m.to == ["coordinator@meridian.example"]]
    assert len(escalations) == 1, [m.subject for m in mail.outbox]
    assert agreement.number in escalations[0].subject
    assert len([m for m in mail.outbox if m.to == ["staff@meridian.example"]]) == 1  # the reminder

    sign_in(page, people.officer.username)
    if language != "en":
        switch_language(page, language)

    # The agreement's page shows its open clock.
    page.goto(agreement.get_absolute_url())
    panel = page.locator("#clocks")
    expect(panel.locator("h2")).to_have_text(translated("Open deadlines", language))
    expect(panel).to_contain_text(agreement.number)

    # The deadlines view lists it, soonest first, with the agreement it belongs to.
    page.goto("/deadlines/")
    expect(page.locator("h1")).to_have_text(translated("Deadlines", language))
    row = page.locator("#deadlines tbody tr", has_text=agreement.number)
    expect(row).to_have_count(1)

    # Its own page shows the escalation to the coordinator in the log, once.
    follow(page, row.locator("td:nth-child(2) a"), re.compile(rf"/deadlines/{clock.pk}/$"))
    log = page.locator("#log-title + table")
    expect(log.locator("tr", has_text="coordinator@meridian.example")).to_have_count(1)
    expect(log.locator("tr", has_text="staff@meridian.example")).to_have_count(1)
