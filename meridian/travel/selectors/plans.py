"""Reads of annual trip plans: which plans a user sees, the lines a trip may be matched to, usage per line and
the office's consolidated view of a year.

"Used" counts the trips matched to a plan line (``Trip.plan_line``) in any state but cancelled or rejected.
Money is in CNY.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import can_read_university
from meridian.travel.choices import DelegationKind, PlanKind, PlanState, RegionKind, TripState
from meridian.travel.models import Trip, TripPlan, TripPlanLine
from meridian.travel.permissions import acted_unit_ids

# Trips in these states do not use up a plan line.
NOT_USING = (TripState.CANCELLED, TripState.REJECTED)
# Plans a trip may be matched to and the consolidated view counts.
ACTIVE_PLAN_STATES = (PlanState.SUBMITTED, PlanState.CONSOLIDATED)


def plan_kind_for(region: str) -> str:
    """The plan kind covering a trip's region: the Hong Kong/Macao plan for ``hk_macao``, else the general
    plan (abroad and Taiwan)."""
    return PlanKind.HK_MACAO if region == RegionKind.HK_MACAO else PlanKind.GENERAL


def plan_lines_for(*, unit_id: int, year: int, region: str) -> QuerySet[TripPlanLine]:
    """Lines a trip of ``unit_id`` departing in ``year`` to ``region`` may be matched to.

    The lines of the submitted or consolidated plans of that year of the unit or of any unit above it
    (a department's trips may use its school's plan); the Hong Kong/Macao plan for region ``hk_macao``,
    the general plan otherwise. Ordered by unit path (nearest unit last) then line.
    """
    unit = OrgUnit.objects.filter(pk=unit_id).only("path").first()
    if unit is None:
        return TripPlanLine.objects.none()
    ids = [int(p) for p in unit.path.strip("/").split("/") if p] or [unit_id]
    return (
        TripPlanLine.objects.filter(
            plan__unit_id__in=ids,
            plan__year=year,
            plan__kind=plan_kind_for(region),
            plan__state__in=ACTIVE_PLAN_STATES,
        )
        .select_related("plan", "plan__unit")
        .prefetch_related("countries")
        .order_by("plan__unit__path", "id")
    )


def plan_filter(user) -> Q | None:
    """None: every plan (office and leadership); else the plans of the coordinator's units."""
    if can_read_university(user):
        return None
    return Q(unit_id__in=acted_unit_ids(user))


def plans_visible_to(user) -> QuerySet[TripPlan]:
    """Plans ``user`` may see: the office and leadership every plan, a unit's coordinators their units'
    plans, others none."""
    condition = plan_filter(user)
    plans = TripPlan.objects.select_related("unit")
    return plans if condition is None else plans.filter(condition)


def plan_list(*, user, year: int | None = None) -> QuerySet[TripPlan]:
    """Visible plans (of ``year`` when given) with their number of lines and planned trips annotated."""
    plans = plans_visible_to(user)
    if year:
        plans = plans.filter(year=year)
    return plans.annotate(line_count=Count("lines", distinct=True)).order_by("-year", "unit__path", "kind")


def line_usage(*, line_ids: list[int]) -> dict[int, int]:
    """Trips matched to each line (``{line_id: trips}``), cancelled and rejected trips left out; one query."""
    rows = (
        Trip.objects.filter(plan_line_id__in=line_ids)
        .exclude(state__in=NOT_USING)
        .values("plan_line_id")
        .annotate(n=Count("id"))
    )
    return {row["plan_line_id"]: row["n"] for row in rows}


def plan_lines_with_usage(*, plan: TripPlan) -> list[TripPlanLine]:
    """The plan's lines, each with ``used`` (trips matched) and ``remaining`` (planned minus used)."""
    lines = list(plan.lines.prefetch_related("countries").order_by("id"))
    usage = line_usage(line_ids=[line.pk for line in lines])
    for line in lines:
        line.used = usage.get(line.pk, 0)  # type: ignore[attr-defined]
        line.remaining = line.trip_count - line.used  # type: ignore[attr-defined]
    return lines


@dataclass
class Totals:
    """Planned and used figures of a group of plan lines. ``budget`` in CNY; ``person_trips`` is the sum of
    trips × persons; ``days`` the sum of trips × persons × days (person-days)."""

    lines: int = 0
    trips: int = 0
    person_trips: int = 0
    person_days: int = 0
    budget: Decimal = field(default_factory=lambda: Decimal("0"))
    used: int = 0

    def add(self, line: TripPlanLine, used: int) -> None:
        self.lines += 1
        self.trips += line.trip_count
        self.person_trips += line.trip_count * line.persons
        self.person_days += line.trip_count * line.persons * line.days
        self.budget += line.budget
        self.used += used

    @property
    def remaining(self) -> int:
        return self.trips - self.used


@dataclass
class ConsolidatedRow:
    unit: OrgUnit
    kind: str
    category: str
    totals: Totals

    @property
    def kind_label(self) -> str:
        return str(PlanKind(self.kind).label)

    @property
    def category_label(self) -> str:
        return str(DelegationKind(self.category).label)


@dataclass
class Consolidated:
    """The year's submitted and consolidated plans: one row per unit × plan kind × category, totals by
    category and the grand total."""

    year: int
    rows: list[ConsolidatedRow]
    by_category: dict[str, Totals]
    total: Totals
    plans_in_draft: int


def consolidated_view(*, user, year: int) -> Consolidated:
    """Totals of the year's submitted and consolidated plans visible to ``user``, by unit and category,
    with trips used against trips planned. Draft plans are not counted (their number is reported)."""
    plans = plans_visible_to(user).filter(year=year)
    lines = list(
        TripPlanLine.objects.filter(plan__in=plans.filter(state__in=ACTIVE_PLAN_STATES))
        .select_related("plan", "plan__unit")
        .order_by("plan__unit__path", "plan__kind", "category", "id")
    )
    usage = line_usage(line_ids=[line.pk for line in lines])
    grouped: dict[tuple[int, str, str], ConsolidatedRow] = {}
    by_category: dict[str, Totals] = defaultdict(Totals)
    total = Totals()
    for line in lines:
        key = (line.plan.unit_id, line.plan.kind, line.category)
        row = grouped.get(key)
        if row is None:
            row = grouped[key] = ConsolidatedRow(
                unit=line.plan.unit, kind=line.plan.kind, category=line.category, totals=Totals()
            )
        used = usage.get(line.pk, 0)
        row.totals.add(line, used)
        by_category[line.category].add(line, used)
        total.add(line, used)
    return Consolidated(
        year=year,
        rows=list(grouped.values()),
        by_category={c: by_category[c] for c in DelegationKind.values if c in by_category},
        total=total,
        plans_in_draft=plans.filter(state=PlanState.DRAFT).count(),
    )


def plan_years(*, user) -> list[int]:
    """Years that have a plan the user may see, newest first."""
    return sorted(set(plans_visible_to(user).values_list("year", flat=True)), reverse=True)
