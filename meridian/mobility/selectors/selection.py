"""Reads of the selection pages: the staff list of applications, the school's pre-approval queue, a reviewer's
applications, the ranking, the allocation of a call (per destination and per applicant) and the internal
publicity list. Every read starts from ``Application.objects.visible_to`` (or a call the reader may see), so
list, detail, export and queues agree on who sees what.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from meridian.accounts.permissions import can_read_university, is_internal
from meridian.mobility import casework, permissions
from meridian.mobility.choices import ApplicationState, CallState
from meridian.mobility.models import (
    AllocationRun,
    Application,
    ApplicationPreference,
    Call,
    CallCriterion,
    CallDestination,
    CallReviewer,
    Review,
    ReviewConflict,
)
from meridian.mobility.services.selection import RANKED_STATES, ScoreSheet, rank_sheets, ranking_pool

A = ApplicationState
HOLDING_STATES = (A.OFFERED, A.ACCEPTED, A.NOMINATED)
PUBLICITY_STATES = (CallState.PUBLISHED, CallState.FINISHED)


# --- who may open which page ---------------------------------------------------------------------------


def is_call_reviewer(user) -> bool:
    """A committee member of some call (an internal account)."""
    return is_internal(user) and CallReviewer.objects.filter(user=user).exists()


def can_open_application_list(user) -> bool:
    """The staff list: the office and leadership (all), schools' coordinators (their students and calls),
    committee members (their calls)."""
    if not is_internal(user):
        return False
    return can_read_university(user) or bool(permissions.acted_unit_ids(user)) or is_call_reviewer(user)


def can_open_school_queue(user) -> bool:
    """Schools' coordinators and secretaries decide there; the office too, leadership reads it."""
    return is_internal(user) and (can_read_university(user) or bool(permissions.acted_unit_ids(user)))


def can_see_call_results(user, call: Call) -> bool:
    """Ranking and allocation pages: the call's managers, the office and leadership."""
    return permissions.can_manage_call(user, call) or can_read_university(user)


# --- lists -----------------------------------------------------------------------------------------------


def application_list(*, user) -> QuerySet[Application]:
    """Applications ``user`` may see, with what a list row shows (student, school, call, offered partner)
    joined in one query."""
    return Application.objects.visible_to(user).select_related("person", "unit", "call", "offered__partner")


def application_export_list(*, user) -> QuerySet[Application]:
    """``application_list`` plus the ranked preferences' partners (one more query per export)."""
    preferences = ApplicationPreference.objects.select_related("destination__partner").order_by("rank")
    return application_list(user=user).prefetch_related(Prefetch("preferences", queryset=preferences))


def application_get(*, user, pk: int) -> Application:
    """Application ``pk`` if ``user`` may see it; raises ``Application.DoesNotExist`` otherwise (404)."""
    return (
        Application.objects.visible_to(user)
        .select_related("call", "call__unit", "person", "unit", "student", "offered__partner")
        .get(pk=pk)
    )


def school_queue(*, user) -> QuerySet[Application]:
    """Submitted applications waiting for the decision of ``user``'s schools (the office and leadership:
    every school), oldest submission first."""
    queryset = application_list(user=user).filter(state=A.SUBMITTED)
    if not can_read_university(user):
        units = permissions.acted_unit_ids(user)
        queryset = queryset.filter(unit_id__in=units)
    return queryset.order_by("submitted_at", "pk")


@dataclass
class ReviewRow:
    application: Application
    review: Review | None

    @property
    def status(self) -> str:
        if self.review is None:
            return "todo"
        return "submitted" if self.review.submitted_at else "draft"


def my_reviews(*, user, call: Call | None = None) -> list[ReviewRow]:
    """Applications ``user`` scores as a committee member (approved by the school, no conflict of interest),
    with their own review (or None), per call then number."""
    calls = CallReviewer.objects.filter(user=user).values("call_id")
    queryset = (
        Application.objects.visible_to(user)
        .filter(call_id__in=calls, state__in=RANKED_STATES)
        .exclude(pk__in=ReviewConflict.objects.filter(reviewer=user).values("application_id"))
        .select_related("person", "unit", "call")
        .prefetch_related(Prefetch("reviews", queryset=Review.objects.filter(reviewer=user), to_attr="mine"))
        .order_by("call__number", "number")
    )
    if call is not None:
        queryset = queryset.filter(call=call)
    return [ReviewRow(a, a.mine[0] if a.mine else None) for a in queryset]


def reviewer_calls(*, user) -> QuerySet[Call]:
    return Call.objects.filter(reviewers__user=user).order_by("-academic_year", "number")


# --- one application -----------------------------------------------------------------------------------


def preference_rows(application: Application) -> list[dict[str, Any]]:
    """The ranked destinations with whether the application meets each one's language requirement."""
    from meridian.mobility.services.allocation import destination_eligible

    rows = []
    for preference in application.preferences.select_related("destination__partner").order_by("rank"):
        rows.append(
            {
                "rank": preference.rank,
                "destination": preference.destination,
                "eligible": destination_eligible(application, preference.destination),
                "offered": preference.destination_id == application.offered_id,
            }
        )
    return rows


def review_rows(application: Application) -> list[Review]:
    """Every review of ``application`` with its reviewer, committee order."""
    return list(application.reviews.select_related("reviewer").order_by("reviewer__username"))


def conflict_rows(application: Application) -> list[ReviewConflict]:
    return list(application.conflicts.select_related("reviewer", "declared_by").order_by("declared_at"))


def committee_without_conflict(application: Application) -> list:
    """Committee members of the application's call who have no conflict with it (the office may declare one
    for them)."""
    conflicted = ReviewConflict.objects.filter(application=application).values("reviewer_id")
    return [
        r.user
        for r in CallReviewer.objects.filter(call_id=application.call_id)
        .exclude(user_id__in=conflicted)
        .select_related("user")
        .order_by("user__username")
    ]


def score_sheet_of(application: Application) -> ScoreSheet:
    """The application's score computed now from the counted reviews (compare with the stored ``score``)."""
    from meridian.mobility.services.selection import score_sheet

    application = ranking_pool(application.call).filter(pk=application.pk).first() or application
    reviewer_ids = set(
        CallReviewer.objects.filter(call_id=application.call_id).values_list("user_id", flat=True)
    )
    return score_sheet(application, list(application.call.criteria.all()), reviewer_ids)


# --- ranking ---------------------------------------------------------------------------------------------


@dataclass
class RankingPage:
    call: Call
    criteria: list[CallCriterion]
    sheets: list[ScoreSheet]
    stale: int  # applications whose stored score or rank differs from a computation now
    unranked: int
    waiting_for_school: int
    reviewers: int


def ranking_page(call: Call) -> RankingPage:
    """The ranking of ``call``: stored rank order (unranked last), each row's score sheet computed now."""
    pool = list(ranking_pool(call).select_related("person", "unit"))
    sheets = rank_sheets(call, pool)
    fresh_rank = {sheet.application.pk: position for position, sheet in enumerate(sheets, start=1)}
    stale = sum(
        1
        for sheet in sheets
        if sheet.application.score != sheet.score
        or sheet.application.rank != fresh_rank[sheet.application.pk]
    )
    sheets.sort(key=lambda s: (s.application.rank is None, s.application.rank or 0, s.application.number))
    return RankingPage(
        call=call,
        criteria=list(call.criteria.all()),
        sheets=sheets,
        stale=stale,
        unranked=sum(1 for s in sheets if s.application.rank is None),
        waiting_for_school=Application.objects.filter(call=call, state=A.SUBMITTED).count(),
        reviewers=CallReviewer.objects.filter(call=call).count(),
    )


# --- allocation ------------------------------------------------------------------------------------------


@dataclass
class DestinationFill:
    destination: CallDestination
    offered: int = 0
    accepted: int = 0
    nominated: int = 0
    waiting: int = 0  # waitlisted applicants who ranked it

    @property
    def held(self) -> int:
        return self.offered + self.accepted + self.nominated

    @property
    def free(self) -> int:
        return max(self.destination.places - self.held, 0)


@dataclass
class ExplainedRow:
    application: Application
    reasons: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AllocationPage:
    call: Call
    fills: list[DestinationFill]
    rows: list[ExplainedRow]
    runs: list[AllocationRun]
    places: int
    held: int


OUTCOME_LABELS = {
    "offered": lambda: _("offered"),
    "taken": lambda: _("taken by higher-ranked applicants"),
    "not_eligible": lambda: _("requirements not met"),
    "not_reached": lambda: _("not reached"),
    "waitlisted": lambda: _("waiting list"),
}


def allocation_page(call: Call) -> AllocationPage:
    """Per-destination fill (places, offered, accepted, nominated, free, waiting), the allocated
    applications in rank order with their explanation (destination names resolved once), and the runs."""
    destinations = list(
        CallDestination.objects.filter(call=call).select_related("partner").order_by("partner__name", "pk")
    )
    fills = {d.pk: DestinationFill(d) for d in destinations}
    names = {d.pk: str(d.partner) for d in destinations}
    applications = list(
        Application.objects.filter(call=call, rank__isnull=False)
        .exclude(state__in=[A.DRAFT, A.SUBMITTED, A.INELIGIBLE])
        .select_related("person", "unit")
        .order_by("rank", "number")
    )
    rows = []
    for application in applications:
        fill = fills.get(application.offered_id) if application.offered_id else None
        if fill is not None:
            if application.state == A.OFFERED:
                fill.offered += 1
            elif application.state == A.ACCEPTED:
                fill.accepted += 1
            elif application.state == A.NOMINATED:
                fill.nominated += 1
        reasons = []
        for item in application.allocation or []:
            if not isinstance(item, dict):
                continue
            destination = int(item.get("destination") or 0)
            if (
                application.state == A.WAITLISTED
                and destination in fills
                and item.get("outcome") == "waitlisted"
            ):
                fills[destination].waiting += 1
            label = OUTCOME_LABELS.get(str(item.get("outcome")))
            reasons.append(
                {
                    "preference": item.get("preference"),
                    "destination": names.get(destination, _("a destination no longer offered")),
                    "outcome": item.get("outcome"),
                    "label": label() if label else item.get("outcome"),
                    "by_rank": item.get("by_rank"),
                }
            )
        rows.append(ExplainedRow(application, reasons))
    places = sum(d.places for d in destinations)
    return AllocationPage(
        call=call,
        fills=list(fills.values()),
        rows=rows,
        runs=list(AllocationRun.objects.filter(call=call).select_related("ran_by").order_by("-number")[:20]),
        places=places,
        held=sum(f.held for f in fills.values()),
    )


# --- publicity -------------------------------------------------------------------------------------------


def mask_name(person) -> str:
    """A name as a public list shows it to students: "李*" / "欧阳**" keep the first character of the Chinese
    name; Latin names keep the initials ("L*** M.")."""
    if person.name_zh:
        return person.name_zh[:1] + "*" * max(len(person.name_zh) - 1, 1)
    family = (person.family_name or "?")[:1].upper()
    given = (person.given_name or "")[:1].upper()
    return f"{family}***" + (f" {given}." if given else "")


def publicity_open_to_applicants(call: Call, today: datetime.date | None = None) -> bool:
    """The call's applicants see the list from publication to the last day of the publicity."""
    today = today or casework.today()
    return (
        call.state in PUBLICITY_STATES
        and call.results_published_at is not None
        and call.publicity_ends_on is not None
        and today <= call.publicity_ends_on
    )


def is_call_applicant(user, call: Call) -> bool:
    """``user`` submitted an application to ``call`` (drafts do not count)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Application.objects.filter(call=call, student=user).exclude(state=A.DRAFT).exists()


def publicity_access(user, call: Call) -> str:
    """ "staff" (full list, also before publication as a preview), "applicant" (masked list during the
    publicity) or "" (404)."""
    if is_internal(user) and Call.objects.visible_to(user).filter(pk=call.pk).exists():
        if call.state in (CallState.ALLOCATED, *PUBLICITY_STATES):
            return "staff"
        return ""
    if is_call_applicant(user, call) and publicity_open_to_applicants(call):
        return "applicant"
    return ""


@dataclass(frozen=True)
class PublicityRow:
    number: str
    name: str
    school: str
    destination: str
    rank: int | None = None
    state: str = ""
    mine: bool = False


def publicity_rows(call: Call, *, user, full: bool) -> list[PublicityRow]:
    """The applications holding a place (offered, accepted, nominated), by destination then rank. ``full``
    (staff): full names, rank and state; otherwise the application number, a masked name, the school and
    the destination only."""
    applications = (
        Application.objects.filter(call=call, state__in=HOLDING_STATES, offered__isnull=False)
        .select_related("person", "unit", "offered__partner")
        .order_by("offered__partner__name", "offered_id", "rank", "number")
    )
    rows = []
    for a in applications:
        offered = a.offered
        destination = f"{offered.partner} · {offered.get_mobility_type_display()}" if offered else ""
        mine = a.student_id == getattr(user, "pk", None)
        if full:
            rows.append(
                PublicityRow(
                    a.number, str(a.person), str(a.unit), destination, a.rank, a.get_state_display(), mine
                )
            )
        else:
            rows.append(PublicityRow(a.number, mask_name(a.person), str(a.unit), destination, mine=mine))
    return rows


def state_counts(queryset: QuerySet) -> dict[str, int]:
    return dict(queryset.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))


def call_choices_for_reviewer(user) -> Sequence[Call]:
    return list(reviewer_calls(user=user))
