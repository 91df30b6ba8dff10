"""Reads of the workflow engine: case history, approval runs, the inbox and its counts.

Every list runs a fixed number of queries whatever its length: cases are fetched per case type in one query
each, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from meridian.core.models import Notification
from meridian.workflow import permissions
from meridian.workflow.choices import ApprovalState, AssigneeKind, TaskState
from meridian.workflow.models import (
    ApprovalChain,
    ApprovalChainVersion,
    CaseApproval,
    StepTask,
    TransitionLog,
    Watch,
)
from meridian.workflow.registry import case_types


def _ref(case) -> dict[str, Any]:
    return {"content_type": ContentType.objects.get_for_model(case), "object_id": case.pk}


def history_for(*, case) -> QuerySet[TransitionLog]:
    """Every move and step action on ``case``, newest first, with actors and attached files."""
    return (
        TransitionLog.objects.filter(**_ref(case))
        .select_related("actor", "on_behalf_of", "step_task")
        .prefetch_related("files")
        .order_by("-at", "-id")
    )


def approval_for(*, case) -> CaseApproval | None:
    """The latest approval run of ``case`` with its steps and their assignees, or None."""
    return (
        CaseApproval.objects.filter(**_ref(case))
        .select_related("chain_version__chain")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=StepTask.objects.select_related("acted_by", "on_behalf_of").prefetch_related(
                    "assignees"
                ),
            )
        )
        .order_by("-started_at", "-id")
        .first()
    )


def step_action_label(action: str) -> str:
    """The readable name of a step action written to the log ("step_approve" → "Approve")."""
    from meridian.workflow.choices import StepActionKind

    code = action.removeprefix("step_")
    return str(StepActionKind(code).label) if code in StepActionKind.values else action


def is_watching(*, case, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Watch.objects.filter(user=user, **_ref(case)).exists()


def _mine_condition(user) -> Q:
    principals = permissions.principals_covered(user)
    return Q(assignees=user) | Q(assignees__in=principals) if principals else Q(assignees=user)


def tasks_for(*, user) -> QuerySet[StepTask]:
    """Open approval steps ``user`` may decide: as an assignee, by delegation, or as a deputy today."""
    if not getattr(user, "is_authenticated", False):
        return StepTask.objects.none()
    ids = StepTask.objects.filter(_mine_condition(user), state=TaskState.OPEN).values("pk")
    return (
        StepTask.objects.filter(pk__in=ids, approval__state=ApprovalState.RUNNING)
        .select_related("approval")
        .order_by("due_at", "id")
    )


def assigned_case_ids(*, user, model) -> QuerySet:
    """Ids of cases of ``model`` on which ``user`` holds or held an approval step (directly or as a deputy).

    A case type's visibility rule includes these so that an approver from another unit (finance, HR, legal)
    can read the case they decide: ``Q(pk__in=assigned_case_ids(user=user, model=Agreement))``.
    """
    if not getattr(user, "is_authenticated", False):
        return StepTask.objects.none().values_list("approval__object_id", flat=True)
    return (
        StepTask.objects.filter(
            _mine_condition(user) | Q(acted_by=user),
            approval__content_type=ContentType.objects.get_for_model(model),
        )
        .values_list("approval__object_id", flat=True)
        .distinct()
    )


def office_tasks() -> QuerySet[StepTask]:
    """Open steps that wait for the International Office."""
    return (
        StepTask.objects.filter(
            state=TaskState.OPEN,
            assignee_kind=AssigneeKind.INTERNATIONAL_OFFICE,
            approval__state=ApprovalState.RUNNING,
        )
        .select_related("approval")
        .order_by("due_at", "id")
    )


def overdue_count(tasks: QuerySet[StepTask]) -> int:
    """How many of ``tasks`` are past their due time."""
    return tasks.filter(due_at__lt=timezone.now()).count()


def open_task_count(*, user) -> int:
    """How many approval steps wait for ``user`` (the navigation badge)."""
    return tasks_for(user=user).count()


@dataclass
class InboxRow:
    """A line of the inbox: the case (title, state, page), and for a task its step and due time."""

    case_type: Any
    case: Any
    title: str
    state: str
    state_label: str
    url: str
    task: StepTask | None = None
    due_at: datetime | None = None
    overdue: bool = False


def _cases_by_ref(refs: list[tuple[int, int]], user) -> dict[tuple[int, int], Any]:
    """Fetch the visible cases for (content type id, object id) pairs: one query per case type."""
    by_type: dict[int, list[int]] = defaultdict(list)
    for ct_id, obj_id in refs:
        by_type[ct_id].append(obj_id)
    found: dict[tuple[int, int], Any] = {}
    for case_type in case_types:
        ct = ContentType.objects.get_for_model(case_type.model_class)
        ids = by_type.get(ct.pk)
        if not ids:
            continue
        queryset = case_type.visible(user, case_type.model_class._default_manager.filter(pk__in=ids))
        for case in queryset:
            found[(ct.pk, case.pk)] = case
    return found


def _row(case, case_type, task: StepTask | None = None, now: datetime | None = None) -> InboxRow:
    state = case_type.state_of(case)
    return InboxRow(
        case_type=case_type,
        case=case,
        title=case_type.title(case),
        state=state,
        state_label=case_type.state_label(state),
        url=case.get_absolute_url() if hasattr(case, "get_absolute_url") else "",
        task=task,
        due_at=task.due_at if task else None,
        overdue=task.is_overdue(now) if task else False,
    )


def case_types_for(*, user, startable: Sequence[str] | None = None) -> list[Any]:
    """The case types ``user`` can file or can see, for the inbox's "Case type" filter (by code).

    A type counts when a visible case starter is registered under its code (``registry.case_starters``,
    whose key is the case type code) or when the type's own visibility rule leaves the user at least one case
    (as applicant, approver, unit or office). One ``exists`` query per case type; students and partner
    contacts therefore never get internal types (official trips, foreign experts) they can never have.
    Pass ``startable`` (codes) when the caller has already evaluated the starters.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    if startable is None:
        from meridian.core.registry import registry

        startable = [s.key for s in registry.case_starters if s.visible(user)]
    offered = []
    for ct in case_types:
        if ct.code in startable or ct.visible(user, ct.model_class._default_manager.all()).exists():
            offered.append(ct)
    return offered


def filter_tasks(
    tasks: QuerySet[StepTask], *, case_type: str = "", overdue: bool = False
) -> QuerySet[StepTask]:
    """``tasks`` narrowed to one case type (its code) and/or to those past their due time."""
    if case_type:
        tasks = tasks.filter(approval__case_type=case_type)
    if overdue:
        tasks = tasks.filter(due_at__lt=timezone.now())
    return tasks


def rows_for_tasks(chosen: Sequence[StepTask], *, user) -> list[InboxRow]:
    """Inbox rows for the given tasks (one page of them), skipping cases the user may not see."""
    now = timezone.now()
    refs = [(t.approval.content_type_id, t.approval.object_id) for t in chosen]
    cases = _cases_by_ref(refs, user)
    rows = []
    for t in chosen:
        case = cases.get((t.approval.content_type_id, t.approval.object_id))
        if case is not None:
            rows.append(_row(case, case_types.get(t.approval.case_type), t, now))
    return rows


def my_case_rows(*, user, case_type: str = "", state: str = "", limit: int = 200) -> list[InboxRow]:
    """The cases ``user`` started or applies for, newest first, per case type."""
    rows: list[InboxRow] = []
    for ct in case_types:
        if case_type and ct.code != case_type:
            continue
        queryset = ct.visible(user, ct.cases_of(user, ct.model_class._default_manager.all()))
        if state:
            queryset = queryset.filter(**{ct.state_field: state})
        for case in queryset.order_by("-pk")[:limit]:
            rows.append(_row(case, ct))
    return rows


def watched_rows(*, user, case_type: str = "", state: str = "") -> list[InboxRow]:
    """The cases ``user`` watches and may still see."""
    refs = list(Watch.objects.filter(user=user).values_list("content_type_id", "object_id"))
    cases = _cases_by_ref(refs, user)
    rows = []
    for (_ct, _pk), case in cases.items():
        ct = case_types.for_model(case)
        if case_type and ct.code != case_type:
            continue
        if state and ct.state_of(case) != state:
            continue
        rows.append(_row(case, ct))
    return rows


def notifications_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    return rows.filter(read_at__isnull=True) if unread_only else rows


def chains_list() -> QuerySet[ApprovalChain]:
    """Every chain with its unit and versions (newest first)."""
    return (
        ApprovalChain.objects.select_related("unit")
        .prefetch_related(Prefetch("versions", queryset=ApprovalChainVersion.objects.order_by("-number")))
        .order_by("case_type", "unit__path", "name")
    )


def chain_version_latest(chain: ApprovalChain) -> ApprovalChainVersion | None:
    return chain.versions.prefetch_related("steps__person").order_by("-number").first()
