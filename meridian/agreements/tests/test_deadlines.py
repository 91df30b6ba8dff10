"""The renewal decision clock of agreements: opened and closed from the data, shown on its page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meridian.agreements import services
from meridian.agreements.deadlines import (
    RULE,
    agreements_deadlines_sync,
    agreements_deadlines_task,
    default_ladder,
)
from meridian.clocks import calendar
from meridian.clocks.models import Obligation


@pytest.fixture
def active(make_agreement, people):
    def make(days_left: int, **fields):
        return make_agreement(
            state="active",
            start_date=datetime.date(2024, 1, 1),
            end_date=timezone.localdate() + datetime.timedelta(days=days_left),
            home_coordinator=people.staff,
            **fields,
        )

    return make


def clock(agreement) -> Obligation:
    return Obligation.objects.get(object_id=agreement.pk, rule=RULE)


def test_an_active_agreement_gets_one_renewal_clock_due_at_its_decision_date(active, people, org):
    plain = active(200)
    with_notice = active(200, renewal_notice_days=90)
    agreements_deadlines_sync()
    agreements_deadlines_sync()  # idempotent
    assert Obligation.objects.filter(rule=RULE).count() == 2
    first = clock(plain)
    assert first.due_at == calendar.day_end(plain.end_date)
    assert (first.responsible, first.unit, first.state) == (people.staff, org.computing, "open")
    assert first.title == f"Renewal decision for agreement {plain.number}"
    assert clock(with_notice).due_at == calendar.day_end(with_notice.end_date - datetime.timedelta(days=90))


@pytest.mark.parametrize("move", ["terminate", "renew"])
def test_the_clock_is_met_when_the_agreement_is_terminated_or_renewed(active, people, move):
    agreement = active(100)
    agreements_deadlines_sync()
    if move == "terminate":
        services.agreement_terminate(agreement=agreement, actor=people.officer, comment="Partner closed")
    else:
        services.agreement_renew(agreement=agreement, actor=people.officer)
    notices, result = agreements_deadlines_sync()
    assert (notices, result.met) == (0, 1)
    assert clock(agreement).state == "met"


def test_the_default_ladder_follows_the_reminder_days(settings):
    settings.REMINDER_DAYS = [120, 60, 14]
    assert [(s.offset, s.audience) for s in default_ladder()] == [
        (-120, "responsible"),
        (-60, "responsible"),
        (-14, "responsible"),
        (-14, "unit"),
        (-7, "office"),
    ]


def test_the_agreement_page_shows_its_open_clock(client, people, active):
    agreement = active(29)
    agreements_deadlines_task.enqueue()
    client.force_login(people.coordinator)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Open deadlines" in page
    assert f"Renewal decision for agreement {agreement.number}" in page
    assert reverse("clocks:detail", args=[clock(agreement).pk]) in page
