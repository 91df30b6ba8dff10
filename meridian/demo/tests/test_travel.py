"""Demo official travel: built with the rest of the demo, twice without error, with trips in every state, an
overdue passport suspending a unit, waiting approval steps in the inbox and a long stay."""

import pytest
from django.db import transaction
from django.utils import timezone

from meridian.demo.travel import SCENARIOS, build_travel, remove_travel
from meridian.travel.choices import CustodyState, TripState

PASSWORD = "demo password for tests"


@pytest.fixture
def demo(demo_world, db):  # `db` keeps every demo test in pytest-django's first group, next to each other
    """The package's demo world: trips as the demo built them, and what a second start printed."""
    return {"first": demo_world.second["trips"], "output": demo_world.again}


def test_trips_in_every_state(demo, db):
    from meridian.travel.models import Trip

    states = set(Trip.objects.filter(is_demo=True).values_list("state", flat=True))
    assert states == set(TripState.values)
    assert Trip.objects.filter(is_demo=True).count() == len(SCENARIOS)


def test_loading_twice_adds_nothing(demo, db):
    from meridian.demo.organisation import build_organisation
    from meridian.travel.models import Trip

    assert "Demo data is present already" in demo["output"]
    summary = build_travel(org=build_organisation(password=PASSWORD), today=timezone.localdate())
    assert summary.trips == 0
    assert sorted(Trip.objects.values_list("number", "state")) == demo["first"]


def test_overdue_passport_suspends_a_unit(demo, db):
    from meridian.travel.models import CustodyItem, Trip
    from meridian.travel.selectors.compliance import unit_suspension_reasons

    today = timezone.localdate()
    returned = Trip.objects.get(is_demo=True, state=TripState.RETURNED)
    late = CustodyItem.objects.filter(trip=returned, state=CustodyState.ISSUED, due_back_on__lt=today)
    assert late.exists()
    assert unit_suspension_reasons(unit_id=returned.unit_id, today=today)
    due_on = returned.report.due_on
    assert returned.report.state == "draft" and due_on is not None and due_on < today
    assert CustodyItem.objects.filter(is_demo=True, state=CustodyState.IN_CUSTODY).count() >= 10


def test_waiting_trips_show_in_the_approvers_inbox(demo, db, client):
    from meridian.accounts.models import User
    from meridian.workflow.selectors import tasks_for

    waiting = [
        (user, task)
        for user in User.objects.filter(username__startswith="demo-")
        for task in tasks_for(user=user).filter(approval__case_type="trip")
    ]
    assert waiting
    user, task = waiting[0]
    client.force_login(user)
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert task.label in page.content.decode()


def test_chains_plans_standards_and_a_long_stay(demo, db):
    from meridian.travel.models import CountryStandard, ExchangeRate, LongStay, TripPlan
    from meridian.workflow.models import ApprovalChain

    trip_chain = ApprovalChain.objects.get(case_type="trip", unit=None, is_active=True)
    assert trip_chain.name_zh == "因公出国（境）审批"
    steps = trip_chain.versions.order_by("-number").first().steps.all()
    assert all(s.label_zh for s in steps)  # every step has its Chinese name
    change = ApprovalChain.objects.get(case_type="trip_change", unit=None, is_active=True)
    assert change.name_zh == "出访变更审批"
    kinds = set(TripPlan.objects.filter(is_demo=True).values_list("unit__code", "kind"))
    assert {("engineering", "general"), ("engineering", "hk_macao"), ("computing", "general")} <= kinds
    assert CountryStandard.objects.filter(country_id="DE").exists()
    assert ExchangeRate.objects.filter(currency="EUR").exists()
    assert LongStay.objects.filter(is_demo=True, state="registered").exists()


def test_closed_trip_went_through_report_and_outcome(demo, db):
    from meridian.travel.models import Trip

    closed = Trip.objects.get(is_demo=True, state=TripState.CLOSED)
    assert closed.report.state == "accepted"
    assert closed.report.photos.count() == 3
    assert closed.outcomes.filter(partner=closed.inviter_partner).exists()
    assert not closed.custody_items.filter(state=CustodyState.ISSUED).exists()


def test_remove_travel_clears_it(demo, db):
    from meridian.travel.models import Trip

    with transaction.atomic():
        remove_travel()
        assert not Trip.objects.filter(is_demo=True).exists()
        transaction.set_rollback(True)
