"""Reads of the student portal: open calls a student may apply to, their applications with what the student
may see of them (the status, the allocation once published, messages without internal notes), their
mobilities; and ``explain_allocation``, the allocation explanation as sentences (staff pages reuse it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.accounts.permissions import is_internal
from meridian.mobility import permissions
from meridian.mobility.choices import ApplicationState, CallState
from meridian.mobility.models import (
    Application,
    ApplicationMessage,
    ApplicationPreference,
    Call,
    CallDestination,
    LearningAgreement,
    Mobility,
)
from meridian.mobility.services.applications import call_is_for, student_unit

A = ApplicationState
# States that only mean something to the student once the results are published (the publicity period).
ALLOCATION_STATES = {A.OFFERED, A.WAITLISTED}
RESULTS_PUBLIC = {CallState.PUBLISHED, CallState.FINISHED}
# Moves whose log entry the student sees, and those whose comment is written for the student.
STUDENT_LOG_MOVES = {
    "submit",
    "return",
    "pre_approve",
    "reject",
    "offer",
    "waitlist",
    "accept_offer",
    "decline_offer",
    "expire_offer",
    "nominate",
    "withdraw",
}
COMMENT_FOR_STUDENT = {"return", "reject", "withdraw", "decline_offer"}


# --- calls --------------------------------------------------------------------------------------------


def calls_open_for(*, user) -> list[Call]:
    """Calls open for applications now that ``user`` (a student) may apply to: every call of the office or
    the university, and the own calls of the student's school (``services.applications.call_is_for``);
    ordered by deadline. Each call carries ``my_application`` (the student's application or None)."""
    if not permissions.can_apply(user):
        return []
    now = timezone.now()
    calls = list(
        Call.objects.filter(state=CallState.OPEN, opens_at__lte=now, closes_at__gte=now)
        .select_related("unit")
        .prefetch_related(
            Prefetch("destinations", queryset=CallDestination.objects.select_related("partner"))
        )
        .order_by("closes_at", "pk")
    )
    unit = student_unit(user)
    calls = [call for call in calls if call_is_for(call, unit)]
    mine = dict(Application.objects.filter(student=user, call__in=calls).values_list("call_id", "pk"))
    for call in calls:
        call.my_application = mine.get(call.pk)  # type: ignore[attr-defined]
    return calls


def call_for_student(*, user, pk: int) -> Call | None:
    """A call as the student portal shows it: one that has been opened (not a draft, not cancelled)."""
    return (
        Call.objects.exclude(state__in=[CallState.DRAFT, CallState.CANCELLED])
        .select_related("unit")
        .prefetch_related(
            Prefetch("destinations", queryset=CallDestination.objects.select_related("partner")),
            "questions",
        )
        .filter(pk=pk)
        .first()
    )


# --- applications -------------------------------------------------------------------------------------


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "call", "call__unit", "offered", "offered__partner", "unit"
    ).prefetch_related(
        Prefetch(
            "preferences",
            queryset=ApplicationPreference.objects.select_related("destination", "destination__partner"),
        ),
        "files",
    )


def student_applications(*, user) -> QuerySet:
    """The applications of ``user`` (the student's own only), newest first, with call, preferences, files
    and the place offered."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return _with_details(Application.objects.filter(student=user)).order_by("-created_at", "-id")


def own_application(*, user, pk: int) -> Application | None:
    """Application ``pk`` when ``user`` is its student; None otherwise (the view answers 404)."""
    return student_applications(user=user).filter(pk=pk).first()


def results_public(application: Application) -> bool:
    """The call's results are published (or the call finished): the student may see the allocation."""
    return application.call.state in RESULTS_PUBLIC


def student_state(application: Application) -> tuple[str, str]:
    """``(code, label)`` of the state as the student sees it: an offer or a waiting-list place stays
    "approved by the school" until the results are published."""
    if application.state in ALLOCATION_STATES and not results_public(application):
        return A.PRE_APPROVED, str(A.PRE_APPROVED.label)
    return application.state, application.get_state_display()


def messages_for(*, application: Application, user) -> QuerySet:
    """The messages of ``application`` that ``user`` may read, oldest first: internal notes only for staff
    who may see the application, never for the student."""
    rows = ApplicationMessage.objects.filter(application=application).select_related("author")
    if permissions.is_applicant(user, application) or not is_internal(user):
        rows = rows.filter(internal=False)
    return rows.order_by("created_at", "id")


def unread_count(*, application: Application, user) -> int:
    """Messages from staff the student has not opened yet."""
    return (
        ApplicationMessage.objects.filter(application=application, internal=False, read_at__isnull=True)
        .exclude(author_id=user.pk)
        .count()
    )


@dataclass(frozen=True)
class LogRow:
    at: Any
    label: str
    comment: str


def student_log(application: Application) -> list[LogRow]:
    """The moves of the application the student may see, newest first: the state reached and, for a
    return, a rejection or their own withdrawal, the comment. Allocation moves appear once published."""
    from meridian.workflow.models import TransitionLog

    public = results_public(application)
    labels = dict(A.choices)
    rows = []
    entries = TransitionLog.objects.filter(
        content_type__app_label="mobility",
        content_type__model="application",
        object_id=application.pk,
        step_task__isnull=True,
    ).order_by("-at", "-id")
    for entry in entries:
        if entry.action not in STUDENT_LOG_MOVES:
            continue
        if entry.action in ("offer", "waitlist") and not public:
            continue
        comment = entry.comment if entry.action in COMMENT_FOR_STUDENT else ""
        rows.append(
            LogRow(at=entry.at, label=str(labels.get(entry.to_state, entry.to_state)), comment=comment)
        )
    return rows


def question_rows(application: Application) -> list[dict[str, Any]]:
    """The call's questions with the student's answers: ``[{"question", "answer"}]``."""
    answers = application.answers or {}
    return [
        {"question": question, "answer": answers.get(str(question.pk), "")}
        for question in application.call.questions.all()
    ]


# --- the allocation explanation -------------------------------------------------------------------------


def _destination_names(ids: list[int]) -> dict[int, str]:
    rows = CallDestination.objects.filter(pk__in=ids).select_related("partner")
    return {row.pk: str(row.partner) for row in rows}


def _number(value: Any) -> int:
    """A whole number stored in the JSON explanation; 0 for anything else."""
    return int(value) if str(value).isdigit() else 0


def explain_allocation(application: Application) -> list[str]:
    """The allocation explanation as sentences, one per preference, in preference order.

    Reads ``application.allocation`` (``[{"preference": n, "destination": id, "outcome": "offered" |
    "taken" | "not_eligible" | "not_reached" | "waitlisted", "by_rank": k}]``, written by the seat
    allocation): for example "Preference 2: the places at X went to higher-ranked applicants (last place:
    rank 12)." Unknown outcomes are left out. One query for the destinations' names.
    """
    items = [item for item in (application.allocation or []) if isinstance(item, dict)]
    if not items:
        return []
    names = _destination_names([_number(i.get("destination")) for i in items])
    sentences = []
    for item in sorted(items, key=lambda i: _number(i.get("preference"))):
        destination = names.get(_number(item.get("destination")))
        values = {
            "n": item.get("preference") or "?",
            "destination": destination or _("a destination no longer offered"),
            "rank": item.get("by_rank"),
        }
        outcome = item.get("outcome")
        if outcome == "offered":
            text = _("Preference %(n)s: you were offered a place at %(destination)s.")
        elif outcome == "taken":
            text = (
                _(
                    "Preference %(n)s: the places at %(destination)s went to higher-ranked applicants "
                    "(last place: rank %(rank)s)."
                )
                if values["rank"]
                else _("Preference %(n)s: the places at %(destination)s went to higher-ranked applicants.")
            )
        elif outcome == "not_eligible":
            text = _("Preference %(n)s: you do not meet the requirements of %(destination)s.")
        elif outcome == "not_reached":
            text = _(
                "Preference %(n)s: %(destination)s was not considered, because you were offered a place you "
                "ranked higher."
            )
        elif outcome == "waitlisted":
            text = (
                _(
                    "Preference %(n)s: you are on the waiting list for %(destination)s (last place given: "
                    "rank %(rank)s)."
                )
                if values["rank"]
                else _("Preference %(n)s: you are on the waiting list for %(destination)s.")
            )
        else:
            continue
        sentences.append(text % values)
    return sentences


# --- mobilities ---------------------------------------------------------------------------------------


def student_mobilities(*, user) -> list[Mobility]:
    """The student's own mobilities (outgoing and incoming), newest first; each with ``latest_la`` (its
    newest learning agreement, or None)."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = list(
        Mobility.objects.visible_to(user)
        .filter(student=user)
        .select_related("partner")
        .prefetch_related(
            Prefetch(
                "learning_agreements", queryset=LearningAgreement.objects.order_by("-version_number", "-id")
            )
        )
    )
    for row in rows:
        agreements = list(row.learning_agreements.all())
        row.latest_la = agreements[0] if agreements else None  # type: ignore[attr-defined]
    return rows
