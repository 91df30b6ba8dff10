"""Factories of the official-travel tests. ``make_trip`` builds a complete trip (leader, itinerary, budget)
directly in the database, in any state, without running the services (tests of moves use the services)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import cast

import factory

from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.travel.choices import BudgetKind, DelegationKind, FundingSource, MemberRole, Purpose
from meridian.travel.models import BudgetLine, ItineraryItem, Trip, TripMember


class TripFactory(factory.django.DjangoModelFactory):
    """Needs ``unit`` and ``applicant``."""

    class Meta:
        model = Trip

    # A year no service numbers in (services number by the trip's year), so factory trips never take a number
    # a test then files through the services.
    number = factory.Sequence(lambda n: f"TRV-2099-{n:04d}")
    title = factory.Sequence(lambda n: f"Conference trip {n}")
    purpose = Purpose.CONFERENCE
    delegation_kind = DelegationKind.ACADEMIC
    task = "Present a paper at the conference and meet partners."
    paper_title = "Graph learning for power grids"
    conference_name = "International Conference on Machine Learning"
    depart_on = datetime.date(2027, 3, 1)
    return_on = datetime.date(2027, 3, 5)
    inviter_name = "Heidelberg University"
    funding_source = FundingSource.UNIT_BUDGET
    state = "draft"


def germany():
    return country("DE", "Germany", "德国", region_code="150", region_en="Europe", region_zh="欧洲")


def make_trip(
    *,
    unit,
    applicant,
    state: str = "draft",
    leader=None,
    members: int = 0,
    destination=None,
    **fields,
) -> Trip:
    """A trip of ``unit`` filed by ``applicant`` with a leader (a staff Person of the unit, or ``leader``),
    ``members`` more members, one itinerary day per trip day in ``destination`` (Germany) and a budget."""
    trip = cast(
        Trip, TripFactory(unit=unit, applicant=applicant, created_by=applicant, state=state, **fields)
    )
    place = destination or germany()
    leader = leader or make_person(kind=PersonKind.STAFF, unit=unit, family_name="Zhang", given_name="San")
    TripMember.objects.create(trip=trip, person=leader, role=MemberRole.LEADER, unit=unit, post="Professor")
    for i in range(members):
        person = make_person(kind=PersonKind.STAFF, unit=unit, family_name=f"Li{i}", given_name="Si")
        TripMember.objects.create(trip=trip, person=person, role=MemberRole.MEMBER, unit=unit, order=i + 1)
    day = trip.depart_on
    while day <= trip.return_on:
        ItineraryItem.objects.create(
            trip=trip, day=day, country=place, city="Heidelberg", activity="Programme"
        )
        day += datetime.timedelta(days=1)
    BudgetLine.objects.create(trip=trip, kind=BudgetKind.TRAVEL, amount=Decimal("9000"), persons=1 + members)
    return trip
