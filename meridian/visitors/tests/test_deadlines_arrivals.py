"""Registration clocks: opened and closed from the data by the sync, the expected arrival that passes, and the
ladder (host, then the unit, then the office)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from meridian.clocks import calendar
from meridian.clocks.models import Obligation, ObligationEvent
from meridian.clocks.services import clocks_run, clocks_sync
from meridian.visitors.choices import RegistrationReason
from meridian.visitors.deadlines import (
    DOCUMENT_LADDER,
    DOCUMENT_RULE,
    EXPECTED_ARRIVAL_KEY,
    REGISTRATION_LADDER,
    REGISTRATION_RULE,
    arrival_clocks_sync,
)
from meridian.visitors.services import arrivals
from meridian.visitors.tests.factories_arrivals import arriving_visit, open_registration
from meridian.workflow.services import case_move


def clock(subject, rule=REGISTRATION_RULE) -> Obligation:
    return Obligation.objects.get(
        object_id=subject.pk, rule=rule, content_type__model=subject._meta.model_name
    )


def test_the_ladders_warn_the_host_then_the_unit_then_the_office():
    for ladder in (REGISTRATION_LADDER, DOCUMENT_LADDER):
        assert [s.audience for s in ladder] == ["responsible", "unit", "office"]
        assert [s.offset for s in ladder] == sorted(s.offset for s in ladder)
    assert {s.unit for s in REGISTRATION_LADDER} == {"hours"}
    assert {s.unit for s in DOCUMENT_LADDER} == {"days"}


def test_the_sync_opens_a_clock_for_an_open_registration_and_meets_it_once_done(org, people):
    visit = arriving_visit(org, people, state="arrived")
    registration = open_registration(visit.guests.get())
    assert clocks_sync(rule=REGISTRATION_RULE).opened == 1
    assert clocks_sync(rule=REGISTRATION_RULE).opened == 0  # idempotent
    obligation = clock(registration)
    assert (obligation.state, obligation.due_at) == ("open", registration.due_at)
    assert (obligation.responsible, obligation.unit) == (people.staff, org.computing)
    type(registration).objects.filter(pk=registration.pk).update(state="registered")
    assert clocks_sync(rule=REGISTRATION_RULE).met == 1
    assert clock(registration).state == "met"


def test_a_new_document_registration_runs_the_10_day_clock(org, people):
    visit = arriving_visit(org, people, state="arrived")
    registration = open_registration(visit.guests.get(), reason=RegistrationReason.NEW_DOCUMENT, due_in=200)
    report = arrival_clocks_sync()
    assert report.opened == 1
    assert clock(registration, DOCUMENT_RULE).state == "open"
    assert not Obligation.objects.filter(rule=REGISTRATION_RULE, object_id=registration.pk).exists()


def test_an_expected_arrival_that_passed_opens_the_hosts_obligation(org, people):
    visit = arriving_visit(org, people, days_ago=1)
    not_yet = arriving_visit(org, people)  # expected today: the day is not over
    draft = arriving_visit(org, people, state="draft", days_ago=3)
    assert clocks_sync(rule=REGISTRATION_RULE).opened == 1
    obligation = clock(visit)
    assert obligation.key == EXPECTED_ARRIVAL_KEY
    assert obligation.due_at == calendar.day_end(visit.arrive_on) + datetime.timedelta(hours=24)
    assert (obligation.responsible, obligation.unit) == (people.staff, org.computing)
    assert obligation.title == (
        f"Record the arrival of the guests of {visit.number} and register them with the police"
    )
    for other in (not_yet, draft):
        assert not Obligation.objects.filter(object_id=other.pk, rule=REGISTRATION_RULE).exists()
    # Recording the arrival meets it at once and opens the guest's own registration clock.
    case_move(case=visit, actor=people.staff, move="arrive")
    assert clock(visit).state == "met"
    registration = visit.guests.get().registrations.get()
    assert clock(registration).state == "open"
    assert clocks_sync(rule=REGISTRATION_RULE).met == 0


def test_an_expected_arrival_clock_closes_when_the_visit_is_cancelled(org, people):
    visit = arriving_visit(org, people, days_ago=2)
    clocks_sync(rule=REGISTRATION_RULE)
    type(visit).objects.filter(pk=visit.pk).update(state="cancelled")
    assert clocks_sync(rule=REGISTRATION_RULE).met == 1
    assert clock(visit).state == "met"


def test_each_rung_goes_out_once_to_the_right_people(org, people):
    visit = arriving_visit(org, people)
    case_move(case=visit, actor=people.staff, move="arrive")
    registration = visit.guests.get().registrations.get()
    obligation = clock(registration)
    due = registration.due_at

    def sent():
        return list(
            ObligationEvent.objects.filter(obligation=obligation, kind__in=["reminder", "escalation"])
            .order_by("id")
            .values_list("kind", "audience", "recipients")
        )

    clocks_run(now=due - datetime.timedelta(hours=7))
    assert sent() == []
    clocks_run(now=due - datetime.timedelta(hours=5))
    clocks_run(now=due - datetime.timedelta(hours=4))
    assert sent() == [("reminder", "responsible", "staff@meridian.example")]
    clocks_run(now=due + datetime.timedelta(minutes=1))
    assert sent()[-1][:2] == ("escalation", "unit")
    assert "coordinator@meridian.example" in sent()[-1][2]
    clocks_run(now=due + datetime.timedelta(hours=13))
    assert sent()[-1][:2] == ("escalation", "office")
    assert len(sent()) == 3


def test_registration_done_after_the_due_time_still_meets_an_open_clock(org, people):
    visit = arriving_visit(org, people, state="arrived")
    registration = open_registration(visit.guests.get(), hours_ago=30, due_in=-6)
    clocks_sync(rule=REGISTRATION_RULE)
    assert clock(registration).state == "open"
    arrivals.registration_mark_done(
        registration=registration, registered_at=timezone.now(), actor=people.staff
    )
    assert clock(registration).state == "met"


@pytest.mark.parametrize("state", ["approved", "invitation_issued", "visa_confirmed"])
def test_every_state_still_expecting_the_guests_counts(org, people, state):
    visit = arriving_visit(org, people, state=state, days_ago=2)
    clocks_sync(rule=REGISTRATION_RULE)
    assert clock(visit).state == "open"
