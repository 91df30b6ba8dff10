"""Approval chains: their configuration (versioned), their runs on cases, and the actions on their steps.

Choosing a chain: among the active chains of the case type, the one whose unit is the case's unit or its
nearest ancestor wins; a chain without a unit serves every other case. No chain: the case type's review moves
stay ordinary manual moves.

A run (``CaseApproval``) uses the chain's newest version when a case is first submitted and that same version
on every later resubmission ("a case keeps the chain version it started with"). Steps whose conditions do not
hold are recorded as skipped. Steps with the same order form a parallel group; the next group opens when every
step of the current one approved; after the last group the case type's ``approved`` move fires.

Due times: hours and calendar days are added to the moment a step opens; working days use the working-day
calendar of ``meridian.clocks`` (Chinese public holidays and adjusted working days).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.accounts.choices import Role
from meridian.accounts.models import OrgUnit, User
from meridian.clocks import calendar as clocks_calendar
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.notifications import notify
from meridian.workflow import permissions
from meridian.workflow.choices import (
    ApprovalState,
    AssigneeKind,
    DueUnit,
    PostKind,
    StepActionKind,
    TaskState,
    UnitFunctionCode,
)
from meridian.workflow.conditions import conditions_hold, parse_conditions
from meridian.workflow.declaration import ApprovalHooks, CaseType
from meridian.workflow.models import (
    ApprovalChain,
    ApprovalChainVersion,
    ApprovalStep,
    CaseApproval,
    Deputy,
    StepTask,
    UnitFunction,
    UnitPost,
)
from meridian.workflow.registry import case_types


def add_working_days(start: date, days: int) -> date:
    """``start`` plus ``days`` working days on the site's calendar (Chinese public holidays, adjusted working
    days and the site's own closures, from ``meridian.clocks.calendar``); ``start`` itself is not counted."""
    return clocks_calendar.add_working_days(start, days)


def due_at(*, opened: datetime, amount: int | None, unit: str) -> datetime | None:
    """When a step opened at ``opened`` is due: ``amount`` hours, calendar days or working days later.

    Working days keep the time of day and count from the next working day (the opening day is not counted).
    None when the step has no due time.
    """
    if not amount:
        return None
    if unit == DueUnit.HOURS:
        return opened + timedelta(hours=amount)
    if unit == DueUnit.WORKING_DAYS:
        local = timezone.localtime(opened)
        day = add_working_days(local.date(), amount)
        return local.replace(year=day.year, month=day.month, day=day.day)
    return opened + timedelta(days=amount)


# A step is due within a year at most, in whichever unit it counts.
MAX_DUE = {DueUnit.HOURS: 24 * 365, DueUnit.DAYS: 365, DueUnit.WORKING_DAYS: 250}


# --- configuration ----------------------------------------------------------------------------------

# The longest chain or step name (English or Chinese), as the models store it.
NAME_MAX = 200


def _check_configurer(actor) -> None:
    if actor is not None and not permissions.can_configure_chains(actor):
        raise PermissionDeniedError(_("Only administrators configure approval chains."))


def _clean_steps(case_type: CaseType, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not steps:
        raise ValidationError({"steps": [_("A chain needs at least one step.")]})
    errors: list[str] = []
    cleaned = []
    for number, raw in enumerate(steps, start=1):
        step = dict(raw)
        label = (step.get("label") or "").strip()
        label_zh = (step.get("label_zh") or "").strip()
        kind = step.get("assignee_kind")
        prefix = _("Step %(number)d: ") % {"number": number}
        if not label:
            errors.append(prefix + _("give the step a name."))
        if len(label) > NAME_MAX or len(label_zh) > NAME_MAX:
            errors.append(prefix + _("a name may have at most %(max)d characters.") % {"max": NAME_MAX})
        if kind not in AssigneeKind.values:
            errors.append(prefix + _("choose who decides."))
        function = step.get("function") or ""
        person = step.get("person")
        if kind == AssigneeKind.FUNCTION and function not in UnitFunctionCode.values:
            errors.append(prefix + _("choose the office that decides."))
        if kind == AssigneeKind.PERSON and person is None:
            errors.append(prefix + _("choose the person who decides."))
        conditions = step.get("conditions") or []
        if isinstance(conditions, str):
            try:
                conditions = parse_conditions(conditions, case_type=case_type)
            except ValidationError as exc:
                errors.extend(prefix + m for m in exc.messages)
                conditions = []
        order = step.get("order") or number
        try:
            order = int(order)
            if order < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(prefix + _("the order must be a whole number from 1."))
            order = number
        due_unit = step.get("due_unit") or DueUnit.DAYS
        if due_unit not in DueUnit.values:
            errors.append(prefix + _("choose hours, calendar days or working days."))
        due_amount = step.get("due_amount") or None
        if due_amount is not None:
            ceiling = MAX_DUE.get(due_unit, MAX_DUE[DueUnit.DAYS])
            try:
                due_amount = int(due_amount)
                if not 1 <= due_amount <= ceiling:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(
                    prefix
                    + _("the due time must be a whole number from 1 to %(ceiling)d (a year).")
                    % {"ceiling": ceiling}
                )
                due_amount = None
        cleaned.append(
            {
                "order": order,
                "label": label[:NAME_MAX],
                "label_zh": label_zh[:NAME_MAX],
                "assignee_kind": kind,
                "function": function if kind == AssigneeKind.FUNCTION else "",
                "person": person if kind == AssigneeKind.PERSON else None,
                "conditions": conditions,
                "due_amount": due_amount,
                "due_unit": due_unit,
            }
        )
    if errors:
        raise ValidationError({"steps": errors})
    return cleaned


def _clean_names(name: str, name_zh: str) -> tuple[str, str]:
    """The chain's English and Chinese names, stripped; ``ValidationError`` when too long or no English."""
    name, name_zh = name.strip(), name_zh.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the chain a name.")]
    too_long = _("A name may have at most %(max)d characters.") % {"max": NAME_MAX}
    if len(name) > NAME_MAX:
        errors["name"] = [too_long]
    if len(name_zh) > NAME_MAX:
        errors["name_zh"] = [too_long]
    if errors:
        raise ValidationError(errors)
    return name, name_zh


@transaction.atomic
def chain_create(
    *,
    actor,
    case_type: str,
    name: str,
    steps: list[dict[str, Any]],
    unit: OrgUnit | None = None,
    note: str = "",
    name_zh: str = "",
) -> ApprovalChain:
    """Create a chain for ``case_type`` (a registered code), for every unit or for ``unit``, with version 1.

    ``name`` and the optional ``name_zh`` name the chain in English and Chinese (readers see the one of their
    language, English when no Chinese is given).
    ``steps``: dicts with ``order`` (parallel when equal), ``label`` and the optional ``label_zh`` (the step's
    English and Chinese names), ``assignee_kind`` (AssigneeKind),
    ``function`` (UnitFunctionCode, for "function"), ``person`` (User, for "person"), ``conditions`` (a list
    of ``{"field","op","value"}`` or the text form, see conditions.py), ``due_amount`` and ``due_unit``
    (hours / days / working_days). Raises ``PermissionDeniedError`` unless ``actor`` is an administrator,
    ``ValidationError`` listing every bad step, ``DomainError`` when an active chain already has this scope.
    """
    _check_configurer(actor)
    if case_type not in case_types:
        raise ValidationError({"case_type": [_("Unknown case type.")]})
    name, name_zh = _clean_names(name, name_zh)
    cleaned = _clean_steps(case_types.get(case_type), steps)
    if ApprovalChain.objects.filter(case_type=case_type, unit=unit, is_active=True).exists():
        raise DomainError(
            _(
                "An active chain for this case type and unit exists already; "
                "publish a new version of it instead."
            )
        )
    chain = ApprovalChain.objects.create(case_type=case_type, unit=unit, name=name, name_zh=name_zh)
    _publish(chain, actor, cleaned, note or _("First version"))
    return chain


def _publish(chain: ApprovalChain, actor, cleaned: list[dict[str, Any]], note: str) -> ApprovalChainVersion:
    last = chain.versions.aggregate(n=Max("number"))["n"] or 0
    version = ApprovalChainVersion.objects.create(
        chain=chain, number=last + 1, created_by=actor, note=note[:300]
    )
    ApprovalStep.objects.bulk_create([ApprovalStep(version=version, **step) for step in cleaned])
    return version


@transaction.atomic
def chain_version_publish(
    *,
    chain: ApprovalChain,
    actor,
    steps: list[dict[str, Any]],
    note: str = "",
    name: str | None = None,
    name_zh: str | None = None,
) -> ApprovalChainVersion:
    """Publish new steps for ``chain`` as its next version; running and returned cases keep their version.

    ``name`` / ``name_zh`` rename the chain when given (None or an empty English name keeps it; an empty
    ``name_zh`` removes the Chinese name). Same step format and errors as ``chain_create``.
    """
    _check_configurer(actor)
    chain = ApprovalChain.objects.select_for_update().get(pk=chain.pk)
    new_name, new_name_zh = _clean_names(
        name if name is not None and name.strip() else chain.name,
        name_zh if name_zh is not None else chain.name_zh,
    )
    cleaned = _clean_steps(case_types.get(chain.case_type), steps)
    if (new_name, new_name_zh) != (chain.name, chain.name_zh):
        chain.name, chain.name_zh = new_name, new_name_zh
        chain.save(update_fields=["name", "name_zh"])
    return _publish(chain, actor, cleaned, note)


_STEP_FIELDS = (
    "order",
    "label",
    "label_zh",
    "assignee_kind",
    "function",
    "person_id",
    "conditions",
    "due_amount",
    "due_unit",
)


def _step_signature(step: ApprovalStep) -> tuple[Any, ...]:
    return tuple(getattr(step, name) for name in _STEP_FIELDS)


@transaction.atomic
def chain_ensure(
    *, actor, case_type: str, name: str, steps: list[dict[str, Any]], note: str = "", name_zh: str = ""
) -> ApprovalChain:
    """The active chain for every unit of ``case_type``, as given: for set-up scripts and the demo data.

    No active chain for every unit: one is created (``chain_create``). An active one with the same English
    ``name`` whose Chinese name or newest steps differ: the names are updated and the steps published as a new
    version (running cases keep theirs). An active chain with another name is somebody's own: left alone.
    Same arguments and errors as ``chain_create``.
    """
    _check_configurer(actor)
    chain = ApprovalChain.objects.filter(case_type=case_type, unit=None, is_active=True).first()
    if chain is None:
        return chain_create(
            actor=actor, case_type=case_type, name=name, name_zh=name_zh, steps=steps, note=note
        )
    if chain.name != name.strip() or case_type not in case_types:
        return chain
    cleaned = sorted(_clean_steps(case_types.get(case_type), steps), key=lambda s: s["order"])
    wanted = [_step_signature(ApprovalStep(**s)) for s in cleaned]
    latest = chain.versions.order_by("-number").first()
    current = [_step_signature(s) for s in latest.steps.order_by("order", "id")] if latest else []
    if wanted != current or chain.name_zh != name_zh.strip():
        chain_version_publish(chain=chain, actor=actor, steps=steps, note=note, name=name, name_zh=name_zh)
    return chain


@transaction.atomic
def chain_set_active(*, chain: ApprovalChain, actor, is_active: bool) -> ApprovalChain:
    """Take a chain out of use (cases already running keep it) or back into use.

    Raises ``DomainError`` when re-activating would give one scope two active chains.
    """
    _check_configurer(actor)
    if is_active and (
        ApprovalChain.objects.filter(case_type=chain.case_type, unit=chain.unit, is_active=True)
        .exclude(pk=chain.pk)
        .exists()
    ):
        raise DomainError(_("Another active chain has this case type and unit."))
    chain.is_active = is_active
    chain.save(update_fields=["is_active"])
    return chain


def chain_for(*, case, case_type: CaseType) -> ApprovalChain | None:
    """The chain that applies to ``case``: the most specific unit wins, then the chain for every unit."""
    chains = list(
        ApprovalChain.objects.filter(case_type=case_type.code, is_active=True).select_related("unit")
    )
    unit = case_type.unit(case)
    best: ApprovalChain | None = None
    best_depth = -1
    for chain in chains:
        if chain.unit is None:
            depth = 0
        elif unit is not None and unit.path.startswith(chain.unit.path):
            depth = len(chain.unit.path)
        else:
            continue
        if depth > best_depth:
            best, best_depth = chain, depth
    return best


# --- organisation config ----------------------------------------------------------------------------


def unit_function_set(*, actor, code: str, unit: OrgUnit) -> UnitFunction:
    """Say which unit performs function ``code`` (finance, hr, research, legal). Administrators only."""
    _check_configurer(actor)
    if code not in UnitFunctionCode.values:
        raise ValidationError({"code": [_("Unknown office.")]})
    row, _created = UnitFunction.objects.update_or_create(code=code, defaults={"unit": unit})
    return row


def unit_post_add(*, actor, unit: OrgUnit, user: User, post: str) -> UnitPost:
    """Give ``user`` a post (leader or foreign-affairs secretary) on ``unit``. Administrators only."""
    _check_configurer(actor)
    if post not in PostKind.values:
        raise ValidationError({"post": [_("Unknown post.")]})
    row, _created = UnitPost.objects.get_or_create(unit=unit, user=user, post=post)
    return row


def unit_post_remove(*, actor, post: UnitPost) -> None:
    _check_configurer(actor)
    post.delete()


def deputy_create(
    *, actor, principal: User, deputy: User, starts_on: date, ends_on: date, note: str = ""
) -> Deputy:
    """``deputy`` covers ``principal``'s approval steps from ``starts_on`` to ``ends_on`` inclusive.

    The principal sets their own deputy, administrators anyone's. Raises ``PermissionDeniedError``,
    ``ValidationError`` (dates out of order, oneself as deputy, a deputy who is no internal staff).
    """
    if not permissions.can_manage_deputy(actor, principal=principal):
        raise PermissionDeniedError(_("You may set a deputy only for yourself."))
    errors: dict[str, list[str]] = {}
    if ends_on < starts_on:
        errors["ends_on"] = [_("The end comes before the start.")]
    if deputy.pk == principal.pk:
        errors["deputy"] = [_("Choose someone else as deputy.")]
    elif not permissions.can_receive_delegation(deputy):
        errors["deputy"] = [_("The deputy must be an active member of staff.")]
    if errors:
        raise ValidationError(errors)
    return Deputy.objects.create(
        principal=principal, deputy=deputy, starts_on=starts_on, ends_on=ends_on, note=note, created_by=actor
    )


def deputy_delete(*, actor, deputy: Deputy) -> None:
    if not permissions.can_manage_deputy(actor, principal=deputy.principal):
        raise PermissionDeniedError(_("You may remove only your own deputies."))
    deputy.delete()


# --- resolving who decides ----------------------------------------------------------------------------


def _ancestors(unit: OrgUnit | None) -> list[int]:
    if unit is None:
        return []
    return [int(p) for p in unit.path.strip("/").split("/") if p]


def _active(users) -> list[User]:
    return sorted({u.pk: u for u in users if u.is_active}.values(), key=lambda u: u.username)


def _members_of(unit: OrgUnit, roles: tuple[str, ...]) -> list[User]:
    return _active(
        User.objects.filter(memberships__unit__path__startswith=unit.path, memberships__role__in=roles)
    )


def _unit_leaders(unit: OrgUnit | None) -> list[User]:
    """Leaders of the nearest unit upwards that has one; else the coordinators who reach the unit."""
    ids = _ancestors(unit)
    posts = list(
        UnitPost.objects.filter(unit_id__in=ids, post=PostKind.LEADER).select_related("user", "unit")
    )
    for unit_id in reversed(ids):
        found = _active(p.user for p in posts if p.unit_id == unit_id)
        if found:
            return found
    return _coordinators(unit)


def _coordinators(unit: OrgUnit | None) -> list[User]:
    return _active(
        User.objects.filter(memberships__role=Role.COORDINATOR, memberships__unit_id__in=_ancestors(unit))
    )


def resolve_assignees(*, step: ApprovalStep, case, case_type: CaseType) -> list[User]:
    """Who may decide ``step`` for ``case``, resolved now. See AssigneeKind and the README for the rules."""
    kind = step.assignee_kind
    unit = case_type.unit(case)
    if kind == AssigneeKind.UNIT_LEADER:
        return _unit_leaders(unit)
    if kind == AssigneeKind.UNIT_COORDINATOR:
        return _coordinators(unit)
    if kind == AssigneeKind.INTERNATIONAL_OFFICE:
        offices = OrgUnit.objects.filter(is_international_office=True)
        return _active(
            u for office in offices for u in _members_of(office, (Role.OFFICER, Role.ADMINISTRATOR))
        )
    if kind == AssigneeKind.FUNCTION:
        function = UnitFunction.objects.filter(code=step.function).select_related("unit").first()
        if function is None:
            return []
        leaders = [p.user for p in UnitPost.objects.filter(unit=function.unit).select_related("user")]
        members = _members_of(function.unit, (Role.COORDINATOR, Role.STAFF, Role.OFFICER))
        return _active([*leaders, *members])
    if kind == AssigneeKind.UNIVERSITY_LEADER:
        roots = OrgUnit.objects.filter(parent__isnull=True)
        leaders = [p.user for p in UnitPost.objects.filter(unit__in=roots, post=PostKind.LEADER)]
        return _active([*leaders, *User.objects.filter(memberships__role=Role.LEADERSHIP)])
    if kind == AssigneeKind.PERSON and step.person is not None:
        return _active([step.person])
    return []


# --- runs -------------------------------------------------------------------------------------------------


def _case_filter(case) -> dict[str, Any]:
    return {"content_type": ContentType.objects.get_for_model(case), "object_id": case.pk}


def approval_running(*, case, case_type: CaseType) -> CaseApproval | None:
    """The running approval of ``case``, if any (cached on the instance for the rest of the request)."""
    if hasattr(case, "_workflow_running_approval"):
        cached: CaseApproval | None = case._workflow_running_approval
        return cached
    found = CaseApproval.objects.filter(**_case_filter(case), state=ApprovalState.RUNNING).first()
    case._workflow_running_approval = found
    return found


def _forget(case) -> None:
    if hasattr(case, "_workflow_running_approval"):
        del case._workflow_running_approval


def open_task_labels(approval: CaseApproval) -> list[str]:
    """The names of the open steps, in the reader's language."""
    return [t.display_label for t in approval.tasks.filter(state=TaskState.OPEN)]


def _notify_assignees(tasks: list[StepTask], case, case_type: CaseType) -> None:
    title = case_type.title(case)
    url = case.get_absolute_url() if hasattr(case, "get_absolute_url") else ""
    for task in tasks:
        _notify_task(task, case, title, url)


def _notify_task(task: StepTask, case, title: str, url: str) -> None:
    due = timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M") if task.due_at else ""

    def subject() -> str:
        # Built once per language by notify(): the step's name in that language.
        return _("Your decision is needed: %(case)s — %(step)s") % {"case": title, "step": task.display_label}

    def body() -> str:
        if due:
            return _("Please approve, return or reject by %(due)s.") % {"due": due}
        return _("Please approve, return or reject.")

    notify(
        recipients=list(task.assignees.all()),
        subject=subject,
        body=body,
        url=url,
        verb="workflow.task",
        target=case,
    )


def _open_next_group(approval: CaseApproval, case, case_type: CaseType, actor) -> bool:
    """Open the lowest waiting group; returns False when no step is left (the run is complete)."""
    waiting = list(approval.tasks.filter(state=TaskState.WAITING).order_by("order", "id"))
    if not waiting:
        return False
    first = waiting[0].order
    now = timezone.now()
    group = [t for t in waiting if t.order == first]
    for task in group:
        task.state = TaskState.OPEN
        task.opened_at = now
        task.due_at = due_at(opened=now, amount=task.step.due_amount, unit=task.step.due_unit)
        task.save(update_fields=["state", "opened_at", "due_at"])
    _notify_assignees(group, case, case_type)
    return True


@transaction.atomic
def approval_start(*, case, case_type: CaseType, actor) -> CaseApproval | None:
    """Start a run of the applicable chain on ``case`` and open its first group; None when no chain applies.

    A case that ran before keeps its first run's chain version. Raises ``DomainError`` when a step that
    applies has nobody to decide it (for example an office not yet assigned to a unit): the submission is
    refused and nothing is saved.
    """
    _forget(case)
    previous = CaseApproval.objects.filter(**_case_filter(case)).order_by("started_at", "id")
    first = previous.select_related("chain_version").first()
    version: ApprovalChainVersion | None
    if first is not None:
        version = first.chain_version
    else:
        chain = chain_for(case=case, case_type=case_type)
        version = chain.versions.order_by("-number").first() if chain is not None else None
    if version is None or case_type.approval is None:
        return None
    hooks = case_type.approval
    approval = CaseApproval.objects.create(
        **_case_filter(case), case_type=case_type.code, chain_version=version, round=previous.count() + 1
    )
    for step in version.steps.select_related("person").order_by("order", "id"):
        applies = conditions_hold(step.conditions, case=case, case_type=case_type)
        task = StepTask.objects.create(
            approval=approval,
            step=step,
            order=step.order,
            label=step.label,
            label_zh=step.label_zh,
            assignee_kind=step.assignee_kind,
            state=TaskState.WAITING if applies else TaskState.SKIPPED,
        )
        if not applies:
            continue
        people = resolve_assignees(step=step, case=case, case_type=case_type)
        if not people:
            raise DomainError(
                _(
                    "Nobody can decide the approval step “%(step)s” for this case; an administrator must "
                    "assign it (unit leader, office or person) first."
                )
                % {"step": step.display_label},
                code="chain_unassigned",
            )
        task.assignees.set(people)
    case._workflow_running_approval = approval
    if not _open_next_group(approval, case, case_type, actor):
        # Every step was skipped: nothing to wait for.
        _finish(approval, ApprovalState.APPROVED)
        _fire(case, case_type, hooks.approved, actor, "")
    return approval


def _hooks(case_type: CaseType) -> ApprovalHooks:
    if case_type.approval is None:
        raise DomainError(_("This kind of case has no approval chain."))
    return case_type.approval


def _finish(approval: CaseApproval, state: str) -> None:
    approval.state = state
    approval.finished_at = timezone.now()
    approval.save(update_fields=["state", "finished_at"])


def approval_cancel(*, approval: CaseApproval, actor) -> None:
    """End a running approval because the case left review by another move; open steps are cancelled."""
    approval.tasks.filter(state__in=[TaskState.OPEN, TaskState.WAITING]).update(state=TaskState.CANCELLED)
    _finish(approval, ApprovalState.CANCELLED)


def _fire(case, case_type: CaseType, move: str | None, actor, comment: str, field_comments=None) -> Any:
    from meridian.workflow.services import case_move

    _forget(case)
    if move is None:
        return case
    return case_move(
        case=case, actor=actor, move=move, comment=comment, field_comments=field_comments, _engine=True
    )


# --- step actions -----------------------------------------------------------------------------------------


def _locked_task(task: StepTask) -> StepTask:
    return StepTask.objects.select_for_update().select_related("approval", "step").get(pk=task.pk)


def _case_of(task: StepTask):
    approval = task.approval
    case_type = case_types.get(approval.case_type)
    case = case_type.model_class._default_manager.select_for_update().get(pk=approval.object_id)
    return case, case_type


def _acting(actor, task: StepTask):
    may, principal = permissions.task_acting_for(actor, task)
    if not may:
        raise PermissionDeniedError(_("This approval step is not yours to decide."))
    return principal


def _decide(task, actor, state, comment, field_comments, on_behalf_of, files=()):
    from meridian.workflow.services import log_write

    case, case_type = _case_of(task)
    task.state = state
    task.acted_by = actor
    task.on_behalf_of = on_behalf_of
    task.acted_at = timezone.now()
    task.comment = comment
    task.field_comments = field_comments or {}
    task.save()
    current = case_type.state_of(case)
    log_write(
        case=case,
        case_type=case_type,
        action=f"step_{StepActionKind(_ACTION_OF[state]).value}",
        from_state=current,
        to_state=current,
        actor=actor,
        on_behalf_of=on_behalf_of,
        comment=comment,
        field_comments=field_comments,
        step_task=task,
        files=files,
    )
    return case, case_type


_ACTION_OF = {
    TaskState.APPROVED: StepActionKind.APPROVE,
    TaskState.RETURNED: StepActionKind.RETURN,
    TaskState.REJECTED: StepActionKind.REJECT,
}


def _check_open(task: StepTask) -> None:
    if task.state != TaskState.OPEN or task.approval.state != ApprovalState.RUNNING:
        raise DomainError(_("This approval step has already been decided."), code="step_closed")


@transaction.atomic
def step_approve(*, task: StepTask, actor, comment: str = "", files=()) -> StepTask:
    """Approve an open step as its assignee (or their deputy, logged as acting on their behalf).

    When it completes its group the next group opens; after the last group the case's ``approved`` move
    fires (logged with this actor). Raises ``PermissionDeniedError``, ``DomainError`` (already decided, or the
    approved move's guards fail — nothing is saved then).
    """
    task = _locked_task(task)
    _check_open(task)
    principal = _acting(actor, task)
    case, case_type = _decide(task, actor, TaskState.APPROVED, comment, None, principal, files)
    approval = task.approval
    group_open = approval.tasks.filter(
        order=task.order, state__in=[TaskState.OPEN, TaskState.WAITING]
    ).exists()
    if not group_open and not _open_next_group(approval, case, case_type, actor):
        _finish(approval, ApprovalState.APPROVED)
        _fire(case, case_type, _hooks(case_type).approved, actor, comment)
    else:
        # The run goes on: the applicant and the followers hear of each approval (the final approval moves
        # the case, and that move tells them).
        _notify_progress(task, case, case_type, actor)
    return task


def _notify_progress(task: StepTask, case, case_type: CaseType, actor) -> None:
    from meridian.workflow.services import people_to_tell

    recipients = people_to_tell(case=case, case_type=case_type, exclude=[actor])
    if not recipients:
        return
    title, who = case_type.title(case), str(actor)
    notify(
        recipients=recipients,
        subject=lambda: (
            _("%(case)s: “%(step)s” approved by %(person)s")
            % {"case": title, "step": task.display_label, "person": who}
        ),
        url=case.get_absolute_url() if hasattr(case, "get_absolute_url") else "",
        verb="workflow.step_approved",
        target=case,
    )


@transaction.atomic
def step_return(
    *, task: StepTask, actor, comment: str, field_comments: dict[str, str] | None = None, files=()
) -> StepTask:
    """Return the case for correction with a comment (and comments per field); the run ends, the case's
    ``returned`` move fires, and the applicant's resubmission starts a new run on the same chain version.

    Raises ``ValidationError`` without a comment, ``PermissionDeniedError``, ``DomainError``.
    """
    field_comments = {k: v.strip() for k, v in (field_comments or {}).items() if v and v.strip()}
    if not comment.strip() and not field_comments:
        raise ValidationError({"comment": [_("Say what needs correcting.")]})
    task = _locked_task(task)
    _check_open(task)
    principal = _acting(actor, task)
    case, case_type = _decide(task, actor, TaskState.RETURNED, comment, field_comments, principal, files)
    approval = task.approval
    approval.tasks.filter(state__in=[TaskState.OPEN, TaskState.WAITING]).update(state=TaskState.CANCELLED)
    _finish(approval, ApprovalState.RETURNED)
    _fire(case, case_type, _hooks(case_type).returned, actor, comment, field_comments)
    return task


@transaction.atomic
def step_reject(*, task: StepTask, actor, comment: str, files=()) -> StepTask:
    """Reject the case: the run ends and the case's ``rejected`` move fires.

    Raises ``ValidationError`` without a comment, ``DomainError`` when the case type offers no rejection.
    """
    if not comment.strip():
        raise ValidationError({"comment": [_("Say why the case is rejected.")]})
    task = _locked_task(task)
    _check_open(task)
    case_type = case_types.get(task.approval.case_type)
    if _hooks(case_type).rejected is None:
        raise DomainError(_("This kind of case cannot be rejected; return it for correction instead."))
    principal = _acting(actor, task)
    case, case_type = _decide(task, actor, TaskState.REJECTED, comment, None, principal, files)
    approval = task.approval
    approval.tasks.filter(state__in=[TaskState.OPEN, TaskState.WAITING]).update(state=TaskState.CANCELLED)
    _finish(approval, ApprovalState.REJECTED)
    _fire(case, case_type, _hooks(case_type).rejected, actor, comment)
    return task


@transaction.atomic
def step_delegate(*, task: StepTask, actor, to_user: User, comment: str = "") -> StepTask:
    """Hand an open step to ``to_user`` (an active member of staff), who becomes its only assignee.

    Its assignees and deputies may delegate; administrators may delegate any open step. Logged and notified.
    """
    from meridian.workflow.services import log_write

    task = _locked_task(task)
    _check_open(task)
    if not permissions.can_delegate_task(actor, task):
        raise PermissionDeniedError(_("This approval step is not yours to delegate."))
    if not permissions.can_receive_delegation(to_user):
        raise ValidationError({"to_user": [_("Delegate to an active member of staff.")]})
    principal = permissions.task_acting_for(actor, task)[1]
    case, case_type = _case_of(task)
    task.assignees.set([to_user])
    current = case_type.state_of(case)
    note = _("Delegated to %(person)s.") % {"person": to_user}
    log_write(
        case=case,
        case_type=case_type,
        action=f"step_{StepActionKind.DELEGATE.value}",
        from_state=current,
        to_state=current,
        actor=actor,
        on_behalf_of=principal,
        comment=f"{note} {comment}".strip(),
        step_task=task,
    )
    _notify_assignees([task], case, case_type)
    return task
