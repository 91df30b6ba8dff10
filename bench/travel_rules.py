"""Rule evaluation of official travel: every rule of the current rule set on a 6-person, 3-country trip
(target p95 < 20 ms), next to the bare view's time.

The trip is added to the bench database once (number ``TRV-BENCH-RULES``): six people of one unit, each with
an official passport, an itinerary through three countries, a budget with accommodation, meals and
incidentals, and the spending standards and exchange rates the budget rule compares with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

NUMBER = "TRV-BENCH-RULES"
TARGET_MS = 20.0
SCENARIO = "travel rules (6 people, 3 countries)"
COUNTRIES = (("DE", "Berlin"), ("FR", "Paris"), ("IT", "Rome"))


def ensure_rule_trip(*, say: Callable[[str], None]) -> int:
    """Make sure the bench trip exists; returns its id."""
    from meridian.travel.models import Trip

    trip = Trip.objects.filter(number=NUMBER).first()
    if trip is not None:
        say("Travel rules: the bench trip is ready (built earlier).")
        return trip.pk
    say("Travel rules: building the bench trip ...")
    return _build()


@transaction.atomic
def _build() -> int:
    from meridian.accounts.models import OrgUnit, User
    from meridian.people.models import IdentityDocument, Person
    from meridian.reference.models import Country
    from meridian.travel.models import (
        BudgetLine,
        CountryStandard,
        ExchangeRate,
        ItineraryItem,
        Trip,
        TripMember,
    )

    unit = OrgUnit.objects.order_by("pk").last()
    applicant = User.objects.order_by("pk").first()
    depart = date.today() + timedelta(days=120)
    trip = Trip.objects.create(
        number=NUMBER,
        title="Bench delegation",
        unit=unit,
        applicant=applicant,
        delegation_kind="administrative",
        purpose="negotiation",
        task="Negotiate three agreements.",
        depart_on=depart,
        return_on=depart + timedelta(days=9),
        inviter_name="Bench partner",
        funding_source="unit_budget",
    )
    china = Country.objects.filter(code="CN").first() or Country.objects.order_by("code").first()
    for i in range(6):
        person = Person.objects.create(kind="staff", family_name=f"Bench{i}", given_name="Rules", unit=unit)
        TripMember.objects.create(
            trip=trip,
            person=person,
            role="leader" if i == 0 else "member",
            unit=unit,
            order=i,
            is_unit_leader=i < 2,
        )
        IdentityDocument.objects.create(
            person=person,
            kind="official_passport",
            number=f"E{i:08d}",
            issuing_country=china,
            expiry_date=depart + timedelta(days=800),
        )
    for day in range(10):
        code, city = COUNTRIES[min(day // 4, 2)]
        ItineraryItem.objects.create(
            trip=trip, day=depart + timedelta(days=day), country_id=code, city=city, order=day
        )
    ExchangeRate.objects.get_or_create(
        currency="EUR", valid_from=date(2020, 1, 1), defaults={"cny_per_unit": 8}
    )
    for code, _city in COUNTRIES:
        CountryStandard.objects.get_or_create(
            country_id=code,
            city="",
            valid_from=date(2020, 1, 1),
            defaults={"currency": "EUR", "accommodation": 150, "meals": 60, "incidentals": 25},
        )
        for kind, amount in (("accommodation", "6000"), ("meals", "2400"), ("incidentals", "1000")):
            BudgetLine.objects.create(
                trip=trip,
                kind=kind,
                country_id=code,
                currency="CNY",
                amount=Decimal(amount),
                persons=6,
                days=1,
            )
    return trip.pk


def rule_scenarios(*, scenario, error, target_ms: float = TARGET_MS) -> list:
    """Evaluating every rule on the bench trip (facts loaded from the database each time, nothing stored).

    ``scenario`` and ``error`` are bench.run's Scenario and BenchError (passed in: run.py runs as __main__).
    """
    from meridian.travel.models import Trip
    from meridian.travel.rules import trip_check

    trip = Trip.objects.filter(number=NUMBER).first()
    if trip is None:
        raise error("The bench trip is missing: call ensure_rule_trip first.")

    def run() -> None:
        results = trip_check(trip=trip, save=False)
        if len(results) < 10:
            raise error(f"Only {len(results)} rules were evaluated.")

    return [scenario(SCENARIO, target_ms, run)]


def report_ratio(results, out) -> None:
    """The rule evaluation's p95 as a multiple of the bare view's, measured in the same run."""
    bare = next((r for r in results if r.target_ms is None and "bare" in r.name), None)
    mine = next((r for r in results if r.name == SCENARIO), None)
    if bare is None or mine is None or bare.p95 <= 0:
        return
    out.write(
        f"{mine.name}: p95 {mine.p95:.1f} ms = {mine.p95 / bare.p95:.1f}× the bare view ({bare.p95:.1f} ms)\n"
    )
