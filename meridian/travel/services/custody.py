"""The register of official passports and Hong Kong/Macao/Taiwan permits kept by the International Office.

Every movement is one service: it checks the office's permission and the document's state, locks the row,
writes a ``CustodyMovement`` and an activity entry, and raises a ``DomainError`` whose message says what to
do.

Rules implemented (design note, "Official travel abroad"; Wuhan University's official-passport custody rules):
official passports and permits are kept centrally and issued for an approved trip only, at most
``passport_issue.days_before_departure`` calendar days (default 7) before departure; they are due back within
``passport_return.days_after_return`` calendar days (default 7) of the planned return date. Overdue documents
count against the unit's suspension (``selectors.compliance.unit_suspension_reasons``) and run the
``travel.passport_return`` clock (``travel.deadlines``), which return, cancel and lost mark met at once. A
document is issued only to a person the trip's approval document (批件) approves, and for no one while a
change approved after that document awaits the authority's approval.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.text import clean_spaces
from meridian.core.versioning import bump_version
from meridian.people.choices import DocumentType
from meridian.people.models import IdentityDocument
from meridian.travel import permissions, rules
from meridian.travel.choices import CustodyAction, CustodyState, RegionKind, TripState
from meridian.travel.deadlines import passport_clock_meet
from meridian.travel.models import CustodyItem, CustodyMovement, Trip

# The documents the office keeps, and the one each region needs.
CUSTODY_KINDS = (DocumentType.OFFICIAL_PASSPORT, DocumentType.HK_MACAO_PERMIT, DocumentType.TAIWAN_PERMIT)
KIND_FOR_REGION: dict[str, str] = {
    RegionKind.ABROAD: DocumentType.OFFICIAL_PASSPORT,
    RegionKind.HK_MACAO: DocumentType.HK_MACAO_PERMIT,
    RegionKind.TAIWAN: DocumentType.TAIWAN_PERMIT,
}


def issue_window_days() -> int:
    """Calendar days before departure from which a document may be issued (rule parameter, default 7)."""
    return int(rules.parameter("passport_issue", "days_before_departure"))


def return_window_days() -> int:
    """Calendar days after the planned return within which a document is due back (default 7)."""
    return int(rules.parameter("passport_return", "days_after_return"))


def due_back_on(trip: Trip) -> date:
    """The day a document issued for ``trip`` is due back: planned return date + the return window."""
    return trip.return_on + timedelta(days=return_window_days())


def _require_office(actor) -> None:
    if actor is not None and not permissions.can_manage_custody(actor):
        raise PermissionDeniedError(
            _("Only the International Office moves passports and permits in custody.")
        )


def _day(on: date | None) -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise DomainError(
            _("A movement cannot be dated in the future (%(date)s).") % {"date": on.isoformat()}
        )
    return on


def _locked(item: CustodyItem) -> CustodyItem:
    return CustodyItem.objects.select_for_update().select_related("document", "holder").get(pk=item.pk)


def _wrong_state(item: CustodyItem, action: str) -> DomainError:
    return DomainError(
        _("The document cannot be %(action)s: it is now “%(state)s”.")
        % {"action": action, "state": item.get_state_display()},
        code="illegal_transition",
    )


def _move(
    item: CustodyItem,
    *,
    actor,
    action: str,
    on: date,
    note: str = "",
    trip: Trip | None = None,
    update: list[str],
) -> CustodyItem:
    bump_version(item)
    item._history_user = actor  # type: ignore[attr-defined]
    item.save(update_fields=[*update, "version"])
    CustodyMovement.objects.create(
        item=item,
        action=action,
        on=on,
        trip=trip,
        note=note[:300],
        actor=actor if actor is not None else None,
    )
    label = CustodyAction(action).label
    holder = str(item.holder)
    activity_record(
        target=item,
        verb=f"custody_{action}",
        actor=actor,
        message=lambda: _("%(action)s: %(holder)s") % {"action": str(label), "holder": holder},
        comment=note,
    )
    return item


@transaction.atomic
def custody_register(
    *, document: IdentityDocument, actor, location: str = "", unit=None, on: date | None = None
) -> CustodyItem:
    """Take an official passport or a Hong Kong/Macao or Taiwan permit into the office's custody.

    ``unit`` defaults to the holder's unit. Raises ``PermissionDeniedError`` (not the office),
    ``DomainError`` (another kind of document, already in the register, no unit, expired document).
    """
    _require_office(actor)
    on = _day(on)
    if document.kind not in CUSTODY_KINDS:
        raise DomainError(
            _("Only official passports and permits for Hong Kong, Macao or Taiwan are kept by the office.")
        )
    if CustodyItem.objects.filter(document=document).exists():
        raise DomainError(_("This document is already in the register."))
    unit = unit or document.person.unit
    if unit is None:
        raise DomainError(_("Give the holder's unit: the register counts documents per unit."))
    if document.expiry_date < on:
        raise DomainError(
            _("The document expired on %(date)s and cannot be taken into custody.")
            % {"date": document.expiry_date.isoformat()}
        )
    item = CustodyItem(
        document=document,
        holder=document.person,
        unit=unit,
        location=clean_spaces(location)[:200],
        state=CustodyState.IN_CUSTODY,
    )
    item._history_user = actor  # type: ignore[attr-defined]
    item.save()
    CustodyMovement.objects.create(item=item, action=CustodyAction.REGISTER, on=on, actor=actor)
    holder = str(item.holder)
    activity_record(
        target=item,
        verb="custody_register",
        actor=actor,
        message=lambda: _("Taken into custody: %(holder)s") % {"holder": holder},
    )
    return item


def _require_approved_person(trip: Trip, item: CustodyItem) -> None:
    """The trip's approval document (批件) must be on record and cover the trip as it is now, and the holder
    must be among the people it approves. While a change of dates, people or itinerary approved after the
    document was recorded awaits the authority's approval (``external.changes_after_approval``), no document
    is issued for the trip at all — not even to a member the old document approves, who would travel on
    dates or an itinerary nobody outside the university has approved."""
    from meridian.travel.models import ExternalApproval
    from meridian.travel.services.external import approved_person_ids, changes_after_approval

    record = ExternalApproval.objects.filter(trip=trip).first()
    if record is None:
        raise DomainError(
            _(
                "The approval document of trip %(number)s is not on record: record the external approval "
                "before issuing documents."
            )
            % {"number": trip.number}
        )
    later = changes_after_approval(trip, record)
    if later:
        raise DomainError(
            _(
                "Approval document %(document)s of trip %(number)s predates change %(change)s: the "
                "authority's approval of change %(change)s must be recorded on the trip's external approval "
                "before any passport or permit is issued for this trip."
            )
            % {
                "document": record.document_number,
                "number": trip.number,
                "change": ", ".join(c.number for c in later),
            },
            code="approval_predates_change",
        )
    if item.holder_id in approved_person_ids(record):
        return
    raise DomainError(
        _(
            "%(holder)s is not among the people approved by approval document %(document)s of trip "
            "%(number)s: the document cannot be issued for this trip."
        )
        % {"holder": item.holder, "document": record.document_number, "number": trip.number},
        code="not_approved",
    )


@transaction.atomic
def custody_issue(*, item: CustodyItem, actor, trip: Trip, on: date | None = None) -> CustodyItem:
    """Hand a document in custody to its holder for ``trip``; sets ``due_back_on`` (planned return date +
    ``passport_return.days_after_return`` calendar days).

    Refused (``DomainError``) unless the document is in custody, the trip is externally approved
    (state "authorised"), no change of its dates, people or itinerary was approved after its approval document
    was recorded (the authority's approval of the change is recorded first), the holder travels on it and is
    among the approved people of its approval document, the document is the one
    the trip's region needs and is valid until the return date, and ``on`` is at most
    ``passport_issue.days_before_departure`` calendar days before departure and not after the return date.
    ``PermissionDeniedError`` for anyone but the office.
    """
    _require_office(actor)
    on = _day(on)
    current = _locked(item)
    if current.state != CustodyState.IN_CUSTODY:
        raise _wrong_state(current, _("issued"))
    if trip.state != TripState.AUTHORISED:
        raise DomainError(
            _(
                "Documents are issued only for a trip whose external approval is recorded; trip "
                "%(number)s is “%(state)s”."
            )
            % {"number": trip.number, "state": trip.get_state_display()}
        )
    if not trip.members.filter(person_id=current.holder_id).exists():
        raise DomainError(
            _("%(holder)s does not travel on trip %(number)s.")
            % {"holder": current.holder, "number": trip.number}
        )
    _require_approved_person(trip, current)
    wanted_kind = KIND_FOR_REGION.get(trip.region)
    if wanted_kind and current.document.kind != wanted_kind:
        raise DomainError(
            _("A trip to this region needs a %(wanted)s, not a %(kind)s.")
            % {
                "wanted": DocumentType(wanted_kind).label,
                "kind": current.document.get_kind_display(),
            }
        )
    if current.document.expiry_date < trip.return_on:
        raise DomainError(
            _("The document expires on %(expiry)s, before the trip returns on %(date)s.")
            % {"expiry": current.document.expiry_date.isoformat(), "date": trip.return_on.isoformat()}
        )
    window = issue_window_days()
    earliest = trip.depart_on - timedelta(days=window)
    if on < earliest:
        raise DomainError(
            _(
                "Documents are issued at most %(days)s days before departure: this one can be issued from "
                "%(date)s."
            )
            % {"days": window, "date": earliest.isoformat()}
        )
    if on > trip.return_on:
        raise DomainError(_("The trip ended on %(date)s.") % {"date": trip.return_on.isoformat()})
    current.state = CustodyState.ISSUED
    current.trip = trip
    current.issued_on = on
    current.due_back_on = due_back_on(trip)
    return _move(
        current,
        actor=actor,
        action=CustodyAction.ISSUE,
        on=on,
        trip=trip,
        update=["state", "trip", "issued_on", "due_back_on"],
    )


@transaction.atomic
def custody_return(
    *, item: CustodyItem, actor, on: date | None = None, note: str = "", location: str | None = None
) -> CustodyItem:
    """Record that an issued document (or one back from an embassy) is in the office's custody again; its
    passport clock is marked met at once. ``DomainError`` from any other state."""
    _require_office(actor)
    on = _day(on)
    current = _locked(item)
    if current.state not in (CustodyState.ISSUED, CustodyState.AT_AUTHORITY):
        raise _wrong_state(current, _("returned"))
    trip = current.trip if current.state == CustodyState.ISSUED else None
    current.state = CustodyState.IN_CUSTODY
    current.due_back_on = None
    update = ["state", "due_back_on"]
    if location is not None:
        current.location = clean_spaces(location)[:200]
        update.append("location")
    moved = _move(
        current, actor=actor, action=CustodyAction.RETURN, on=on, trip=trip, note=note, update=update
    )
    passport_clock_meet(moved)
    return moved


def _reason(note: str, message: str) -> str:
    note = clean_spaces(note)
    if not note:
        raise DomainError(message)
    return note


@transaction.atomic
def custody_send(*, item: CustodyItem, actor, note: str, on: date | None = None) -> CustodyItem:
    """Send a document in custody to an embassy or authority (for a visa); ``note`` names where (required)."""
    _require_office(actor)
    on = _day(on)
    note = _reason(note, _("Say to which embassy or authority the document goes."))
    current = _locked(item)
    if current.state != CustodyState.IN_CUSTODY:
        raise _wrong_state(current, _("sent out"))
    current.state = CustodyState.AT_AUTHORITY
    return _move(current, actor=actor, action=CustodyAction.SEND, on=on, note=note, update=["state"])


@transaction.atomic
def custody_cancel(*, item: CustodyItem, actor, note: str, on: date | None = None) -> CustodyItem:
    """Cancel a document in custody (expired, holder left, handed back to the issuer); ``note`` says why.
    Any open passport clock of the document is marked met at once."""
    _require_office(actor)
    on = _day(on)
    note = _reason(note, _("Say why the document is cancelled."))
    current = _locked(item)
    if current.state not in (CustodyState.IN_CUSTODY, CustodyState.AT_AUTHORITY):
        raise _wrong_state(current, _("cancelled"))
    current.state = CustodyState.CANCELLED
    current.due_back_on = None
    moved = _move(
        current, actor=actor, action=CustodyAction.CANCEL, on=on, note=note, update=["state", "due_back_on"]
    )
    passport_clock_meet(moved)
    return moved


@transaction.atomic
def custody_lost(*, item: CustodyItem, actor, note: str, on: date | None = None) -> CustodyItem:
    """Record a document reported lost (by the holder, the office or an authority); ``note`` tells how.
    Its open passport clock is marked met at once (the loss is on record)."""
    _require_office(actor)
    on = _day(on)
    note = _reason(note, _("Say how and where the document was lost."))
    current = _locked(item)
    if current.state in (CustodyState.CANCELLED, CustodyState.LOST):
        raise _wrong_state(current, _("reported lost"))
    current.state = CustodyState.LOST
    current.due_back_on = None
    moved = _move(
        current, actor=actor, action=CustodyAction.LOSE, on=on, note=note, update=["state", "due_back_on"]
    )
    passport_clock_meet(moved)
    return moved
