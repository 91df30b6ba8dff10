"""Who may see and change visits, guests' data, lectures and foreign experts' hiring cases. Views, API,
exports, documents and downloads all ask here.

Guests' passports, itineraries and CVs are personal data that China's Personal Information Protection Law
treats as sensitive, so visibility is narrow: administrators, officers and leadership see every visit; a
unit's coordinators (its foreign-affairs secretaries) see and file the visits their unit hosts (with its
subunits); the host sees the visits they host; approvers see the visits whose approval step they decide or
decided. Other staff, students and partner contacts see none. Guests see only their own record, through their
personal self-service link (no account).

Foreign experts' hiring cases: the office and leadership see all; the host unit's coordinators and the
responsible member of staff see theirs; the expert, once they have an account, sees their own.
"""

from __future__ import annotations

from django.db.models import Q

from meridian.accounts.permissions import can_read_university, can_write_university, is_internal


def acted_unit_ids(user) -> frozenset[int]:
    """Units whose visits and experts ``user`` handles as coordinator or foreign-affairs secretary (each unit
    with its subunits; the workflow engine's "acts for applicants" rule)."""
    from meridian.workflow.permissions import applicant_unit_ids

    return applicant_unit_ids(user)


def is_office(user) -> bool:
    """International Office officers and administrators: they approve, issue invitations and lock guest
    data."""
    return can_write_university(user)


def acts_for_unit(user, unit_id: int | None) -> bool:
    """The user is the office, or a coordinator (foreign-affairs secretary) of the unit or a unit above it."""
    return can_write_university(user) or (unit_id is not None and unit_id in acted_unit_ids(user))


def visit_visibility_filter(user) -> Q | None:
    """None means "every visit"; otherwise the condition on Visit rows ``user`` may see."""
    if can_read_university(user):
        return None
    if not getattr(user, "is_authenticated", False) or not is_internal(user):
        return Q(pk__in=[])
    condition = Q(host_id=user.pk) | Q(created_by_id=user.pk)
    units = acted_unit_ids(user)
    if units:
        condition |= Q(host_unit_id__in=units)
    from meridian.visitors.models import Visit
    from meridian.workflow.selectors import assigned_case_ids

    condition |= Q(pk__in=assigned_case_ids(user=user, model=Visit))
    return condition


def can_create_visit(user) -> bool:
    """Officers, coordinators and secretaries of units, and members of staff who host guests."""
    return is_internal(user)


def is_host(user, visit) -> bool:
    return getattr(user, "is_authenticated", False) and visit.host_id == user.pk


def can_edit_visit(user, visit) -> bool:
    """A visit is edited while a draft: by its host, whoever filed it, the host unit's secretary, or the
    office."""
    from meridian.visitors.choices import VisitState

    if visit.state != VisitState.DRAFT:
        return False
    return (
        is_host(user, visit)
        or (getattr(user, "is_authenticated", False) and visit.created_by_id == user.pk)
        or acts_for_unit(user, visit.host_unit_id)
    )


def can_handle_visit(user, visit) -> bool:
    """Host-side work after approval (arrival, registrations, programme changes, the visit note): the host,
    the host unit's secretaries and the office."""
    return is_host(user, visit) or acts_for_unit(user, visit.host_unit_id)


def can_see_guest_data(user, visit) -> bool:
    """Guests' personal data (passport, CV, itinerary, needs): the office, and those who handle the visit.
    Leadership and approvers see the visit, not the passports."""
    return can_handle_visit(user, visit)


def can_issue_guest_link(user, visit) -> bool:
    """The office sends guests their self-service links; the host unit's secretaries may too."""
    return acts_for_unit(user, visit.host_unit_id)


def can_lock_guest_data(user) -> bool:
    return is_office(user)


def can_manage_rules(user) -> bool:
    from meridian.accounts.permissions import is_administrator

    return is_administrator(user)


def can_manage_standards(user) -> bool:
    """The hosting-standards table: the office keeps it."""
    return is_office(user)


def can_see_registrations(user) -> bool:
    """The accommodation-registration list: the office, leadership and unit secretaries (their units)."""
    return can_read_university(user) or bool(acted_unit_ids(user))


# --- lectures ------------------------------------------------------------------------------------------


def can_manage_lecture(user, lecture) -> bool:
    """A lecture is kept by its organising unit's secretaries and the office; its visit's host may too."""
    if lecture.visit_id and is_host(user, lecture.visit):
        return True
    return acts_for_unit(user, lecture.unit_id)


def can_create_lecture(user) -> bool:
    return is_internal(user)


def can_review_lecture(user) -> bool:
    """Outlines of public lectures are reviewed by the office (the publicity review of talks by foreign
    speakers)."""
    return is_office(user)


# --- foreign experts -----------------------------------------------------------------------------------


def expert_visibility_filter(user) -> Q | None:
    """None means every hiring case; else the condition on ExpertHiring rows ``user`` may see."""
    if can_read_university(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    condition = Q(supervisor_id=user.pk) | Q(created_by_id=user.pk) | Q(person__user_id=user.pk)
    units = acted_unit_ids(user)
    if units:
        condition |= Q(host_unit_id__in=units)
    if is_internal(user):
        from meridian.visitors.models import ExpertHiring
        from meridian.workflow.selectors import assigned_case_ids

        condition |= Q(pk__in=assigned_case_ids(user=user, model=ExpertHiring))
    return condition


def can_create_expert_hiring(user) -> bool:
    """The office, and coordinators of units that hire (for their units)."""
    return is_office(user) or bool(acted_unit_ids(user))


def can_handle_expert(user, hiring) -> bool:
    """The host unit's secretaries and the office file the steps; the responsible member of staff too."""
    if getattr(user, "is_authenticated", False) and hiring.supervisor_id == user.pk:
        return True
    return acts_for_unit(user, hiring.host_unit_id)


def can_see_expert_records(user) -> bool:
    """Annual records of foreign experts (by country, unit, category; expiring permits)."""
    return can_read_university(user) or bool(acted_unit_ids(user))
