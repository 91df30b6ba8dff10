"""Passport and trip-report clocks: opened and closed from the data by the sync, each rung sent once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from meridian.clocks import calendar
from meridian.clocks.models import Obligation, ObligationEvent
from meridian.clocks.services import clocks_run, clocks_sync
from meridian.core.errors import PermissionDeniedError
from meridian.travel.deadlines import PASSPORT_LADDER, PASSPORT_RULE, REPORT_LADDER, REPORT_RULE
from meridian.travel.services import custody, reports
from meridian.travel.tests.test_custody import authorised_trip, holder_in, item_for
from meridian.travel.tests.test_reports import returned_trip

TODAY = timezone.localdate


@pytest.fixture
def issued(org, people):
    """An official passport of a computing lecturer (account ``staff``) issued for a trip leaving soon."""
    holder = holder_in(org.computing, user=people.staff)
    item = item_for(holder, people.officer)
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=2)
    return custody.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())


def clock(subject, rule) -> Obligation:
    return Obligation.objects.get(object_id=subject.pk, rule=rule)


def sent(obligation) -> list[tuple[str, str]]:
    return list(
        ObligationEvent.objects.filter(obligation=obligation, kind__in=["reminder", "escalation"])
        .order_by("id")
        .values_list("kind", "audience")
    )


def test_the_ladders_warn_the_holder_then_the_unit_then_the_office():
    assert [s.audience for s in PASSPORT_LADDER] == ["responsible", "unit", "office"]
    assert [s.audience for s in REPORT_LADDER] == ["responsible", "unit", "office"]
    assert [s.offset for s in PASSPORT_LADDER] == sorted(s.offset for s in PASSPORT_LADDER)


def test_an_issued_passport_gets_a_clock_that_closes_when_it_is_back(issued, people, org):
    clocks_sync(rule=PASSPORT_RULE)
    clocks_sync(rule=PASSPORT_RULE)  # idempotent
    obligation = clock(issued, PASSPORT_RULE)
    assert obligation.due_at == calendar.day_end(issued.due_back_on)
    assert (obligation.responsible, obligation.unit, obligation.state) == (
        people.staff,
        org.computing,
        "open",
    )
    assert obligation.title == "Return the official or service passport of WANG Wu to the office"
    custody.custody_return(item=issued, actor=people.officer)
    # Met by the return itself, not only at the next sync (which then has nothing left to close).
    assert clock(issued, PASSPORT_RULE).state == "met"
    assert clocks_sync(rule=PASSPORT_RULE).met == 0
    assert clock(issued, PASSPORT_RULE).state == "met"


def test_a_draft_report_gets_a_clock_for_the_applicant_met_on_submission(org, people):
    trip = returned_trip(org, people)
    report = reports.report_prepare(trip=trip, actor=people.staff)
    assert clocks_sync(rule=REPORT_RULE).opened == 1
    obligation = clock(trip, REPORT_RULE)
    assert report.due_on is not None
    assert obligation.due_at == calendar.day_end(report.due_on)
    assert (obligation.responsible, obligation.unit) == (people.staff, org.computing)
    assert obligation.title == f"Submit the trip report of {trip.number}"
    type(report).objects.filter(pk=report.pk).update(state="submitted")
    assert clocks_sync(rule=REPORT_RULE).met == 1


def test_each_rung_of_the_passport_clock_goes_out_exactly_once(issued, people):
    clocks_sync(rule=PASSPORT_RULE)
    obligation = clock(issued, PASSPORT_RULE)
    due = obligation.due_at
    hour = datetime.timedelta(hours=1)
    # Two days before: the holder; a second run at the same time sends nothing more.
    assert clocks_run(now=due - datetime.timedelta(days=2) + hour).sent == 1
    assert clocks_run(now=due - datetime.timedelta(days=2) + hour).sent == 0
    assert sent(obligation) == [("reminder", "responsible")]
    # On the due time: the unit's secretary (coordinators of computing: engineering's coordinator).
    assert clocks_run(now=due + hour).sent == 1
    assert clocks_run(now=due + 2 * hour).sent == 0
    # Three days late: the office.
    assert clocks_run(now=due + datetime.timedelta(days=3) + hour).sent == 1
    assert clocks_run(now=due + datetime.timedelta(days=3) + hour).sent == 0
    assert sent(obligation) == [
        ("reminder", "responsible"),
        ("escalation", "unit"),
        ("escalation", "office"),
    ]
    unit_step = ObligationEvent.objects.get(obligation=obligation, audience="unit")
    assert "coordinator@meridian.example" in unit_step.recipients
    office_step = ObligationEvent.objects.get(obligation=obligation, audience="office")
    assert "officer@meridian.example" in office_step.recipients


def test_the_clock_is_missed_after_the_grace_period(issued):
    clocks_sync(rule=PASSPORT_RULE)
    obligation = clock(issued, PASSPORT_RULE)
    result = clocks_run(now=obligation.due_at + datetime.timedelta(days=15))
    # A run after a long pause sends only the latest due rung of each audience, then marks the clock missed.
    assert result.missed == 1
    assert clock(issued, PASSPORT_RULE).state == "missed"


# --- closed at once by the services, not only by the next sync ---------------------------------------------


def test_the_passport_page_stops_showing_the_clock_once_the_return_is_recorded(client, issued, people):
    from django.urls import reverse

    clocks_sync(rule=PASSPORT_RULE)
    type(issued).objects.filter(pk=issued.pk).update(due_back_on=TODAY() - datetime.timedelta(days=1))
    clocks_sync(rule=PASSPORT_RULE)  # the due date moved: the open clock is overdue now
    client.force_login(people.officer)
    url = reverse("travel:custody_detail", args=[issued.pk])
    assert "Return the official or service passport of WANG Wu" in client.get(url).content.decode()
    client.post(reverse("travel:custody_action", args=[issued.pk, "return"]), {"on": TODAY().isoformat()})
    issued.refresh_from_db()
    assert issued.state == "in_custody"
    assert clock(issued, PASSPORT_RULE).state == "met"
    assert "Return the official or service passport of WANG Wu" not in client.get(url).content.decode()


def test_a_passport_reported_lost_meets_its_clock_at_once(issued, people):
    clocks_sync(rule=PASSPORT_RULE)
    custody.custody_lost(item=issued, actor=people.officer, note="Stolen in Frankfurt")
    obligation = clock(issued, PASSPORT_RULE)
    assert obligation.state == "met"
    assert obligation.note == "The document is back in custody, cancelled or reported lost."


def test_cancelling_a_document_meets_a_clock_left_open(issued, people):
    """A return recorded before clocks were closed at once left the clock open until the sync: cancelling
    the document closes it too."""
    clocks_sync(rule=PASSPORT_RULE)
    type(issued).objects.filter(pk=issued.pk).update(state="in_custody", due_back_on=None)
    assert clock(issued, PASSPORT_RULE).state == "open"
    custody.custody_cancel(item=issued, actor=people.officer, note="Holder retired")
    assert clock(issued, PASSPORT_RULE).state == "met"


def test_a_refused_movement_leaves_the_clock_open(issued, people):
    clocks_sync(rule=PASSPORT_RULE)
    with pytest.raises(PermissionDeniedError):
        custody.custody_return(item=issued, actor=people.staff)
    assert clock(issued, PASSPORT_RULE).state == "open"


def test_submitting_the_report_meets_its_clock_at_once(org, people):
    from meridian.travel.tests.test_reports import complete

    trip = returned_trip(org, people)
    report = reports.report_prepare(trip=trip, actor=people.staff)
    clocks_sync(rule=REPORT_RULE)
    assert clock(trip, REPORT_RULE).state == "open"
    reports.report_submit(report=complete(report, people.staff), actor=people.staff)
    obligation = clock(trip, REPORT_RULE)
    assert obligation.state == "met" and obligation.note == "The trip report was submitted."
    assert clocks_sync(rule=REPORT_RULE).met == 0


def test_accepting_the_report_meets_a_clock_left_open(client, org, people):
    """A report submitted before clocks were closed at once: its acceptance closes the clock, and the trip
    page no longer shows "Submit the trip report … overdue"."""
    from django.urls import reverse

    from meridian.travel.tests.test_reports import complete

    trip = returned_trip(org, people)
    report = complete(reports.report_prepare(trip=trip, actor=people.staff), people.staff)
    clocks_sync(rule=REPORT_RULE)
    type(report).objects.filter(pk=report.pk).update(state="submitted")  # as the old code left it
    report.refresh_from_db()
    client.force_login(people.officer)
    title = f"Submit the trip report of {trip.number}"
    assert title in client.get(trip.get_absolute_url()).content.decode()
    client.post(reverse("travel:report_review", args=[trip.pk, "accept"]))
    report.refresh_from_db()
    assert report.state == "accepted"
    assert clock(trip, REPORT_RULE).state == "met"
    assert title not in client.get(trip.get_absolute_url()).content.decode()
