"""Template tags a case page uses to show its moves, its approval steps and its history.

{% load workflow %}
{% case_workflow case %}   moves + approval steps (with the current user's decision forms) + follow button
{% case_moves case %}      only the moves: available ones as forms, the others with the reasons
{% case_approval case %}   only the approval steps
{% case_history case %}    the log of moves and step actions, with attached files
"""

from __future__ import annotations

from typing import Any

from django import template

from meridian.workflow import permissions, selectors
from meridian.workflow.choices import TaskState
from meridian.workflow.registry import case_types
from meridian.workflow.services import moves_for

register = template.Library()


def _user(context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


def _moves(case, user) -> dict[str, Any]:
    case_type = case_types.for_model(case)
    applicant = case_type.applicant_of(case)
    acting_for = None
    if (
        applicant is not None
        and user is not None
        and applicant.pk != user.pk
        and permissions.can_act_for_applicant(user, unit=case_type.unit(case))
    ):
        acting_for = applicant
    moves = []
    for option in moves_for(case=case, user=user):
        fields = [
            {
                "name": name,
                "label": case_type.field_label(name),
                "type": _input_type(case_type, name),
                "value": getattr(case, name, None),
            }
            for name in option.inputs
        ]
        moves.append({"option": option, "fields": fields})
    return {"case": case, "case_type": case_type, "moves": moves, "acting_for": acting_for}


def _input_type(case_type, name: str) -> str:
    try:
        internal = case_type.model_class._meta.get_field(name).get_internal_type()
    except Exception:  # noqa: BLE001 - not a model field: plain text
        return "text"
    return {"DateField": "date", "DateTimeField": "datetime-local"}.get(
        internal, "number" if "Integer" in internal or internal in ("DecimalField", "FloatField") else "text"
    )


def _distinct_steps(tasks: list[Any]) -> list[Any]:
    """The steps to list, one line each: a skipped step is left out when a step of the same order and name
    is listed already (a chain that words "official or referred" as two exclusive steps shows one line)."""
    running = {(t.order, t.label) for t in tasks if t.state != TaskState.SKIPPED}
    seen: set[tuple[int, str]] = set()
    shown = []
    for task in tasks:
        key = (task.order, task.label)
        if task.state == TaskState.SKIPPED and (key in running or key in seen):
            continue
        seen.add(key)
        shown.append(task)
    return shown


def _approval(case, user) -> dict[str, Any]:
    case_type = case_types.for_model(case)
    approval = selectors.approval_for(case=case)
    steps = []
    if approval is not None:
        for task in _distinct_steps(list(approval.tasks.all())):
            mine, principal = (
                permissions.task_acting_for(user, task) if task.state == TaskState.OPEN else (False, None)
            )
            steps.append(
                {
                    "task": task,
                    "assignees": list(task.assignees.all()),
                    "mine": mine,
                    "principal": principal,
                    "can_delegate": task.state == TaskState.OPEN
                    and permissions.can_delegate_task(user, task),
                    "overdue": task.is_overdue(),
                }
            )
    return {
        "case": case,
        "case_type": case_type,
        "approval": approval,
        "steps": steps,
        "can_reject": case_type.approval is not None and case_type.approval.rejected is not None,
        "fields": list(case_type.fields),
    }


@register.inclusion_tag("workflow/includes/case_moves.html", takes_context=True)
def case_moves(context, case) -> dict[str, Any]:
    return {
        **_moves(case, _user(context)),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("workflow/includes/case_approval.html", takes_context=True)
def case_approval(context, case) -> dict[str, Any]:
    return {
        **_approval(case, _user(context)),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("workflow/includes/case_workflow.html", takes_context=True)
def case_workflow(context, case) -> dict[str, Any]:
    user = _user(context)
    case_type = case_types.for_model(case)
    return {
        **_moves(case, user),
        **_approval(case, user),
        "watching": selectors.is_watching(case=case, user=user),
        "case_type": case_type,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("workflow/includes/case_history.html")
def case_history(case) -> dict[str, Any]:
    case_type = case_types.for_model(case)
    entries = list(selectors.history_for(case=case))
    labels = {t.name: str(t.label) for t in case_type.transitions}
    fields = {f.name: str(f.label) for f in case_type.fields}
    rows = []
    for e in entries:
        rows.append(
            {
                "entry": e,
                "label": labels.get(e.action) or selectors.step_action_label(e.action),
                "from_label": case_type.state_label(e.from_state),
                "to_label": case_type.state_label(e.to_state),
                "field_comments": [(fields.get(k, k), v) for k, v in (e.field_comments or {}).items()],
                "files": list(e.files.all()),
            }
        )
    return {"rows": rows}
