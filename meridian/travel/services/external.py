"""The external approval (批件) of an official trip: the approval document issued by the provincial
foreign-affairs office or the Ministry after the university has approved the trip.

Recording it (number, date, issuing authority, the people and itinerary it approves, a scan) moves the trip
from "approved" to "externally approved" (move ``authorise``). When a change of dates, people or itinerary is
approved after the document was recorded, the document predates it (``changes_after_approval``): no passport
is issued for the trip until the office records the authority's new approval (``external_approval_renew``),
which replaces the record's contents (the old number stays in the trip's activity) without a state move.
Source: the design note "Official travel abroad" (approval chain ending with the external body, which issues
the approval document with a number).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.travel import permissions
from meridian.travel.choices import TripFileKind, TripState
from meridian.travel.models import ExternalApproval, Trip
from meridian.workflow.services import case_move


def can_record_external(user, trip: Trip) -> bool:
    """The office records the approval document of a trip the university has approved."""
    return (
        permissions.is_office(user)
        and trip.state == TripState.APPROVED
        and not ExternalApproval.objects.filter(trip=trip).exists()
    )


def can_renew_external(user, trip: Trip, record: ExternalApproval | None = None) -> bool:
    """The office records the authority's new approval of an externally approved trip whose approval document
    predates an approved change of its dates, people or itinerary."""
    if not permissions.is_office(user) or trip.state != TripState.AUTHORISED:
        return False
    if record is None:
        record = ExternalApproval.objects.filter(trip=trip).first()
    return record is not None and bool(changes_after_approval(trip, record))


def itinerary_text(trip: Trip) -> str:
    """The itinerary as plain lines ("YYYY-MM-DD Country, City (transit): programme"), in the active
    language; prefills the approved itinerary."""
    lines = []
    for item in trip.itinerary.select_related("country").order_by("day", "order", "id"):
        place = f"{item.country.name}, {item.city}" if item.city else item.country.name
        line = f"{item.day.isoformat()} {place}"
        if item.is_transit:
            line += " (" + _("transit") + ")"
        if item.activity:
            line += f": {item.activity}"
        lines.append(line)
    return "\n".join(lines)


def _checked(
    trip: Trip,
    *,
    document_number: str,
    issued_on: date | None,
    authority: str,
    approved_people: list[int],
    approved_itinerary: str,
    valid_until: date | None,
    not_before: date | None = None,
) -> tuple[str, str, str, list[int]]:
    """The document's number, authority and itinerary (trimmed) and the approved people (member ids in the
    delegation's order); ``ValidationError`` listing every missing or wrong value. ``not_before``: the date of
    the document a new approval replaces (the new one cannot be older)."""
    errors: dict[str, list[str]] = {}
    document_number = (document_number or "").strip()
    authority = (authority or "").strip()
    approved_itinerary = (approved_itinerary or "").strip()
    if not document_number:
        errors["document_number"] = [_("Enter the number of the approval document.")]
    if not authority:
        errors["authority"] = [_("Enter the issuing authority.")]
    if not approved_itinerary:
        errors["approved_itinerary"] = [_("Enter the approved itinerary.")]
    if issued_on is None:
        errors["issued_on"] = [_("Enter the date of the approval document.")]
    elif issued_on > timezone.localdate():
        errors["issued_on"] = [_("The approval document cannot be dated in the future.")]
    elif not_before is not None and issued_on < not_before:
        errors["issued_on"] = [
            _("The new approval document cannot be dated before the one it replaces (%(date)s).")
            % {"date": not_before.isoformat()}
        ]
    if valid_until is not None and issued_on is not None and valid_until < issued_on:
        errors["valid_until"] = [_("The validity ends before the document was issued.")]
    member_ids = list(trip.members.order_by("order", "id").values_list("person_id", flat=True))
    wanted = []
    for value in approved_people or []:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            errors.setdefault("approved_people", []).append(_("Unknown person."))
    if not wanted:
        errors.setdefault("approved_people", []).append(_("Name at least one approved person."))
    strangers = set(wanted) - set(member_ids)
    if strangers:
        errors.setdefault("approved_people", []).append(
            _("Only members of the delegation can be approved for this trip.")
        )
    if errors:
        raise ValidationError(errors)
    ordered = [pk for pk in member_ids if pk in set(wanted)]
    return document_number, authority, approved_itinerary, ordered


@transaction.atomic
def external_approval_record(
    *,
    trip: Trip,
    actor,
    document_number: str,
    issued_on: date,
    authority: str,
    approved_people: list[int],
    approved_itinerary: str,
    valid_until: date | None = None,
    scan: UploadedFile | None = None,
) -> ExternalApproval:
    """Record the approval document of ``trip`` and move the trip to "externally approved" (``authorise``).

    ``approved_people`` are Person ids, each a member of the delegation (stored as a list of ints, in the
    delegation's order); ``approved_itinerary`` is free text; ``scan`` (PDF or image) is filed as a trip file
    of kind ``external_approval`` through ``services.trips.trip_file_add`` (content-checked). Everything
    happens in one transaction: a refused move or file stores nothing.

    Raises ``PermissionDeniedError`` (not the office), ``TransitionError`` (the trip is not "approved", or its
    approval document is recorded already; also any guard of the move), ``ValidationError`` (missing number,
    date or authority; nobody approved; a person who is not a member; dates out of order or in the future),
    ``DomainError`` (refused file).
    """
    from meridian.travel.services.trips import trip_file_add

    if actor is not None and not permissions.is_office(actor):
        raise PermissionDeniedError(_("Only the International Office records the external approval."))
    trip = Trip.objects.select_for_update().get(pk=trip.pk)
    if trip.state != TripState.APPROVED:
        raise TransitionError(
            _(
                "The external approval is recorded for a trip the university has approved; "
                "this trip is “%(state)s”."
            )
            % {"state": trip.get_state_display()}
        )
    if ExternalApproval.objects.filter(trip=trip).exists():
        raise TransitionError(_("The approval document of this trip is recorded already."))
    document_number, authority, approved_itinerary, ordered = _checked(
        trip,
        document_number=document_number,
        issued_on=issued_on,
        authority=authority,
        approved_people=approved_people,
        approved_itinerary=approved_itinerary,
        valid_until=valid_until,
    )
    scan_file = None
    if scan is not None:
        scan_file = trip_file_add(trip=trip, actor=actor, kind=TripFileKind.EXTERNAL_APPROVAL, uploaded=scan)
    record = ExternalApproval.objects.create(
        trip=trip,
        document_number=document_number,
        issued_on=issued_on,
        authority=authority,
        approved_people=ordered,
        approved_itinerary=approved_itinerary,
        valid_until=valid_until,
        scan=scan_file,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    activity_record(
        target=trip,
        verb="external_approval",
        actor=actor,
        message=lambda: (
            _("Approval document %(document)s of %(number)s recorded")
            % {"document": document_number, "number": trip.number}
        ),
    )
    case_move(case=trip, actor=actor, move="authorise")
    return record


@transaction.atomic
def external_approval_renew(
    *,
    trip: Trip,
    actor,
    document_number: str,
    issued_on: date,
    authority: str,
    approved_people: list[int],
    approved_itinerary: str,
    valid_until: date | None = None,
    scan: UploadedFile | None = None,
) -> ExternalApproval:
    """Record the authority's new approval of an externally approved trip whose approval document predates
    an approved change of its dates, people or itinerary (``changes_after_approval``).

    The trip's ``ExternalApproval`` takes the new document's number, date, authority, people, itinerary,
    validity and scan (``scan`` filed as a trip file of kind ``external_approval``; without one the record has
    no scan until the office adds it on the trip page — the old scan stays among the trip's files);
    ``recorded_at`` becomes now, so the changes approved until now no longer postdate it and passports are
    issued again. The replaced document's number and date are kept in the trip's activity. The trip stays
    "externally approved" (no move). One transaction: a refused file stores nothing.

    Raises ``PermissionDeniedError`` (not the office), ``TransitionError`` (the trip is not externally
    approved, has no approval document, or no approved change postdates it), ``ValidationError`` (as
    ``external_approval_record``; also a date before the replaced document's), ``DomainError`` (refused file).
    """
    from meridian.travel.services.trips import trip_file_add

    if actor is not None and not permissions.is_office(actor):
        raise PermissionDeniedError(_("Only the International Office records the external approval."))
    trip = Trip.objects.select_for_update().get(pk=trip.pk)
    record = ExternalApproval.objects.select_for_update().filter(trip=trip).first()
    if trip.state != TripState.AUTHORISED or record is None:
        raise TransitionError(
            _(
                "A new approval document is recorded for an externally approved trip; this trip is "
                "“%(state)s”."
            )
            % {"state": trip.get_state_display()}
        )
    later = changes_after_approval(trip, record)
    if not later:
        raise TransitionError(
            _(
                "No approved change postdates approval document %(document)s: there is no new approval to "
                "record."
            )
            % {"document": record.document_number}
        )
    document_number, authority, approved_itinerary, ordered = _checked(
        trip,
        document_number=document_number,
        issued_on=issued_on,
        authority=authority,
        approved_people=approved_people,
        approved_itinerary=approved_itinerary,
        valid_until=valid_until,
        not_before=record.issued_on,
    )
    scan_file = None
    if scan is not None:
        scan_file = trip_file_add(trip=trip, actor=actor, kind=TripFileKind.EXTERNAL_APPROVAL, uploaded=scan)
    old_number, old_date = record.document_number, record.issued_on.isoformat()
    change_numbers = ", ".join(c.number for c in later)
    record.document_number = document_number
    record.issued_on = issued_on
    record.authority = authority
    record.approved_people = ordered
    record.approved_itinerary = approved_itinerary
    record.valid_until = valid_until
    record.scan = scan_file
    record.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    record.recorded_at = timezone.now()
    record.save()
    activity_record(
        target=trip,
        verb="external_approval_renewed",
        actor=actor,
        message=lambda: (
            _(
                "Approval document %(document)s of %(number)s recorded for change %(changes)s; it replaces "
                "approval document %(old)s of %(old_date)s"
            )
            % {
                "document": document_number,
                "number": trip.number,
                "changes": change_numbers,
                "old": old_number,
                "old_date": old_date,
            }
        ),
    )
    return record


def external_scan_fill(*, trip: Trip, file, actor) -> bool:
    """When the trip's approval document is on record without a scan, make ``file`` (a trip file of kind
    ``external_approval``) its scan and say so in the trip's activity; returns whether it did. Called when the
    office adds the scan later from the trip page."""
    if file.kind != TripFileKind.EXTERNAL_APPROVAL or file.trip_id != trip.pk:
        return False
    record = ExternalApproval.objects.select_for_update().filter(trip=trip, scan__isnull=True).first()
    if record is None:
        return False
    record.scan = file
    record.save(update_fields=["scan"])
    document, number = record.document_number, trip.number
    activity_record(
        target=trip,
        verb="external_approval_scan",
        actor=actor,
        message=lambda: (
            _("Scan of approval document %(document)s of %(number)s filed")
            % {"document": document, "number": number}
        ),
    )
    return True


def approved_person_ids(record: ExternalApproval | None) -> list[int]:
    """The Person ids the approval document names, in the stored order (nothing without a record).

    The service stores plain ids; entries of any other shape (hand-written data) name nobody."""
    if record is None:
        return []
    ids: list[int] = []
    for value in record.approved_people or []:
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            ids.append(value)
        elif isinstance(value, str) and value.isdigit():
            ids.append(int(value))
    return list(dict.fromkeys(ids))


def approved_people_of(record: ExternalApproval):
    """The approved people as Person rows in the stored order (missing ids are left out)."""
    from meridian.people.models import Person

    ids = approved_person_ids(record)
    found = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def members_not_approved(trip: Trip, record: ExternalApproval | None = None) -> list:
    """The delegation's members (``TripMember`` rows, in the delegation's order) whom the approval document
    does not name: they may not travel on it (no passport is issued to them). Empty without a record."""
    if record is None:
        record = ExternalApproval.objects.filter(trip=trip).first()
    if record is None:
        return []
    approved = set(approved_person_ids(record))
    members = trip.members.select_related("person").order_by("order", "id")
    return [m for m in members if m.person_id not in approved]


# Sections of a change that the approval document covers (the budget is not in it).
APPROVAL_SECTIONS = ("dates", "members", "itinerary")


def changes_after_approval(trip: Trip, record: ExternalApproval | None = None) -> list:
    """Change requests approved after the approval document was recorded that altered what the document
    approves (dates, people or itinerary), oldest first: the document predates them, so the authority's
    approval of each change is still to be obtained. Derived from ``ExternalApproval.recorded_at`` and the
    change's ``state_changed_at`` (the moment it was approved)."""
    from meridian.travel.choices import ChangeState
    from meridian.travel.services.changes import change_sections

    if record is None:
        record = ExternalApproval.objects.filter(trip=trip).first()
    if record is None or record.recorded_at is None:
        return []
    later = trip.changes.filter(state=ChangeState.APPROVED, state_changed_at__gt=record.recorded_at).order_by(
        "state_changed_at", "id"
    )
    return [c for c in later if set(change_sections(c)) & set(APPROVAL_SECTIONS)]
