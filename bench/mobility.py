"""Student exchange: the seat allocation and the staff list of applications on a large load.

(a) The allocation of 5,000 applicants with 5 preferences each over 1,000 destinations (1 to 4 places, a
tenth of them with a language requirement some applicants miss), the pure ``allocation_core.allocate``
without the database; target < 2 s per run (the same input in ``--quick`` mode: it is the figure the issue
asks for).

(b) The applications list with 50,000 applications (5,000 with ``--quick``) in ten calls of 40 destinations,
every state, three ranked preferences each, students spread over every unit; read as an officer (every
application) and as a school coordinator (their units' students and calls), cycling through the filters,
sorting and paging people use; target p95 < 150 ms. ``report_mobility`` prints each p95 as a multiple of the
bare view's measured in the same run, and the allocation figure.

Hook into ``bench/run.py``::

    from bench.mobility import ensure_applications, mobility_scenarios, report_mobility
    ensure_applications(size.name, say=say)
    scenarios += mobility_scenarios(
        client, coordinator, scenario=Scenario, error=BenchError, target_ms=PAGE_TARGET_MS
    )
    report_mobility(results, sys.stdout)
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

APPLICATIONS = {"full": 50_000, "quick": 5_000}
STUDENTS = {"full": 5_000, "quick": 1_000}  # each applies to several calls
CALLS = 10
DESTINATIONS_PER_CALL = 40
PREFERENCES = 3
NUMBER_PREFIX = "EXA-B"
CALL_PREFIX = "EXC-B"
STUDENT_PREFIX = "bench-exchange-student"
BATCH = 5000
LIST_PREFIX = "application list"
ALLOCATION_NAME = "seat allocation (5,000 × 5 over 1,000)"
ALLOCATION_TARGET_MS = 2000.0
ALLOCATION_APPLICANTS = 5_000
ALLOCATION_PREFERENCES = 5
ALLOCATION_DESTINATIONS = 1_000


# --- (a) the allocation --------------------------------------------------------------------------------


def allocation_input(seed: int = 2027):
    """5,000 applicants in rank order, 5 distinct preferences each (popular destinations more often), over
    1,000 destinations of 1–4 places; about one preference in twenty is not eligible."""
    from meridian.mobility.allocation_core import Applicant

    rng = random.Random(seed)
    destinations = list(range(1, ALLOCATION_DESTINATIONS + 1))
    weights = [1.0 / (1 + i // 50) for i in range(len(destinations))]
    capacities = {d: rng.randint(1, 4) for d in destinations}
    demanding = set(rng.sample(destinations, ALLOCATION_DESTINATIONS // 10))
    applicants = []
    for rank in range(1, ALLOCATION_APPLICANTS + 1):
        chosen: list[int] = []
        while len(chosen) < ALLOCATION_PREFERENCES:
            pick = rng.choices(destinations, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        ineligible = frozenset(d for d in chosen if d in demanding and rng.random() < 0.5)
        applicants.append(Applicant(id=rank, rank=rank, preferences=tuple(chosen), ineligible=ineligible))
    return applicants, capacities


# --- (b) the list --------------------------------------------------------------------------------------


def ensure_applications(size_name: str, *, say: Callable[[str], None]) -> int:
    """Make sure the bench database holds exactly the wanted number of bench applications; returns it."""
    from meridian.mobility.models import Application

    wanted = APPLICATIONS[size_name]
    present = Application.objects.filter(number__startswith=NUMBER_PREFIX).count()
    if present == wanted:
        say(f"Exchange: {wanted:,} applications are ready (built earlier).")
        return wanted
    say(f"Exchange: building {wanted:,} applications in {CALLS} calls ...")
    _build(wanted, STUDENTS[size_name])
    return wanted


def _delete_old() -> None:
    from meridian.mobility.models import Application, ApplicationPreference, Call, CallDestination

    old = Application.objects.filter(number__startswith=NUMBER_PREFIX)
    ApplicationPreference.objects.filter(application__in=old).delete()
    old.delete()
    calls = Call.objects.filter(number__startswith=CALL_PREFIX)
    CallDestination.objects.filter(call__in=calls).delete()
    calls.delete()


def _students(n: int, rng: random.Random, units: list[int]) -> list[tuple[int, int, int]]:
    """``(user id, person id, unit id)`` of ``n`` bench students (made once, kept between sizes)."""
    from meridian.accounts.models import User
    from meridian.people.models import Person

    def existing() -> list[tuple[int, int, int]]:
        return list(
            Person.objects.filter(user__username__startswith=STUDENT_PREFIX)
            .order_by("pk")
            .values_list("user_id", "pk", "unit_id")
        )

    have = existing()
    if len(have) >= n:
        return have[:n]
    users = User.objects.bulk_create(
        [
            User(username=f"{STUDENT_PREFIX}-{i:05d}", password="!", email=f"stu{i}@stu.example")
            for i in range(len(have), n)
        ],
        batch_size=BATCH,
    )
    given = ["Wei", "Fang", "Min", "Jun", "Lei", "Na", "Yu", "Hao"]
    Person.objects.bulk_create(
        [
            Person(
                user=user,
                kind="student",
                family_name=f"Benchstudent{user.username[-5:]}",
                given_name=rng.choice(given),
                name_zh=f"交换生{user.username[-5:]}",
                unit_id=rng.choice(units),
                member_number=f"2099{user.username[-5:]}",
            )
            for user in users
        ],
        batch_size=BATCH,
    )
    return existing()[:n]


@transaction.atomic
def _build(n: int, students_wanted: int) -> None:
    from meridian.accounts.models import OrgUnit
    from meridian.mobility.choices import ApplicationState, CefrLevel, MobilityType, Semester
    from meridian.mobility.models import Application, ApplicationPreference, Call, CallDestination
    from meridian.partners.models import Partner

    _delete_old()
    rng = random.Random(2099)
    office = OrgUnit.objects.filter(is_international_office=True).first() or OrgUnit.objects.order_by("pk")[0]
    units = list(OrgUnit.objects.values_list("pk", flat=True))
    partners = list(Partner.objects.order_by("pk").values_list("pk", flat=True)[:2000])
    students = _students(students_wanted, rng, units)
    now = timezone.now()
    calls = []
    for c in range(CALLS):
        calls.append(
            Call(
                number=f"{CALL_PREFIX}-{c:03d}",
                title_en=f"Bench exchange call {c}",
                title_zh=f"交换项目选拔{c}",
                unit=office,
                academic_year=2020 + c // 2,
                semester=Semester.AUTUMN if c % 2 == 0 else Semester.SPRING,
                opens_at=now - timedelta(days=400 - c * 30),
                closes_at=now - timedelta(days=370 - c * 30),
                min_grade=Decimal("3.00"),
                grade_scale=Decimal("4.00"),
                language="en",
                min_cefr=CefrLevel.B2,
                state=rng.choice(["closed", "allocated", "published", "finished"]),
            )
        )
    calls = Call.objects.bulk_create(calls)
    destinations: dict[int, list[int]] = {}
    rows = []
    for call in calls:
        for partner in rng.sample(partners, DESTINATIONS_PER_CALL):
            rows.append(
                CallDestination(
                    call=call,
                    partner_id=partner,
                    mobility_type=MobilityType.SEMESTER,
                    places=rng.randint(1, 4),
                )
            )
    for d in CallDestination.objects.bulk_create(rows, batch_size=BATCH):
        destinations.setdefault(d.call_id, []).append(d.pk)
    states = [s.value for s in ApplicationState]
    ranked = {ApplicationState.PRE_APPROVED, ApplicationState.OFFERED, ApplicationState.WAITLISTED}
    ranked |= {ApplicationState.ACCEPTED, ApplicationState.DECLINED, ApplicationState.NOMINATED}
    per_call = -(-n // CALLS)
    made = 0
    for call in calls:
        count = min(per_call, n - made)
        chosen_students = rng.sample(students, count)  # one application per student and call
        applications = []
        for rank, (user_id, person_id, unit_id) in enumerate(chosen_students, start=1):
            state = rng.choice(states)
            offered = state in {
                ApplicationState.OFFERED,
                ApplicationState.ACCEPTED,
                ApplicationState.NOMINATED,
            }
            applications.append(
                Application(
                    number=f"{NUMBER_PREFIX}-{made + rank:06d}",
                    call=call,
                    student_id=user_id,
                    person_id=person_id,
                    unit_id=unit_id,
                    programme="Bench programme",
                    year_of_study=rng.randint(1, 4),
                    grade_average=Decimal(rng.randint(250, 400)) / 100,
                    language="en",
                    cefr_level=rng.choice(["B1", "B2", "C1"]),
                    clean_record=True,
                    state=state,
                    submitted_at=None
                    if state == ApplicationState.DRAFT
                    else now - timedelta(days=rng.randint(1, 900)),
                    score=Decimal(rng.randint(4000, 9900)) / 100 if state in ranked else None,
                    rank=rank if state in ranked else None,
                    offered_id=rng.choice(destinations[call.pk]) if offered else None,
                )
            )
        created = Application.objects.bulk_create(applications, batch_size=BATCH)
        ApplicationPreference.objects.bulk_create(
            [
                ApplicationPreference(application=a, destination_id=d, rank=r)
                for a in created
                for r, d in enumerate(rng.sample(destinations[call.pk], PREFERENCES), start=1)
            ],
            batch_size=BATCH,
        )
        made += count


def mobility_scenarios(officer_client, coordinator_client, *, scenario, error, target_ms: float) -> list:
    """The allocation (pure), and the application list as an officer and as a school coordinator."""
    from django.urls import reverse

    from meridian.accounts.models import OrgUnit
    from meridian.mobility.allocation_core import allocate
    from meridian.mobility.models import Call, CallDestination

    applicants, capacities = allocation_input()
    url = reverse("mobility:application_list")
    call = (
        Call.objects.filter(number__startswith=CALL_PREFIX)
        .order_by("number")
        .values_list("pk", flat=True)
        .first()
    )
    partner = (
        CallDestination.objects.filter(call_id=call or 0)
        .order_by("pk")
        .values_list("partner_id", flat=True)
        .first()
    )
    unit = OrgUnit.objects.filter(parent__isnull=False).order_by("path").values_list("pk", flat=True).first()

    def get(who, params: dict) -> None:
        response = who.get(url, params)
        if response.status_code != 200:
            raise error(f"GET {url} {params or ''} answered {response.status_code}")

    officer_params: Iterator[dict[str, Any]] = itertools.cycle(
        [
            {},
            {"state": "pre_approved"},
            {"q": f"{NUMBER_PREFIX}-0012"},
            {"q": "Benchstudent00042"},
            {"call": str(call or "")},
            {"partner": str(partner or "")},
            {"ordering": "rank", "call": str(call or "")},
            {"ordering": "-score", "page": "40"},
            {"school": str(unit or ""), "state": ["offered", "accepted"]},
            {"ordering": "name", "page": "3"},
            {"ordering": "number", "page": "500"},
        ]
    )
    coordinator_params: Iterator[dict[str, Any]] = itertools.cycle(
        [
            {},
            {"state": "submitted"},
            {"page": "3"},
            {"ordering": "state"},
            {"q": "交换生"},
            {"ordering": "-rank"},
        ]
    )
    return [
        scenario(ALLOCATION_NAME, ALLOCATION_TARGET_MS, lambda: allocate(applicants, capacities)),
        scenario(f"{LIST_PREFIX} (officer)", target_ms, lambda: get(officer_client, next(officer_params))),
        scenario(
            f"{LIST_PREFIX} (coordinator)",
            target_ms,
            lambda: get(coordinator_client, next(coordinator_params)),
        ),
    ]


def report_mobility(results, out) -> None:
    """The allocation's figure, and each list scenario's p95 as a multiple of the bare view's."""
    allocation = next((r for r in results if r.name == ALLOCATION_NAME), None)
    if allocation is not None:
        verdict = "meets" if allocation.p95 < ALLOCATION_TARGET_MS else "MISSES"
        out.write(
            f"Seat allocation of {ALLOCATION_APPLICANTS:,} applicants × {ALLOCATION_PREFERENCES} preferences "
            f"over {ALLOCATION_DESTINATIONS:,} destinations: p50 {allocation.p50:.1f} ms, "
            f"p95 {allocation.p95:.1f} ms ({verdict} the {ALLOCATION_TARGET_MS / 1000:.0f} s target)\n"
        )
    bare = next((r for r in results if r.target_ms is None and "bare" in r.name), None)
    if bare is None or bare.p95 <= 0:
        return
    for r in results:
        if r.name.startswith(LIST_PREFIX):
            out.write(
                f"{r.name}: p95 {r.p95:.1f} ms = {r.p95 / bare.p95:.1f}× the bare view ({bare.p95:.1f} ms)\n"
            )
