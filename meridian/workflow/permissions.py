"""Who may do what in the workflow engine itself (moves are decided by each case type's declaration).

- Approval chains, unit functions and posts: administrators configure them; officers read them.
- Deputies: administrators set any; a person sets their own deputy.
- The office view: officers and administrators.
- Acting on behalf of an applicant: the coordinators who reach the case's unit and the unit's foreign-affairs
  secretaries (``UnitPost`` secretary on the unit or an ancestor).
- A step task: its assignees; a deputy of an assignee within the deputy's dates (acting on their behalf);
  administrators may delegate any open task so that nothing stays stuck.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from meridian.accounts.choices import Role
from meridian.accounts.permissions import (
    can_read_university,
    can_write_university,
    is_administrator,
    is_internal,
    standing,
)
from meridian.workflow.choices import PostKind, TaskState


def can_configure_chains(user) -> bool:
    return is_administrator(user)


def can_read_chains(user) -> bool:
    return can_read_university(user)


def can_see_office(user) -> bool:
    return can_write_university(user)


def can_use_inbox(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def applicant_unit_ids(user) -> frozenset[int]:
    """Units (each with its subunits) whose applicants ``user`` acts for: as a coordinator, or as the holder
    of the unit's foreign-affairs secretary post (``UnitPost``). Cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_applicant_unit_ids", None)
    if cached is not None:
        return cached
    from meridian.accounts.models import OrgUnit
    from meridian.workflow.models import UnitPost

    found = set(standing(user).units(Role.COORDINATOR))
    posts = UnitPost.objects.filter(user=user, post=PostKind.SECRETARY).values("unit_id")
    for path in OrgUnit.objects.filter(pk__in=posts).values_list("path", flat=True):
        found |= set(OrgUnit.objects.filter(path__startswith=path).values_list("pk", flat=True))
    result = frozenset(found)
    setattr(user, "_applicant_unit_ids", result)  # noqa: B010 - a per-request cache on the user
    return result


def can_act_for_applicant(user, *, unit) -> bool:
    """May ``user`` act on behalf of applicants of ``unit``? (coordinator reaching it, or its secretary)."""
    return unit is not None and unit.pk in applicant_unit_ids(user)


def principals_covered(user, *, today: date | None = None) -> list[int]:
    """Ids of the people ``user`` deputises for today."""
    from meridian.workflow.models import Deputy

    today = today or timezone.localdate()
    return list(
        Deputy.objects.filter(deputy=user, starts_on__lte=today, ends_on__gte=today).values_list(
            "principal_id", flat=True
        )
    )


def task_acting_for(user, task, *, today: date | None = None):
    """How ``user`` may decide ``task``: ``(True, None)`` as an assignee, ``(True, principal)`` as a deputy,
    ``(False, None)`` not at all."""
    if not getattr(user, "is_authenticated", False) or task.state != TaskState.OPEN:
        return False, None
    assignee_ids = {u.pk for u in task.assignees.all()}
    if user.pk in assignee_ids:
        return True, None
    for principal_id in principals_covered(user, today=today):
        if principal_id in assignee_ids:
            from meridian.accounts.models import User

            return True, User.objects.get(pk=principal_id)
    return False, None


def can_delegate_task(user, task) -> bool:
    if task.state != TaskState.OPEN:
        return False
    return is_administrator(user) or task_acting_for(user, task)[0]


def can_receive_delegation(user) -> bool:
    """Only active internal staff may be given an approval step."""
    return bool(user.is_active and is_internal(user))


def can_manage_deputy(user, *, principal) -> bool:
    return is_administrator(user) or (user.is_authenticated and user.pk == principal.pk)
