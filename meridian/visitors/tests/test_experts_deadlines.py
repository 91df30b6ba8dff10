"""The expert clocks: permit application 3 months before the start, residence permit 30 days after entry,
changes within 10 working days (a Chinese public holiday in between), renewal one month before the end; each
opens from the data and is met when the step is recorded."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from meridian.clocks.choices import ObligationState
from meridian.clocks.models import Obligation
from meridian.visitors.casework_experts import evaluation_date
from meridian.visitors.deadlines_experts import (
    CHANGE,
    PERMIT,
    RENEWAL,
    RESIDENCE,
    change_due,
    expert_clocks_sync,
)
from meridian.visitors.models import ExpertHiring
from meridian.visitors.services import experts as services
from meridian.visitors.tests.factories_experts import hiring_for, publish

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 9, 1)


def clocks(hiring: ExpertHiring, rule: str) -> dict[str, Obligation]:
    rows = Obligation.objects.filter(
        content_type=ContentType.objects.get_for_model(ExpertHiring), object_id=hiring.pk, rule=rule
    )
    return {o.key: o for o in rows}


def due(obligation: Obligation) -> datetime.date:
    return timezone.localtime(obligation.due_at).date()


def test_permit_application_is_due_three_months_before_the_start_and_met_when_applied(org, people):
    hiring = hiring_for(org, people, contract_starts_on=START, contract_ends_on=START + timedelta(days=700))
    expert_clocks_sync(today=datetime.date(2026, 3, 1))
    (clock,) = clocks(hiring, PERMIT).values()
    assert due(clock) == START - timedelta(days=90) and clock.state == ObligationState.OPEN
    assert clock.responsible == people.staff and clock.unit == org.computing
    ExpertHiring.objects.filter(pk=hiring.pk).update(
        state="permit_applied", permit_applied_on=datetime.date(2026, 3, 2)
    )
    expert_clocks_sync(today=datetime.date(2026, 3, 2))
    clock.refresh_from_db()
    assert clock.state == ObligationState.MET


def test_the_permit_lead_time_is_a_parameter(org, people):
    hiring = hiring_for(org, people, contract_starts_on=START, contract_ends_on=START + timedelta(days=700))
    publish(people.admin, "deadlines", permit_lead_days=120)
    expert_clocks_sync(today=datetime.date(2026, 3, 1))
    (clock,) = clocks(hiring, PERMIT).values()
    assert due(clock) == START - timedelta(days=120)


def test_residence_permit_is_due_30_days_after_entry_and_met_when_recorded(org, people):
    entered = datetime.date(2026, 3, 10)
    hiring = hiring_for(org, people, state="arrived", entered_on=entered, permit_applied_on=entered)
    expert_clocks_sync(today=entered)
    (clock,) = clocks(hiring, RESIDENCE).values()
    assert due(clock) == entered + timedelta(days=30) and clock.key == entered.isoformat()
    assert clocks(hiring, PERMIT) == {}
    with evaluation_date(datetime.date(2026, 3, 20)):
        services.expert_move(
            hiring=hiring,
            actor=people.staff,
            move="residence_permit",
            data={"residence_permit_on": "2026-03-20", "residence_permit_expires_on": "2027-03-19"},
        )
    expert_clocks_sync(today=datetime.date(2026, 3, 20))
    clock.refresh_from_db()
    assert clock.state == ObligationState.MET


def test_a_change_is_due_in_10_working_days_across_the_national_day_holiday():
    # 2024: 1–7 October off, Sunday 29 September and Saturday 12 October worked (调休).
    assert change_due(datetime.date(2024, 9, 27)) == datetime.date(2024, 10, 16)
    # Without a holiday: two calendar weeks.
    assert change_due(datetime.date(2024, 11, 1)) == datetime.date(2024, 11, 15)


def test_a_reported_change_opens_its_clock_and_the_report_meets_it(org, people):
    hiring = hiring_for(org, people, state="employed", entered_on=datetime.date(2024, 3, 1))
    with evaluation_date(datetime.date(2024, 9, 30)):
        change = services.expert_change_report(
            hiring=hiring,
            actor=people.staff,
            kind="passport",
            description="New passport",
            happened_on=datetime.date(2024, 9, 27),
        )
    assert change.due_on == datetime.date(2024, 10, 16)
    expert_clocks_sync(today=datetime.date(2024, 9, 30))
    clock = clocks(hiring, CHANGE)[f"change:{change.pk}"]
    assert due(clock) == datetime.date(2024, 10, 16) and clock.state == ObligationState.OPEN
    with evaluation_date(datetime.date(2024, 10, 9)):
        services.expert_change_mark_reported(
            change=change, actor=people.coordinator, reported_on=datetime.date(2024, 10, 9)
        )
    expert_clocks_sync(today=datetime.date(2024, 10, 9))
    clock.refresh_from_db()
    assert clock.state == ObligationState.MET


def test_renewal_is_due_a_month_before_the_earlier_end_and_met_when_started(org, people):
    hiring = hiring_for(
        org,
        people,
        state="employed",
        contract_starts_on=datetime.date(2025, 9, 1),
        contract_ends_on=datetime.date(2027, 8, 31),
        permit_expires_on=datetime.date(2026, 12, 31),
        entered_on=datetime.date(2025, 8, 20),
    )
    expert_clocks_sync(today=datetime.date(2026, 3, 1))
    (clock,) = clocks(hiring, RENEWAL).values()
    assert due(clock) == datetime.date(2026, 12, 1) and clock.key == "2026-12-31"
    services.expert_move(hiring=hiring, actor=people.staff, move="start_renewal")
    expert_clocks_sync(today=datetime.date(2026, 3, 1))
    clock.refresh_from_db()
    assert clock.state == ObligationState.MET


def test_clock_sync_is_idempotent_and_closed_cases_have_none(org, people):
    hiring = hiring_for(org, people, contract_starts_on=START, contract_ends_on=START + timedelta(days=700))
    first = expert_clocks_sync(today=datetime.date(2026, 3, 1))
    second = expert_clocks_sync(today=datetime.date(2026, 3, 1))
    assert first.opened >= 1 and second.opened == 0
    ExpertHiring.objects.filter(pk=hiring.pk).update(state="cancelled")
    expert_clocks_sync(today=datetime.date(2026, 3, 1))
    assert all(o.state == ObligationState.MET for o in clocks(hiring, PERMIT).values())


def test_the_residence_reminder_repeats_the_visa_warning(org, people):
    from meridian.clocks.services import clocks_run
    from meridian.core.models import Notification

    entered = datetime.date(2026, 3, 10)
    hiring = hiring_for(org, people, state="arrived", entered_on=entered)
    expert_clocks_sync(today=entered)
    clocks_run(now=timezone.make_aware(datetime.datetime(2026, 3, 31, 9, 0)))
    note = Notification.objects.filter(verb__startswith="clocks.", recipient=people.staff).first()
    assert note is not None and "voids the visa" in note.body and hiring.number in note.subject
