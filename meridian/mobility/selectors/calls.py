"""Reads of calls: the staff list and page (restricted by ``permissions.call_visibility_filter``), the
cooperation conditions a call may draw destinations from with the places they have left, and the public
pages (opened calls only).

Places are persons per academic year (``CooperationCondition.places``); a condition's places are shared by
every call of that academic year that is not cancelled (autumn and spring calls draw on the same places).
The academic year runs from 1 September to 31 August (2026 = 1 September 2026 – 31 August 2027).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from meridian.agreements.choices import AgreementState
from meridian.mobility import permissions
from meridian.mobility.choices import CallState, Direction
from meridian.mobility.models import (
    Application,
    Call,
    CallCriterion,
    CallDestination,
    CallQuestion,
    CallReviewer,
    CooperationCondition,
)

# Calls whose deadline passed no longer ago than this stay on the public list, marked closed.
RECENTLY_CLOSED_DAYS = 60
NOT_OPENED = (CallState.DRAFT, CallState.CANCELLED)


def academic_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of academic year ``year``: (1 September ``year``, 31 August ``year`` + 1)."""
    return datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)


# --- staff pages --------------------------------------------------------------------------------------------


def calls_visible_to(user) -> QuerySet[Call]:
    """Calls ``user`` may open on the staff pages, with their unit loaded."""
    return Call.objects.visible_to(user).select_related("unit").distinct()


def _count_of(queryset: QuerySet, expression: Any) -> Coalesce:
    rows = queryset.filter(call=OuterRef("pk")).values("call").annotate(value=expression).values("value")
    return Coalesce(Subquery(rows), 0)


def call_list(*, user) -> QuerySet[Call]:
    """The staff list: visible calls, newest academic year first, each annotated with ``destination_count``,
    ``place_count`` and ``application_count`` (students' drafts included) in one query."""
    return (
        calls_visible_to(user)
        .annotate(
            destination_count=_count_of(CallDestination.objects.all(), Count("pk")),
            place_count=_count_of(CallDestination.objects.all(), Sum("places")),
            application_count=_count_of(Application.objects.all(), Count("pk")),
        )
        .order_by("-academic_year", "-opens_at", "-id")
    )


def call_destinations(call: Call) -> QuerySet[CallDestination]:
    """The destinations of ``call`` with partner, condition and agreement loaded, in partner name order."""
    return (
        CallDestination.objects.filter(call=call)
        .select_related("partner", "condition", "condition__agreement")
        .prefetch_related("condition__languages")
        .order_by("partner__name", "mobility_type", "id")
    )


def call_criteria(call: Call) -> QuerySet[CallCriterion]:
    return CallCriterion.objects.filter(call=call).order_by("order", "id")


def call_questions(call: Call) -> QuerySet[CallQuestion]:
    return CallQuestion.objects.filter(call=call).order_by("order", "id")


def call_reviewers(call: Call) -> QuerySet[CallReviewer]:
    return CallReviewer.objects.filter(call=call).select_related("user").order_by("user__username", "id")


def criteria_weight_total(call: Call) -> Decimal:
    """The sum of the weights of ``call``'s criteria (must be 100 to open the call)."""
    total = CallCriterion.objects.filter(call=call).aggregate(total=Sum("weight"))["total"]
    return total if total is not None else Decimal(0)


def application_counts(call: Call) -> list[tuple[str, str, int]]:
    """``[(state, label, count), …]`` of ``call``'s applications in the order of ``ApplicationState``, states
    with no application left out (one query)."""
    from meridian.mobility.choices import ApplicationState

    counts = dict(
        Application.objects.filter(call=call).values_list("state").annotate(n=Count("pk")).order_by()
    )
    return [
        (state, str(label), counts[state]) for state, label in ApplicationState.choices if counts.get(state)
    ]


def call_log(call: Call) -> QuerySet:
    """The lifecycle moves of ``call``, newest first."""
    return call.transitions.select_related("actor").order_by("-at", "-id")


# --- cooperation conditions and places ----------------------------------------------------------------------


def conditions_valid_for(year: int) -> QuerySet[CooperationCondition]:
    """Outgoing conditions a call of academic year ``year`` may offer: of an active agreement, and either for
    that year or for every year (``academic_year`` empty) of an agreement whose period overlaps the academic
    year (start on or before 31 August ``year`` + 1, end empty or on or after 1 September ``year``)."""
    first, last = academic_year_bounds(year)
    every_year = (
        Q(academic_year__isnull=True)
        & (Q(agreement__start_date__isnull=True) | Q(agreement__start_date__lte=last))
        & (Q(agreement__end_date__isnull=True) | Q(agreement__end_date__gte=first))
    )
    return CooperationCondition.objects.filter(
        Q(academic_year=year) | every_year,
        direction=Direction.OUTGOING,
        agreement__state=AgreementState.ACTIVE,
    )


def condition_valid_for(condition: CooperationCondition, year: int) -> bool:
    return conditions_valid_for(year).filter(pk=condition.pk).exists()


def places_given(
    condition_ids: Iterable[int], year: int, *, exclude_call_id: int | None = None
) -> dict[int, tuple[int, Decimal]]:
    """``{condition id: (places, months)}`` given to calls of academic year ``year`` that are not cancelled
    (``exclude_call_id``: leave that call out); months are places × months per person of each destination
    that says its months. One query."""
    rows = CallDestination.objects.filter(
        condition_id__in=list(condition_ids), call__academic_year=year
    ).exclude(call__state=CallState.CANCELLED)
    if exclude_call_id is not None:
        rows = rows.exclude(call_id=exclude_call_id)
    given: dict[int, tuple[int, Decimal]] = {}
    for condition_id, places, months in rows.values_list("condition_id", "places", "months"):
        old_places, old_months = given.get(condition_id, (0, Decimal(0)))
        given[condition_id] = (old_places + places, old_months + (months or 0) * places)
    return given


@dataclass(frozen=True)
class PlacesLeft:
    """What a condition still has for a call: ``places`` (persons) and ``months`` (None: not limited)."""

    places: int
    months: Decimal | None


def places_left(
    condition: CooperationCondition, year: int, *, exclude_call_id: int | None = None
) -> PlacesLeft:
    """The places (and total months, when the condition limits them) of ``condition`` that calls of academic
    year ``year`` other than ``exclude_call_id`` have not taken; never below zero."""
    places, months = places_given([condition.pk], year, exclude_call_id=exclude_call_id).get(
        condition.pk, (0, Decimal(0))
    )
    months_left = None
    if condition.total_months is not None:
        months_left = max(Decimal(condition.total_months) - months, Decimal(0))
    return PlacesLeft(places=max(condition.places - places, 0), months=months_left)


@dataclass
class ConditionChoice:
    """A condition offered on the call's edit page: what it is and what it has left for this call."""

    condition: CooperationCondition
    left: PlacesLeft
    offered: bool  # the call offers it already (or its partner and mobility type)

    @property
    def pk(self) -> int:
        return self.condition.pk


def eligible_conditions(*, call: Call, user) -> list[ConditionChoice]:
    """Outgoing conditions valid for ``call``'s year that ``user`` may see, student mobility types only,
    with the places each has left for ``call`` (a fixed number of queries). Sorted by partner name."""
    from meridian.mobility.choices import STUDENT_MOBILITY_TYPES

    conditions = list(
        conditions_valid_for(call.academic_year)
        .filter(pk__in=CooperationCondition.objects.visible_to(user).values("pk"))
        .filter(mobility_type__in=[str(t) for t in STUDENT_MOBILITY_TYPES])
        .select_related("partner", "agreement")
        .prefetch_related("languages")
        .order_by("partner__name", "mobility_type", "academic_year", "id")
    )
    given = places_given([c.pk for c in conditions], call.academic_year, exclude_call_id=call.pk)
    taken = set(CallDestination.objects.filter(call=call).values_list("partner_id", "mobility_type"))
    choices = []
    for condition in conditions:
        places, months = given.get(condition.pk, (0, Decimal(0)))
        months_left = None
        if condition.total_months is not None:
            months_left = max(Decimal(condition.total_months) - months, Decimal(0))
        choices.append(
            ConditionChoice(
                condition=condition,
                left=PlacesLeft(places=max(condition.places - places, 0), months=months_left),
                offered=(condition.partner_id, condition.mobility_type) in taken,
            )
        )
    return choices


# --- public pages -------------------------------------------------------------------------------------------


def _public_base() -> QuerySet[Call]:
    return Call.objects.exclude(state__in=NOT_OPENED).select_related("unit")


def public_open_calls(*, now: datetime.datetime | None = None) -> QuerySet[Call]:
    """Calls open for applications now or soon: opened (state open) and the deadline not passed; soonest
    deadline first."""
    now = now or timezone.now()
    return _public_base().filter(state=CallState.OPEN, closes_at__gt=now).order_by("closes_at", "id")


def public_recently_closed(*, now: datetime.datetime | None = None) -> QuerySet[Call]:
    """Opened calls no longer taking applications (closed, or the deadline passed) whose deadline is at most
    ``RECENTLY_CLOSED_DAYS`` ago or still ahead (closed early); latest deadline first."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=RECENTLY_CLOSED_DAYS)
    still_open = Q(state=CallState.OPEN, closes_at__gt=now)
    return _public_base().filter(closes_at__gte=since).exclude(still_open).order_by("-closes_at", "-id")


def public_call(pk: int) -> Call | None:
    """An opened call for its public page (None for drafts, cancelled calls and unknown ids), with its
    destinations (partner, condition languages) loaded."""
    destinations = CallDestination.objects.select_related("partner").prefetch_related("condition__languages")
    return (
        _public_base()
        .prefetch_related(
            Prefetch("destinations", queryset=destinations.order_by("partner__name", "mobility_type", "id"))
        )
        .filter(pk=pk)
        .first()
    )


def destination_rows(call: Call) -> list[dict[str, Any]]:
    """``[{"destination", "left"}]`` for ``call``'s pages: ``left`` is the most places the destination's
    condition allows this call (its places minus those of the year's other calls that are not cancelled),
    None for a destination without a condition. A fixed number of queries."""
    destinations = list(call_destinations(call))
    ids = [d.condition_id for d in destinations if d.condition_id is not None]
    given = places_given(ids, call.academic_year, exclude_call_id=call.pk)
    rows = []
    for destination in destinations:
        condition = destination.condition
        left = None
        if condition is not None:
            left = max(condition.places - given.get(condition.pk, (0, Decimal(0)))[0], 0)
        rows.append({"destination": destination, "left": left})
    return rows


def is_taking_applications(call: Call, *, now: datetime.datetime | None = None) -> bool:
    """An open call whose deadline has not passed (applications may be opening later)."""
    return call.state == CallState.OPEN and call.closes_at > (now or timezone.now())


def public_summary(calls: Iterable[Call]) -> list[dict[str, Any]]:
    """``[{"call", "destinations", "places"}]`` for public lists: destinations and places of each call (one
    query)."""
    rows = list(calls)
    totals: dict[int, tuple[int, int]] = {
        call_id: (destinations, places or 0)
        for call_id, destinations, places in CallDestination.objects.filter(call__in=[c.pk for c in rows])
        .values("call_id")
        .annotate(destinations=Count("pk"), places=Sum("places"))
        .values_list("call_id", "destinations", "places")
        .order_by()
    }
    return [
        {
            "call": call,
            "destinations": totals.get(call.pk, (0, 0))[0],
            "places": totals.get(call.pk, (0, 0))[1],
        }
        for call in rows
    ]


def may_see_internal(user) -> bool:
    """Staff pages of calls show internal facts (applications, reviewers): internal users only."""
    from meridian.accounts.permissions import is_internal

    return is_internal(user) and not permissions.is_partner_contact(user)
