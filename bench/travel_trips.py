"""The official-trip list on a large case load: 50,000 trips (5,000 with ``--quick``), target p95 < 150 ms.

Trips are spread over every unit, every state and five years of departure dates; each has a leader and one or
two more members (from a pool of bench people), two or three itinerary days in one or two countries and two
budget lines. The scenarios read the list as an officer (every trip) and as a unit coordinator (their units'
trips), cycling through the filters people use, sorting and paging; ``report_trip_ratios`` prints each p95
as a multiple of the bare view's measured in the same run.

Hook into ``bench/run.py``::

    from bench.travel_trips import ensure_trips, report_trip_ratios, trip_scenarios
    ensure_trips(size.name, say=say)
    scenarios += trip_scenarios(
        client, coordinator, scenario=Scenario, error=BenchError, target_ms=PAGE_TARGET_MS
    )
    report_trip_ratios(results, sys.stdout)
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

TRIPS = {"full": 50_000, "quick": 5_000}
PEOPLE = 2_000
NUMBER_PREFIX = "TRV-B"
PERSON_PREFIX = "Benchtraveller"
BATCH = 5000
SCENARIO_PREFIX = "trip list"


def ensure_trips(size_name: str, *, say: Callable[[str], None]) -> int:
    """Make sure the bench database holds exactly the wanted number of bench trips; returns it."""
    from meridian.travel.models import Trip

    wanted = TRIPS[size_name]
    present = Trip.objects.filter(number__startswith=NUMBER_PREFIX).count()
    if present == wanted:
        say(f"Trips: {wanted:,} official trips are ready (built earlier).")
        return wanted
    say(f"Trips: building {wanted:,} official trips ...")
    _build(wanted)
    return wanted


def _people(rng: random.Random, units: list[int]) -> list[tuple[int, int | None]]:
    from meridian.people.models import Person

    existing = list(Person.objects.filter(family_name__startswith=PERSON_PREFIX).values_list("pk", "unit_id"))
    if len(existing) >= PEOPLE:
        return existing
    Person.objects.bulk_create(
        [
            Person(
                kind="staff",
                family_name=f"{PERSON_PREFIX}{i:05d}",
                given_name=rng.choice(["Wei", "Fang", "Min", "Jun", "Lei", "Na"]),
                name_zh=f"出访人员{i}",
                unit_id=rng.choice(units),
            )
            for i in range(len(existing), PEOPLE)
        ],
        batch_size=BATCH,
    )
    return list(Person.objects.filter(family_name__startswith=PERSON_PREFIX).values_list("pk", "unit_id"))


def _delete_old() -> None:
    from meridian.travel.models import BudgetLine, ItineraryItem, Trip, TripMember

    old = Trip.objects.filter(number__startswith=NUMBER_PREFIX)
    TripMember.objects.filter(trip__in=old).delete()
    ItineraryItem.objects.filter(trip__in=old).delete()
    BudgetLine.objects.filter(trip__in=old).delete()
    old.delete()


@transaction.atomic
def _build(n: int) -> None:
    from meridian.accounts.models import OrgUnit, User
    from meridian.reference.models import Country
    from meridian.travel.choices import (
        BudgetKind,
        DelegationKind,
        FundingSource,
        MemberRole,
        Purpose,
        RegionKind,
        TripState,
    )
    from meridian.travel.models import BudgetLine, ItineraryItem, Trip, TripMember

    _delete_old()
    rng = random.Random(2027)
    units = list(OrgUnit.objects.values_list("pk", flat=True))
    users = list(User.objects.filter(username__startswith="demo-").values_list("pk", flat=True))
    countries = list(Country.objects.values_list("code", flat=True)) or []
    if not countries:
        Country.objects.create(code="DE", alpha3="DEU", name_en="Germany", name_zh="德国", region_code="150")
        countries = ["DE"]
    people = _people(rng, units)
    states = [s.value for s in TripState]
    purposes = [p.value for p in Purpose]
    cities = ["Berlin", "Tokyo", "Paris", "Boston", "Sydney", "Nairobi", "Lima", "Seoul"]
    first_day = date(2023, 1, 1)
    for start in range(0, n, BATCH):
        trips = []
        for i in range(start, min(n, start + BATCH)):
            depart = first_day + timedelta(days=rng.randint(0, 5 * 365))
            trips.append(
                Trip(
                    number=f"{NUMBER_PREFIX}-{i:06d}",
                    title=f"Bench trip {i} to {rng.choice(cities)}",
                    unit_id=rng.choice(units),
                    applicant_id=rng.choice(users),
                    created_by_id=rng.choice(users),
                    region=rng.choices(
                        [RegionKind.ABROAD, RegionKind.HK_MACAO, RegionKind.TAIWAN], [8, 2, 1]
                    )[0],
                    delegation_kind=rng.choice([DelegationKind.ACADEMIC, DelegationKind.ADMINISTRATIVE]),
                    purpose=rng.choice(purposes),
                    task="Bench task",
                    depart_on=depart,
                    return_on=depart + timedelta(days=rng.randint(2, 9)),
                    inviter_name=f"Inviting university {i % 700}",
                    funding_source=rng.choice([FundingSource.UNIT_BUDGET, FundingSource.RESEARCH_FUNDS]),
                    state=rng.choice(states),
                )
            )
        made = Trip.objects.bulk_create(trips, batch_size=BATCH)
        members, days, lines = [], [], []
        for trip in made:
            travellers = rng.sample(people, rng.randint(2, 3))
            for order, (person_id, unit_id) in enumerate(travellers):
                role = MemberRole.LEADER if order == 0 else MemberRole.MEMBER
                members.append(
                    TripMember(trip=trip, person_id=person_id, role=role, unit_id=unit_id, order=order)
                )
            places = rng.sample(countries, min(len(countries), rng.randint(1, 2)))
            for offset in range(3):
                days.append(
                    ItineraryItem(
                        trip=trip,
                        day=trip.depart_on + timedelta(days=offset),
                        country_id=places[min(offset, len(places) - 1)],
                        city=rng.choice(cities),
                        order=offset,
                    )
                )
            lines.append(BudgetLine(trip=trip, kind=BudgetKind.TRAVEL, amount=Decimal("9000"), persons=2))
            lines.append(
                BudgetLine(
                    trip=trip, kind=BudgetKind.ACCOMMODATION, amount=Decimal("4000"), persons=2, days=3
                )
            )
        TripMember.objects.bulk_create(members, batch_size=BATCH)
        ItineraryItem.objects.bulk_create(days, batch_size=BATCH)
        BudgetLine.objects.bulk_create(lines, batch_size=BATCH)


def trip_scenarios(officer_client, coordinator_client, *, scenario, error, target_ms: float) -> list:
    """The trip list as an officer and a unit coordinator, cycling through filters, sorting and pages."""
    from django.urls import reverse

    from meridian.accounts.models import OrgUnit

    url = reverse("travel:trip_list")
    unit = OrgUnit.objects.filter(parent__isnull=False).order_by("path").values_list("pk", flat=True).first()

    def get(who, params: dict) -> None:
        response = who.get(url, params)
        if response.status_code != 200:
            raise error(f"GET {url} {params or ''} answered {response.status_code}")

    officer_params = itertools.cycle(
        [
            {},
            {"state": "under_review"},
            {"q": "TRV-B-0012"},
            {"q": "Inviting university 42"},
            {"country": "DE"},
            {"depart_from": "2025-01-01", "depart_to": "2025-06-30"},
            {"ordering": "number", "page": "50"},
            {"unit": str(unit or ""), "purpose": "conference"},
            {"traveller": "Benchtraveller0042"},
            {"region": "hk_macao", "ordering": "-depart_on"},
            {"state": ["approved", "authorised"], "delegation_kind": "administrative"},
        ]
    )
    coordinator_params = itertools.cycle(
        [{}, {"state": "draft"}, {"page": "3"}, {"ordering": "state"}, {"mine": "1"}, {"q": "Bench trip 7"}]
    )
    return [
        scenario(
            f"{SCENARIO_PREFIX} (officer)", target_ms, lambda: get(officer_client, next(officer_params))
        ),
        scenario(
            f"{SCENARIO_PREFIX} (coordinator)",
            target_ms,
            lambda: get(coordinator_client, next(coordinator_params)),
        ),
    ]


def report_trip_ratios(results, out) -> None:
    """Each trip-list scenario's p95 as a multiple of the bare view's, measured in the same run."""
    bare = next((r for r in results if r.target_ms is None and "bare" in r.name), None)
    if bare is None or bare.p95 <= 0:
        return
    for r in results:
        if r.name.startswith(SCENARIO_PREFIX):
            out.write(
                f"{r.name}: p95 {r.p95:.1f} ms = {r.p95 / bare.p95:.1f}× the bare view ({bare.p95:.1f} ms)\n"
            )
