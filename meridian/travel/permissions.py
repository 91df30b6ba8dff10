"""Who may see and change official trips, long stays and the passport register. Views, API, exports,
documents and downloads all ask here.

Trips carry whereabouts, which China's Personal Information Protection Law treats as sensitive, so visibility
is narrow: administrators, officers and leadership see every trip; a unit's coordinators (its
foreign-affairs secretaries) see the trips of their unit and its subunits and act on behalf of its applicants;
a traveller sees the trips they apply for or travel on; approvers see the trips whose approval step they
decide or decided.
Other staff, students (except as travellers) and partner contacts see none.

The passport register is kept by the office: officers and administrators see and change all of it; a unit's
coordinators see the documents of their unit's people; a holder sees their own.
"""

from __future__ import annotations

from django.db.models import Q

from meridian.accounts.permissions import (
    can_read_university,
    can_write_university,
    is_internal,
)


def acted_unit_ids(user) -> frozenset[int]:
    """Units whose official travel ``user`` handles for the unit: as its coordinator or as its foreign-affairs
    secretary (each unit with its subunits; the workflow engine's "acts for applicants" rule)."""
    from meridian.workflow.permissions import applicant_unit_ids

    return applicant_unit_ids(user)


def _person_id(user) -> int | None:
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return person.pk if person is not None else None


def trip_visibility_filter(user) -> Q | None:
    """None means "every trip"; otherwise the condition on Trip rows ``user`` may see."""
    if can_read_university(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    condition = Q(applicant_id=user.pk) | Q(created_by_id=user.pk)
    units = acted_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    person_id = _person_id(user)
    if person_id is not None:
        from meridian.travel.models import TripMember

        condition |= Q(pk__in=TripMember.objects.filter(person_id=person_id).values("trip_id"))
    if is_internal(user):
        from meridian.travel.models import Trip
        from meridian.workflow.selectors import assigned_case_ids

        condition |= Q(pk__in=assigned_case_ids(user=user, model=Trip))
    return condition


def long_stay_visibility_filter(user) -> Q | None:
    """None means every long stay; else the condition on LongStay rows ``user`` may see."""
    if can_read_university(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    condition = Q(user_id=user.pk) | Q(created_by_id=user.pk)
    units = acted_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    person_id = _person_id(user)
    if person_id is not None:
        condition |= Q(person_id=person_id)
    if is_internal(user):
        from meridian.travel.models import LongStay
        from meridian.workflow.selectors import assigned_case_ids

        condition |= Q(pk__in=assigned_case_ids(user=user, model=LongStay))
    return condition


def custody_visibility_filter(user) -> Q | None:
    """None means the whole passport register; else the condition on CustodyItem rows ``user`` may see."""
    if can_write_university(user) or can_read_university(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    units = acted_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    person_id = _person_id(user)
    if person_id is not None:
        condition |= Q(holder_id=person_id)
    return condition


def is_office(user) -> bool:
    """International Office officers and administrators: they run the register, notices and approvals."""
    return can_write_university(user)


def acts_for_unit(user, unit_id: int | None) -> bool:
    """The user is the office, or a coordinator (foreign-affairs secretary) of the unit or a unit above it."""
    return can_write_university(user) or (unit_id is not None and unit_id in acted_unit_ids(user))


def can_create_trip(user) -> bool:
    """Officers, coordinators (for their units' people), any member of staff and students (for themselves)."""
    return is_internal_or_student(user)


def is_trip_applicant(user, trip) -> bool:
    return getattr(user, "is_authenticated", False) and trip.applicant_id == user.pk


def can_edit_trip(user, trip) -> bool:
    """Trips are edited while a draft: by the applicant, their unit's secretary, or the office."""
    from meridian.travel.choices import TripState

    if trip.state != TripState.DRAFT:
        return False
    return is_trip_applicant(user, trip) or acts_for_unit(user, trip.unit_id)


def is_internal_or_student(user) -> bool:
    """Staff of the university or a student: the people official travel concerns (never partner contacts or
    accounts without a role)."""
    from meridian.accounts.choices import Role
    from meridian.accounts.permissions import standing

    return is_internal(user) or standing(user).has(Role.STUDENT)


def can_see_custody_register(user) -> bool:
    """The passport register page: the office and leadership (all), unit coordinators (their units' people),
    staff and students (their own documents). Partner contacts and accounts without a role: no."""
    return is_internal_or_student(user)


# Kinds the office files at any state: the approval document's scan and the passport stamp pages.
OFFICE_FILE_KINDS = ("external_approval", "passport_stamps")
# The passport has stamps once the trip has begun.
STAMP_STATES = ("abroad", "returned", "closed")


def addable_file_kinds(user, trip) -> list[str]:
    """The kinds of file ``user`` may add to ``trip`` now, in the choices' order: the office adds the approval
    scan and the passport stamp pages at any state; the applicant and the unit's coordinators and secretaries
    add the stamp pages once the trip is travelling, returned or closed; the other kinds are added while the
    trip is a draft by those who may edit it (``can_edit_trip``)."""
    from meridian.travel.choices import TripFileKind

    office = is_office(user)
    editing = can_edit_trip(user, trip)
    kinds = []
    for kind in TripFileKind.values:
        if kind == TripFileKind.EXTERNAL_APPROVAL:
            allowed = office
        elif kind == TripFileKind.PASSPORT_STAMPS:
            allowed = office or (
                trip.state in STAMP_STATES
                and (is_trip_applicant(user, trip) or acts_for_unit(user, trip.unit_id))
            )
        else:
            allowed = editing
        if allowed:
            kinds.append(kind)
    return kinds


def may_add_file(user, trip, kind: str) -> bool:
    """What ``services.trips.trip_file_add`` accepts: any kind at any state from the office (for the record,
    e.g. an invitation filed late), otherwise the kinds the trip page offers (``addable_file_kinds``)."""
    return is_office(user) or kind in addable_file_kinds(user, trip)


def can_delete_trip_file(user, file) -> bool:
    """Those who may edit the draft remove its files; after the draft the office removes only the scans it
    files at any time (approval scan, passport stamp pages)."""
    if can_edit_trip(user, file.trip):
        return True
    return is_office(user) and file.kind in OFFICE_FILE_KINDS


def can_manage_custody(user) -> bool:
    return can_write_university(user)


def can_manage_rules(user) -> bool:
    from meridian.accounts.permissions import is_administrator

    return is_administrator(user)


def can_manage_plans(user, unit_id: int | None = None) -> bool:
    """The office consolidates every plan; a unit's coordinators draft and submit their unit's plans."""
    return (
        acts_for_unit(user, unit_id)
        if unit_id is not None
        else (can_write_university(user) or bool(acted_unit_ids(user)))
    )


def can_see_abroad_list(user) -> bool:
    """Who is abroad now (duty of care): the office, leadership and unit coordinators (their units only)."""
    return can_read_university(user) or bool(acted_unit_ids(user))
