"""Statistics of official travel (issue 7, section 7): trips by country, unit, purpose and month of departure,
approval lead times, and overdue reports and passports.

Only trips the user may see are counted (``Trip.objects.visible_to``): the office and leadership count every
trip, a unit's coordinators the trips of their units (and subunits). Other users get no figures.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import can_read_university
from meridian.core.i18n import localised
from meridian.travel.casework import TRIP
from meridian.travel.choices import CustodyState, Purpose, ReportState, TripState
from meridian.travel.models import CustodyItem, ItineraryItem, Trip, TripReport
from meridian.travel.permissions import acted_unit_ids

S = TripState
APPROVED_ONWARD = (S.APPROVED, S.AUTHORISED, S.ABROAD, S.RETURNED, S.CLOSED)
IN_APPROVAL = (S.PUBLICITY, S.UNDER_REVIEW)

# The state filter of the statistics page: a named group or one state.
STATE_GROUPS: dict[str, tuple[object, tuple[str, ...] | None]] = {
    "approved": (_("Approved by the university and later"), tuple(APPROVED_ONWARD)),
    "in_approval": (_("Publicity or under approval"), tuple(IN_APPROVAL)),
    "all": (_("Every state"), None),
}
DEFAULT_STATES = "approved"


def state_choices() -> list[tuple[str, object]]:
    """The choices of the state filter: the groups, then each state."""
    return [(key, label) for key, (label, _states) in STATE_GROUPS.items()] + list(TripState.choices)


def states_for(choice: str) -> tuple[str, ...] | None:
    """The states a filter value stands for (None: every state); unknown values mean the default group."""
    if choice in STATE_GROUPS:
        return STATE_GROUPS[choice][1]
    if choice in TripState.values:
        return (choice,)
    return STATE_GROUPS[DEFAULT_STATES][1]


def can_see_stats(user) -> bool:
    """The office and leadership (every unit) and unit coordinators (their units only)."""
    return can_read_university(user) or bool(acted_unit_ids(user))


def scope_trips(*, user) -> QuerySet[Trip]:
    """Every trip whose figures ``user`` may see, in any year and state."""
    if can_read_university(user):
        return Trip.objects.all()
    units = acted_unit_ids(user)
    if not units:
        return Trip.objects.none()
    visible = Trip.objects.visible_to(user).values("pk")
    return Trip.objects.filter(unit_id__in=units, pk__in=visible)


def stats_trips(*, user, year: int | None, states: Iterable[str] | None) -> QuerySet[Trip]:
    """Trips counted: visible to ``user``, departing in ``year`` (any year when None), in ``states``."""
    trips = scope_trips(user=user)
    if year:
        trips = trips.filter(depart_on__year=year)
    if states is not None:
        trips = trips.filter(state__in=list(states))
    return trips


def stats_years(*, user) -> list[int]:
    """Years of departure of the trips the user may count, newest first; always includes this year."""
    years = {d.year for d in scope_trips(user=user).dates("depart_on", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


# --- counts -------------------------------------------------------------------------------------------------


def by_country(trips: QuerySet[Trip]) -> list[dict]:
    """``[{"code", "country", "trips"}]``: trips visiting each country (transits left out), most first.
    A trip to two countries counts once in each."""
    rows = (
        ItineraryItem.objects.filter(trip__in=trips.values("pk"), is_transit=False)
        .values("country_id", "country__name_en", "country__name_zh")
        .annotate(trips=Count("trip", distinct=True))
        .order_by("-trips", "country__name_en")
    )
    return [
        {
            "code": r["country_id"],
            "country": localised(r["country__name_en"], r["country__name_zh"]),
            "trips": r["trips"],
        }
        for r in rows
    ]


def by_unit(trips: QuerySet[Trip]) -> list[dict]:
    """``[{"unit", "trips", "travellers"}]`` by the trip's unit, in the order of the unit tree;
    ``travellers`` counts delegation members (a person on two trips counts twice)."""
    rows = (
        Trip.objects.filter(pk__in=trips.values("pk"))
        .values("unit_id", "unit__name_en", "unit__name_zh", "unit__path")
        .annotate(trips=Count("id", distinct=True), travellers=Count("members", distinct=True))
        .order_by("unit__path")
    )
    return [
        {
            "unit_id": r["unit_id"],
            "unit": localised(r["unit__name_en"], r["unit__name_zh"]),
            "trips": r["trips"],
            "travellers": r["travellers"],
        }
        for r in rows
    ]


def by_purpose(trips: QuerySet[Trip]) -> list[dict]:
    """``[{"purpose", "label", "trips"}]`` for every purpose with trips, in the order of the purpose list."""
    counts = {
        r["purpose"]: r["trips"]
        for r in Trip.objects.filter(pk__in=trips.values("pk")).values("purpose").annotate(trips=Count("id"))
    }
    return [
        {"purpose": value, "label": str(label), "trips": counts[value]}
        for value, label in Purpose.choices
        if counts.get(value)
    ]


def by_month(trips: QuerySet[Trip]) -> list[dict]:
    """``[{"month": 1..12, "trips"}]``: trips by month of (planned) departure, every month listed."""
    counts = {
        r["month"]: r["trips"]
        for r in Trip.objects.filter(pk__in=trips.values("pk"))
        .annotate(month=ExtractMonth("depart_on"))
        .values("month")
        .annotate(trips=Count("id"))
    }
    return [{"month": m, "trips": counts.get(m, 0)} for m in range(1, 13)]


# --- lead times ---------------------------------------------------------------------------------------------


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile (``share`` 0.9 = the 90th): the smallest value with at least that share
    of the values at or below it. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LeadTime:
    """Days from submission to a decision over ``count`` trips: median and 90th percentile."""

    count: int = 0
    median: float | None = None
    p90: int | None = None

    @classmethod
    def of(cls, values: list[int]) -> LeadTime:
        if not values:
            return cls()
        median = statistics.median(values)
        return cls(count=len(values), median=float(median), p90=percentile(values, 0.9))


@dataclass
class LeadTimes:
    to_approval: LeadTime
    to_external: LeadTime
    rows: list[dict] = field(default_factory=list)


def lead_times(trips: QuerySet[Trip]) -> LeadTimes:
    """Calendar days (local dates) from the submission for approval (move ``submit``) to the university's
    approval (``approve``) and to the record of the external approval (``authorise``), read from the case
    log of the trips. A trip returned and submitted again counts from its last submission before approval.

    ``rows``: one dict per trip with a submission (number, title, unit, submitted, approved, authorised,
    days_to_approval, days_to_external; None where the step has not happened).
    """
    info = {
        t["pk"]: t
        for t in Trip.objects.filter(pk__in=trips.values("pk")).values(
            "pk", "number", "title", "unit__name_en", "unit__name_zh"
        )
    }
    from meridian.workflow.models import TransitionLog

    entries = (
        TransitionLog.objects.filter(
            case_type=TRIP, object_id__in=list(info), action__in=("submit", "approve", "authorise")
        )
        .order_by("at", "id")
        .values_list("object_id", "action", "at")
    )
    events: dict[int, dict[str, date]] = defaultdict(dict)
    for object_id, action, at in entries:
        day = timezone.localtime(at).date()
        seen = events[object_id]
        if action == "submit":
            if "approve" not in seen:
                seen["submit"] = day  # the last submission before the approval
        elif action not in seen:
            seen[action] = day
    to_approval: list[int] = []
    to_external: list[int] = []
    rows: list[dict[str, Any]] = []
    for pk, seen in events.items():
        submitted = seen.get("submit")
        if submitted is None:
            continue
        approved, authorised = seen.get("approve"), seen.get("authorise")
        days_a = (approved - submitted).days if approved else None
        days_e = (authorised - submitted).days if authorised else None
        if days_a is not None:
            to_approval.append(days_a)
        if days_e is not None:
            to_external.append(days_e)
        trip = info[pk]
        rows.append(
            {
                "number": trip["number"],
                "title": trip["title"],
                "unit": localised(trip["unit__name_en"], trip["unit__name_zh"]),
                "submitted": submitted,
                "approved": approved,
                "authorised": authorised,
                "days_to_approval": days_a,
                "days_to_external": days_e,
            }
        )
    rows.sort(key=lambda r: r["number"])
    return LeadTimes(to_approval=LeadTime.of(to_approval), to_external=LeadTime.of(to_external), rows=rows)


# --- overdue ------------------------------------------------------------------------------------------------


@dataclass
class Overdue:
    """Trip reports not submitted past their due date and passports/permits issued and not back by theirs,
    as of ``today``: totals and ``rows`` by unit (``{"unit", "reports", "passports"}``)."""

    today: date
    reports: int = 0
    passports: int = 0
    rows: list[dict] = field(default_factory=list)


def overdue(*, user, today: date | None = None) -> Overdue:
    """Overdue counts ``user`` may see (any year): reports in state draft with ``due_on`` before ``today``;
    passports and permits in state "issued" with ``due_back_on`` before ``today``."""
    today = today or timezone.localdate()
    reports = TripReport.objects.filter(
        trip__in=scope_trips(user=user).values("pk"), state=ReportState.DRAFT, due_on__lt=today
    )
    items = CustodyItem.objects.visible_to(user).filter(state=CustodyState.ISSUED, due_back_on__lt=today)
    if not can_read_university(user):
        items = items.filter(unit_id__in=acted_unit_ids(user) or [0])
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"reports": 0, "passports": 0})
    for row in reports.values("trip__unit_id").annotate(n=Count("id")):
        counts[row["trip__unit_id"]]["reports"] = row["n"]
    for row in items.values("unit_id").annotate(n=Count("id")):
        counts[row["unit_id"]]["passports"] = row["n"]
    units = OrgUnit.objects.filter(pk__in=list(counts)).order_by("path")
    rows: list[dict[str, Any]] = [{"unit": u.name, **counts[u.pk]} for u in units]
    return Overdue(
        today=today,
        reports=sum(r["reports"] for r in rows),
        passports=sum(r["passports"] for r in rows),
        rows=rows,
    )


# --- the page -----------------------------------------------------------------------------------------------


@dataclass
class TripStats:
    year: int | None
    state: str
    total: int
    countries: list[dict]
    units: list[dict]
    purposes: list[dict]
    months: list[dict]
    lead: LeadTimes
    overdue: Overdue


def trip_stats(
    *, user, year: int | None, state: str = DEFAULT_STATES, today: date | None = None
) -> TripStats:
    """Every table of the statistics page for ``user``, ``year`` (None: all years) and the state filter."""
    trips = stats_trips(user=user, year=year, states=states_for(state))
    return TripStats(
        year=year,
        state=state,
        total=trips.count(),
        countries=by_country(trips),
        units=by_unit(trips),
        purposes=by_purpose(trips),
        months=by_month(trips),
        lead=lead_times(trips),
        overdue=overdue(user=user, today=today),
    )
