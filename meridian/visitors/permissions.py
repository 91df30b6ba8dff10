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
    """None means every hiring case; else the condition on ExpertHiring rows ``user`` may see.

    The office and leadership see all. Internal staff who are not also students or partner contacts
    (``is_expert_staff``) see the cases of the units they act for (coordinator or foreign-affairs secretary),
    the cases they supervise, filed or have a task on. The expert sees their own case through the account
    linked to their person record — unless that account is a student's or a partner contact's. Nothing is
    ever granted through ``supervisor`` or ``person__user`` to students, partner contacts or, for
    ``supervisor``, accounts without a staff role."""
    if can_read_university(user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active or has_external_role(user):
        return Q(pk__in=[])
    condition = Q(person__user_id=user.pk)
    if not is_expert_staff(user):
        return condition
    condition |= Q(supervisor_id=user.pk) | Q(created_by_id=user.pk)
    units = acted_unit_ids(user)
    if units:
        condition |= Q(host_unit_id__in=units)
    from meridian.visitors.models import ExpertHiring
    from meridian.workflow.selectors import assigned_case_ids

    condition |= Q(pk__in=assigned_case_ids(user=user, model=ExpertHiring))
    return condition


def can_create_expert_hiring(user) -> bool:
    """The office, and coordinators of units that hire (for their units)."""
    return is_office(user) or bool(acted_unit_ids(user))


def can_see_expert_records(user) -> bool:
    """Annual records of foreign experts (by country, unit, category; expiring permits)."""
    return can_read_university(user) or bool(acted_unit_ids(user))


# --- statistics, and the API's lists of lectures and registrations ---------------------------


def can_see_visit_stats(user) -> bool:
    """Statistics of visitors: the office and leadership (every unit), unit coordinators and foreign-affairs
    secretaries (their units, with subunits)."""
    return can_read_university(user) or bool(acted_unit_ids(user))


def lecture_api_visibility_filter(user) -> Q | None:
    """None means every lecture; else the condition on Lecture rows ``user`` may read through the API: the
    public calendar's lectures (published, public, reviewed where needed) for every signed-in user, and the
    lectures they keep (their units' — as coordinator or secretary —, their visits', those they filed)."""
    from meridian.visitors.choices import LectureReview, LectureState

    if can_read_university(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    condition = Q(state=LectureState.PUBLISHED, is_public=True) & ~Q(
        review__in=[LectureReview.PENDING, LectureReview.REJECTED]
    )
    condition |= Q(created_by_id=user.pk) | Q(visit__host_id=user.pk)
    units = acted_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    return condition


def registration_visibility_filter(user) -> Q | None:
    """None means every accommodation registration; else the condition on AccommodationRegistration rows
    of the registration list (``can_see_registrations``): the office and leadership all, unit secretaries
    those of the visits their units host."""
    if can_read_university(user):
        return None
    units = acted_unit_ids(user)
    return Q(guest__visit__host_unit_id__in=units) if units else Q(pk__in=[])


# --- visit pages, files, visit note, referral ----------------------------------------------------------


def can_add_visit_file(user, visit) -> bool:
    """Files (correspondence, visa copies, photos) are added by those who edit the draft or handle the visit,
    until it is closed, rejected or cancelled; the office at any time."""
    from meridian.visitors.choices import VisitState

    if is_office(user):
        return True
    if visit.state in (VisitState.CLOSED, VisitState.REJECTED, VisitState.CANCELLED):
        return False
    return can_edit_visit(user, visit) or can_handle_visit(user, visit)


def can_delete_visit_file(user, visit_file) -> bool:
    """The office removes any file; whoever uploaded one removes it while they may still add files."""
    if is_office(user):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and visit_file.uploaded_by_id == user.pk
        and can_add_visit_file(user, visit_file.visit)
    )


def can_write_visit_note(user, visit) -> bool:
    """The visit note (outcomes, follow-up, photos): the host, the host unit's secretaries and the office."""
    return can_handle_visit(user, visit)


def can_escalate_visit(user, visit) -> bool:
    """Referring a visit to a university leader is the office's call."""
    return is_office(user)


# --- lectures: who opens and adds them -----------------------------------------------------------------


def lecture_visibility_filter(user) -> Q | None:
    """None means every lecture; else the condition on Lecture rows ``user`` may see on the staff pages:
    the lectures of the units they act for, of the visits they host, and those they filed. (The public
    calendar shows published lectures to everybody through ``Lecture.objects.public()``.)"""
    if can_read_university(user):
        return None
    if not getattr(user, "is_authenticated", False) or not is_internal(user):
        return Q(pk__in=[])
    condition = Q(visit__host_id=user.pk) | Q(created_by_id=user.pk)
    units = acted_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    return condition


def can_open_lectures(user) -> bool:
    """The staff lecture pages: members of staff (each sees the lectures above), leadership reads all."""
    return can_read_university(user) or is_internal(user)


def can_add_lecture(user, *, unit_id: int | None, visit=None) -> bool:
    """Adding a lecture of ``unit_id``: the office and the unit's secretaries; for a lecture of a visit, also
    whoever handles the visit (its host), for the visit's host unit."""
    if not can_create_lecture(user):
        return False
    if acts_for_unit(user, unit_id):
        return True
    return visit is not None and unit_id == visit.host_unit_id and can_handle_visit(user, visit)


# --- experts: hiring pages, documents, changes -----------------------------------------------------


def can_open_expert_list(user) -> bool:
    """The hiring-case list: staff of the university who are not also students or partner contacts (each
    sees the cases ``expert_visibility_filter`` allows), and an expert with a case of their own; students,
    partner contacts and accounts without a role (but an expert's) are refused."""
    if is_expert_staff(user):
        return True
    from meridian.visitors.models import ExpertHiring

    return bool(getattr(user, "is_authenticated", False)) and ExpertHiring.objects.visible_to(user).exists()


def can_see_expert_documents(user, hiring) -> bool:
    """The checklist files (degree, criminal record, health check, contract, …) hold sensitive personal data:
    those who handle the case (``expert_handler``), and the expert themselves through their own account
    (never a student's or partner contact's account). Leadership sees the case, not the files."""
    if expert_handler(user, hiring):
        return True
    person = hiring.person if hiring.person_id else None
    return bool(
        getattr(user, "is_authenticated", False)
        and person is not None
        and person.user_id == user.pk
        and not has_external_role(user)
    )


# --- experts: who may be responsible for a case, and who handles it ---------------------------------

# Roles (accounts.choices.Role values) that keep an account away from experts' cases, whatever else it holds;
# roles that make someone a member of staff who may be responsible for a foreign expert (leadership reads).
EXTERNAL_ROLES = ("student", "partner_contact")
SUPERVISOR_ROLES = ("staff", "coordinator", "officer", "administrator")


def has_external_role(user) -> bool:
    """The user holds a student's or a partner contact's role (whatever else they hold)."""
    from meridian.accounts.permissions import standing

    return standing(user).has(*EXTERNAL_ROLES)


def is_expert_staff(user) -> bool:
    """Staff of the university for foreign experts' cases: an internal role, and neither a student's nor a
    partner contact's role as well."""
    return is_internal(user) and not has_external_role(user)


def expert_supervisors(units=None):
    """Active users who may be the responsible member of staff of a case hosted by one of ``units``
    (OrgUnit objects; None: any unit): those holding a staff, coordinator, officer or administrator role on
    the unit, on a unit above it or on one of its subunits — never students, partner contacts, leadership
    viewers or accounts without a role. Returns a ``User`` queryset ordered by username."""
    from meridian.accounts.models import User

    related = Q()
    if units is not None:
        related = Q(pk__in=[])
        for unit in units:
            ancestors = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
            related |= Q(memberships__unit_id__in=[*ancestors, unit.pk]) | Q(
                memberships__unit__path__startswith=unit.path
            )
    return (
        User.objects.filter(related, is_active=True, memberships__role__in=SUPERVISOR_ROLES)
        .exclude(memberships__role__in=EXTERNAL_ROLES)
        .distinct()
        .order_by("username")
    )


def may_supervise_expert(user, unit) -> bool:
    """``user`` may be the responsible member of staff of a case hosted by ``unit``
    (``expert_supervisors``)."""
    if user is None or unit is None or not getattr(user, "pk", None):
        return False
    return expert_supervisors([unit]).filter(pk=user.pk).exists()


def expert_handler(user, hiring) -> bool:
    """Who handles a hiring case (documents, changes, moves but the qualification, edits): the office, the
    host unit's coordinators and foreign-affairs secretaries, and the responsible member of staff — only
    while they are staff of the university (``is_expert_staff``), never a student or partner contact."""
    if acts_for_unit(user, hiring.host_unit_id):
        return True
    return (
        getattr(user, "is_authenticated", False) and hiring.supervisor_id == user.pk and is_expert_staff(user)
    )


# --- API fixes: guests' data among a visit's files -------------------------------------------------


def can_see_visit_file(user, visit, kind: str) -> bool:
    """A file of a visit the user sees: visa copies show the guests' passports and visas, so only those who
    may see guests' data (``can_see_guest_data``) get them; the other files (correspondence, photos of the
    visit) every reader of the visit."""
    from meridian.visitors.choices import VisitFileKind

    return kind != VisitFileKind.VISA or can_see_guest_data(user, visit)
