"""Guests' arrival and their accommodation registration with the police (境外人员临时住宿登记).

Rules implemented (issue 8 §3; design note, "Visitors and invitations"; Exit and Entry Administration Law of
the PRC, art. 39, and its implementing regulations):

- a foreign guest staying anywhere but a hotel is registered with the local police within 24 hours of
  arriving or of moving to a new address. The number of hours is the Django setting
  ``VISITORS_REGISTRATION_HOURS`` (default 24; some rural police stations allow 72);
- hotels register their own guests: a registration at a hotel is ``by_hotel`` at once and runs no clock;
  a guest who does not stay overnight needs none (``waived``);
- a new passport or visa obtained while in China is registered again within 10 calendar days (due at the end
  of the tenth day after it was obtained).

Each open registration runs a deadline clock (``visitors.deadlines``) for the visit's host; recording the
registration (``registration_mark_done``) or waiving it closes the clock at once. Times are aware datetimes;
dates are local dates in the site's time zone (Asia/Shanghai).

What the services stamp themselves follows the visitors' evaluation date (``casework.today()``, moved by
``casework.evaluation_date(day)`` in background jobs, the demo and tests): see ``evaluation_now``. "In the
future" likewise means after the end of the evaluation day when that day lies ahead of the real one.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.text import clean_spaces
from meridian.visitors import permissions
from meridian.visitors.choices import AccommodationKind, RegistrationReason, RegistrationState, VisitState
from meridian.visitors.models import AccommodationRegistration, Visit, VisitGuest

DEFAULT_REGISTRATION_HOURS = 24
DOCUMENT_REGISTRATION_DAYS = 10
# A time "now" from another machine may run a little ahead of ours.
CLOCK_SLACK = timedelta(minutes=10)

# Visit states in which a guest's arrival may be recorded or corrected: from approval (a delegation member may
# come ahead of the others) until the visit is hosted (corrections afterwards).
ARRIVAL_STATES = (
    VisitState.APPROVED,
    VisitState.INVITATION_ISSUED,
    VisitState.VISA_CONFIRMED,
    VisitState.ARRIVED,
    VisitState.HOSTED,
)
# The guests are in China: address changes and new documents are registered.
IN_CHINA_STATES = (VisitState.ARRIVED,)
# States of a registration the services set by themselves (and may set again when the arrival is corrected).
CLOSED_STATES = (RegistrationState.REGISTERED, RegistrationState.BY_HOTEL, RegistrationState.WAIVED)


def registration_hours() -> int:
    """Hours after an arrival or an address change within which the guest is registered: the setting
    ``VISITORS_REGISTRATION_HOURS`` (default 24). Raises ``ImproperlyConfigured`` for a value that is not a
    whole number from 1 to 240."""
    value = getattr(settings, "VISITORS_REGISTRATION_HOURS", DEFAULT_REGISTRATION_HOURS)
    try:
        hours = int(value)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured("VISITORS_REGISTRATION_HOURS must be a whole number of hours.") from exc
    if not 1 <= hours <= 240:
        raise ImproperlyConfigured("VISITORS_REGISTRATION_HOURS must lie between 1 and 240.")
    return hours


def registration_due(*, reason: str, occurred_at: datetime) -> datetime:
    """When a registration for ``reason`` is due: ``occurred_at`` + ``registration_hours()`` hours (arrival,
    address change), or the end of the 10th calendar day after the local date of ``occurred_at`` (new
    passport or visa)."""
    if reason == RegistrationReason.NEW_DOCUMENT:
        day = timezone.localtime(occurred_at).date() + timedelta(days=DOCUMENT_REGISTRATION_DAYS)
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
    return occurred_at + timedelta(hours=registration_hours())


def initial_state(accommodation: str) -> str:
    """Hotels register their guests themselves (``by_hotel``); no overnight stay needs no registration
    (``waived``); on campus and in a private residence the host registers them (``open``)."""
    if accommodation == AccommodationKind.HOTEL:
        return RegistrationState.BY_HOTEL
    if accommodation == AccommodationKind.NONE:
        return RegistrationState.WAIVED
    return RegistrationState.OPEN


def is_overdue(registration: AccommodationRegistration, now: datetime | None = None) -> bool:
    """An open registration past its due time."""
    now = now or timezone.now()
    return registration.state == RegistrationState.OPEN and registration.due_at < now


def _may_handle(actor: Any, visit: Visit) -> None:
    if actor is not None and not permissions.can_handle_visit(actor, visit):
        raise PermissionDeniedError(
            _("Only the host, the host unit's secretaries and the International Office record arrivals.")
        )


def _aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError({field: [_("Enter a date and time.")]})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def evaluation_now() -> datetime:
    """The moment a case step is recorded at (an aware datetime): now when the visitors' evaluation date
    (``casework.today()``) is the local date; otherwise noon, local time, of the evaluation date, so that
    background jobs, the demo and tests acting for another day (``casework.evaluation_date(day)``) record it
    on that day."""
    from meridian.visitors.casework import today

    day = today()
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _latest_allowed() -> datetime:
    """The latest time an event may be recorded at: now, plus ``CLOCK_SLACK``; when the evaluation date lies
    after the local date, the end of the evaluation day (events of that day have happened)."""
    from meridian.visitors.casework import today

    latest = timezone.now()
    day = today()
    if day > timezone.localdate():
        latest = max(latest, timezone.make_aware(datetime.combine(day, time(23, 59, 59))))
    return latest + CLOCK_SLACK


def _not_future(value: datetime, field: str) -> None:
    if value > _latest_allowed():
        raise ValidationError({field: [_("This lies in the future: record it once it has happened.")]})


def visit_window(visit: Visit) -> tuple[date, date]:
    """The local days within which a guest of ``visit`` may be recorded as arriving, moving or obtaining a
    new document: from ``casework.EARLY_ARRIVAL_DAYS`` (3) days before the planned arrival (``arrive_on``;
    guests sometimes come a little early) to the planned departure (``depart_on``), or the recorded departure
    (``left_on``) when the guests stayed longer."""
    from meridian.visitors.casework import EARLY_ARRIVAL_DAYS

    last = max(visit.depart_on, visit.left_on) if visit.left_on else visit.depart_on
    return visit.arrive_on - timedelta(days=EARLY_ARRIVAL_DAYS), last


def _early_message(visit: Visit) -> str:
    from meridian.visitors.casework import EARLY_ARRIVAL_DAYS

    return _(
        "The guests are expected on %(date)s: an arrival can be recorded at most %(days)s days earlier."
    ) % {"date": visit.arrive_on.isoformat(), "days": EARLY_ARRIVAL_DAYS}


def _not_after_visit(visit: Visit, day: date, field: str) -> None:
    """Refuse a local ``day`` after the visit's last day (``visit_window``)."""
    last = visit_window(visit)[1]
    if day > last:
        message = _("This is after the visit ends (%(date)s): check the date.") % {"date": last.isoformat()}
        raise ValidationError({field: [message]})


def _clean_accommodation(accommodation: str, address: str) -> tuple[str, str]:
    if accommodation not in AccommodationKind.values:
        raise ValidationError({"accommodation": [_("Choose the accommodation from the list.")]})
    address = clean_spaces(address)
    if len(address) > 300:
        raise ValidationError({"address": [_("At most 300 characters.")]})
    return accommodation, address


def _guest_label(guest: VisitGuest) -> str:
    return guest.person.latin_name


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _sync_clock(registration: AccommodationRegistration) -> None:
    from meridian.visitors.deadlines import registration_clock_sync

    registration_clock_sync(registration)


# --- registrations ----------------------------------------------------------------------------------------


@transaction.atomic
def registration_open(
    *,
    guest: VisitGuest,
    reason: str,
    occurred_at: datetime,
    accommodation: str,
    address: str = "",
    actor: Any = None,
) -> AccommodationRegistration:
    """Open a registration of ``guest`` for ``reason`` (``RegistrationReason``) after ``occurred_at`` (the
    arrival, the move or the day the new document was obtained), at ``accommodation`` (``AccommodationKind``)
    and ``address``.

    Due per ``registration_due`` (24 hours by default; 10 days for a new document). A hotel registers its
    guests itself: the registration is ``by_hotel`` at once; no overnight stay: ``waived``; otherwise it is
    ``open`` and its clock opens for the visit's host. Internal: callers check permissions. Raises
    ``ValidationError`` (unknown reason or accommodation, address too long).
    """
    if reason not in RegistrationReason.values:
        raise ValidationError({"reason": [_("Choose the reason from the list.")]})
    occurred_at = _aware(occurred_at, "occurred_at")
    accommodation, address = _clean_accommodation(accommodation, address)
    registration = AccommodationRegistration.objects.create(
        guest=guest,
        reason=reason,
        occurred_at=occurred_at,
        due_at=registration_due(reason=reason, occurred_at=occurred_at),
        accommodation=accommodation,
        address=address,
        state=initial_state(accommodation),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _sync_clock(registration)
    return registration


def _correct(
    registration: AccommodationRegistration, *, occurred_at: datetime, accommodation: str, address: str
) -> bool:
    """Bring an arrival registration the services set by themselves in line with the corrected arrival.
    A registration recorded or waived by a person stays as it is. Returns whether it changed."""
    automatic = registration.state == RegistrationState.OPEN or (
        registration.state in (RegistrationState.BY_HOTEL, RegistrationState.WAIVED)
        and registration.registered_by_id is None
        and not registration.note
    )
    if not automatic:
        return False
    registration.occurred_at = occurred_at
    registration.due_at = registration_due(reason=registration.reason, occurred_at=occurred_at)
    registration.accommodation = accommodation
    registration.address = address
    registration.state = initial_state(accommodation)
    registration.save(update_fields=["occurred_at", "due_at", "accommodation", "address", "state"])
    _sync_clock(registration)
    return True


@transaction.atomic
def registration_mark_done(
    *,
    registration: AccommodationRegistration,
    registered_at: datetime,
    receipt_number: str = "",
    actor: Any,
) -> AccommodationRegistration:
    """Record that ``registration`` was made with the police at ``registered_at`` (aware or local time; not
    in the future, not before the arrival or change) with the police's ``receipt_number`` (optional, at most
    60 characters). Closes its deadline clock at once.

    The host, the host unit's secretaries and the office. Raises ``PermissionDeniedError``,
    ``TransitionError`` (not open any more) and ``ValidationError``.
    """
    locked = (
        AccommodationRegistration.objects.select_for_update(of=("self",))
        .select_related("guest__visit", "guest__person")
        .get(pk=registration.pk)
    )
    visit = locked.guest.visit
    _may_handle(actor, visit)
    if locked.state != RegistrationState.OPEN:
        raise TransitionError(
            _("This registration is already closed (%(state)s).") % {"state": locked.get_state_display()}
        )
    registered_at = _aware(registered_at, "registered_at")
    _not_future(registered_at, "registered_at")
    if registered_at < locked.occurred_at - timedelta(days=1):
        raise ValidationError(
            {"registered_at": [_("The registration cannot come before the arrival or change it registers.")]}
        )
    receipt_number = clean_spaces(receipt_number)
    if len(receipt_number) > 60:
        raise ValidationError({"receipt_number": [_("At most 60 characters.")]})
    locked.state = RegistrationState.REGISTERED
    locked.registered_at = registered_at
    locked.receipt_number = receipt_number
    locked.registered_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["state", "registered_at", "receipt_number", "registered_by"])
    _sync_clock(locked)
    name, when = _guest_label(locked.guest), _local(registered_at)
    activity_record(
        target=visit,
        verb="registration_done",
        actor=actor,
        message=lambda: (
            _("Accommodation registration of %(guest)s made on %(time)s") % {"guest": name, "time": when}
        ),
        comment=receipt_number,
    )
    return locked


@transaction.atomic
def registration_waive(
    *, registration: AccommodationRegistration, reason: str, actor: Any
) -> AccommodationRegistration:
    """Mark an open registration as not needed, saying why (kept as its note; for example the guest left the
    same day). Closes its clock. The host unit's secretaries and the office (not the host alone).

    Raises ``PermissionDeniedError``, ``TransitionError`` (not open) and ``ValidationError`` (no reason).
    """
    locked = (
        AccommodationRegistration.objects.select_for_update(of=("self",))
        .select_related("guest__visit", "guest__person")
        .get(pk=registration.pk)
    )
    visit = locked.guest.visit
    if actor is not None and not permissions.acts_for_unit(actor, visit.host_unit_id):
        raise PermissionDeniedError(
            _("Only the host unit's secretaries and the International Office waive a registration.")
        )
    if locked.state != RegistrationState.OPEN:
        raise TransitionError(
            _("This registration is already closed (%(state)s).") % {"state": locked.get_state_display()}
        )
    reason = clean_spaces(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why the registration is not needed.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("At most 300 characters.")]})
    locked.state = RegistrationState.WAIVED
    locked.note = reason
    locked.registered_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["state", "note", "registered_by"])
    _sync_clock(locked)
    name = _guest_label(locked.guest)
    activity_record(
        target=visit,
        verb="registration_waived",
        actor=actor,
        message=lambda: _("Accommodation registration of %(guest)s marked as not needed") % {"guest": name},
        comment=reason,
    )
    return locked


# --- arrivals ---------------------------------------------------------------------------------------------


def _arrival_registration(guest: VisitGuest) -> AccommodationRegistration | None:
    return (
        AccommodationRegistration.objects.select_for_update()
        .filter(guest=guest, reason=RegistrationReason.ARRIVAL)
        .order_by("-occurred_at", "-pk")
        .first()
    )


def visit_arrival_record(*, visit: Visit, actor: Any) -> None:
    """The ``arrive`` move's side effect: every guest without a recorded arrival arrived at
    ``evaluation_now()`` (now; noon of the evaluation date when a job, the demo or a test moves the visit as
    of another day); the visit's ``arrived_on`` becomes the earliest guest's local arrival date (unless
    already set); each guest without an arrival registration gets one at the visit's accommodation and
    address, due 24 hours after that arrival. The expected-arrival clock of the visit closes. The move has
    checked who may act; runs inside its transaction."""
    from meridian.visitors.casework import today
    from meridian.visitors.deadlines import expected_arrival_clock_meet

    now = evaluation_now()
    guests = list(VisitGuest.objects.select_for_update().filter(visit=visit).select_related("person"))
    for guest in guests:
        if guest.arrived_at is None:
            guest.arrived_at = now
            guest.save(update_fields=["arrived_at"])
        if _arrival_registration(guest) is None:
            registration_open(
                guest=guest,
                reason=RegistrationReason.ARRIVAL,
                occurred_at=guest.arrived_at,
                accommodation=visit.accommodation,
                address=visit.accommodation_address,
                actor=actor,
            )
    arrivals = [g.arrived_at for g in guests if g.arrived_at is not None]
    if visit.arrived_on is None:
        visit.arrived_on = timezone.localtime(min(arrivals)).date() if arrivals else today()
        Visit.objects.filter(pk=visit.pk).update(arrived_on=visit.arrived_on)
    expected_arrival_clock_meet(visit)


@transaction.atomic
def guest_arrival_record(
    *,
    guest: VisitGuest,
    arrived_at: datetime,
    accommodation: str,
    address: str = "",
    actor: Any,
) -> VisitGuest:
    """Record or correct when ``guest`` arrived and where they stay (``AccommodationKind``, address).

    For a visit from approval until hosted (``ARRIVAL_STATES``). The arrival lies within the visit
    (``visit_window``: its local date from ``casework.EARLY_ARRIVAL_DAYS`` = 3 days before the planned arrival
    to the departure) and not in the future (``_latest_allowed``: now, or the end of a later evaluation day).
    A first record opens the guest's arrival registration (24 hours, see ``registration_open``); a correction
    moves its due time and state while the registration is still open or was closed by the services
    themselves (hotel, no overnight stay); one recorded or waived by a person stays.
    The address is required on campus and in a private residence.

    A correction never leaves the guest's later registrations (a change of address, a new passport or visa)
    dated before the arrival: such a correction is refused with a message naming them (the arrival is then
    given before them, or a move recorded by mistake is first marked as not needed, which lets it stand as
    void). Nothing is moved or deleted silently: those registrations may already have been made with the
    police.

    The host, the host unit's secretaries and the office. Raises ``PermissionDeniedError``,
    ``TransitionError`` (visit not approved, or closed) and ``ValidationError`` (on ``arrived_at``: time in
    the future, before the window or after the visit, later registrations dated before it; unknown
    accommodation, address missing).
    """
    locked = VisitGuest.objects.select_for_update().select_related("visit", "person").get(pk=guest.pk)
    visit = locked.visit
    _may_handle(actor, visit)
    if visit.state not in ARRIVAL_STATES:
        raise TransitionError(
            _("Arrivals are recorded once the visit is approved and until it is closed; it is %(state)s.")
            % {"state": visit.get_state_display()}
        )
    arrived_at = _aware(arrived_at, "arrived_at")
    _not_future(arrived_at, "arrived_at")
    day = timezone.localtime(arrived_at).date()
    if day < visit_window(visit)[0]:
        raise ValidationError({"arrived_at": [_early_message(visit)]})
    _not_after_visit(visit, day, "arrived_at")
    _no_later_registrations_before(locked, arrived_at)
    accommodation, address = _clean_accommodation(accommodation, address)
    if accommodation in (AccommodationKind.ON_CAMPUS, AccommodationKind.PRIVATE) and not address:
        raise ValidationError({"address": [_("Give the address where the guest stays.")]})
    first = locked.arrived_at is None
    locked.arrived_at = arrived_at
    locked.save(update_fields=["arrived_at"])
    existing = _arrival_registration(locked)
    if existing is None:
        registration_open(
            guest=locked,
            reason=RegistrationReason.ARRIVAL,
            occurred_at=arrived_at,
            accommodation=accommodation,
            address=address,
            actor=actor,
        )
    else:
        _correct(existing, occurred_at=arrived_at, accommodation=accommodation, address=address)
    name, when = _guest_label(locked), _local(arrived_at)
    activity_record(
        target=visit,
        verb="guest_arrived" if first else "guest_arrival_corrected",
        actor=actor,
        message=(
            (lambda: _("Arrival of %(guest)s recorded: %(time)s") % {"guest": name, "time": when})
            if first
            else (lambda: _("Arrival of %(guest)s corrected: %(time)s") % {"guest": name, "time": when})
        ),
    )
    return locked


def _blocking_later(guest: VisitGuest, arrived_at: datetime) -> list[AccommodationRegistration]:
    """The guest's registrations after the arrival (moves, new documents) that an arrival at ``arrived_at``
    would leave dated before it: a move before that time, a document obtained before its local day. Those
    marked as not needed by a person (with a note) are void and do not count."""
    rows = (
        AccommodationRegistration.objects.filter(guest=guest)
        .exclude(reason=RegistrationReason.ARRIVAL)
        .exclude(state=RegistrationState.WAIVED, note__gt="")
        .order_by("occurred_at", "pk")
    )
    day = timezone.localtime(arrived_at).date()
    return [
        r
        for r in rows
        if (
            timezone.localtime(r.occurred_at).date() < day
            if r.reason == RegistrationReason.NEW_DOCUMENT
            else r.occurred_at < arrived_at
        )
    ]


def _no_later_registrations_before(guest: VisitGuest, arrived_at: datetime) -> None:
    """Refuse an arrival that would come after registrations recorded as following it (see
    ``guest_arrival_record``); the message names each (reason and local time)."""
    blocking = _blocking_later(guest, arrived_at)
    if not blocking:
        return
    items = pgettext("list separator", "; ").join(
        _("%(reason)s of %(time)s")
        % {
            "reason": r.get_reason_display(),
            "time": (
                timezone.localtime(r.occurred_at).date().isoformat()
                if r.reason == RegistrationReason.NEW_DOCUMENT
                else _local(r.occurred_at)
            ),
        }
        for r in blocking
    )
    raise ValidationError(
        {
            "arrived_at": [
                _(
                    "Recorded after the arrival, these would lie before it: %(items)s. Give an arrival "
                    "before them, or first mark a move recorded by mistake as not needed."
                )
                % {"items": items}
            ]
        }
    )


def _in_china(guest: VisitGuest) -> None:
    if guest.visit.state not in IN_CHINA_STATES or guest.arrived_at is None:
        raise TransitionError(
            _("Record the guest's arrival first: this is registered only while the guest is in China.")
        )


@transaction.atomic
def guest_address_change_record(
    *,
    guest: VisitGuest,
    occurred_at: datetime,
    accommodation: str,
    address: str = "",
    actor: Any,
) -> AccommodationRegistration:
    """The guest moved to ``accommodation`` at ``address`` at ``occurred_at``: a new registration within 24
    hours (a hotel registers them itself). Only while the visit's guests are in China (state arrived), and
    between the guest's arrival and the end of the visit (``visit_window``).

    The host, the host unit's secretaries and the office. Raises ``PermissionDeniedError``,
    ``TransitionError`` and ``ValidationError`` (time in the future, before the arrival or after the visit,
    address missing).
    """
    locked = VisitGuest.objects.select_for_update().select_related("visit", "person").get(pk=guest.pk)
    _may_handle(actor, locked.visit)
    _in_china(locked)
    occurred_at = _aware(occurred_at, "occurred_at")
    _not_future(occurred_at, "occurred_at")
    assert locked.arrived_at is not None  # _in_china
    if occurred_at < locked.arrived_at:
        raise ValidationError({"occurred_at": [_("The move cannot come before the guest's arrival.")]})
    _not_after_visit(locked.visit, timezone.localtime(occurred_at).date(), "occurred_at")
    accommodation, address = _clean_accommodation(accommodation, address)
    if accommodation != AccommodationKind.NONE and not address:
        raise ValidationError({"address": [_("Give the address where the guest stays.")]})
    registration = registration_open(
        guest=locked,
        reason=RegistrationReason.ADDRESS_CHANGE,
        occurred_at=occurred_at,
        accommodation=accommodation,
        address=address,
        actor=actor,
    )
    name, where = _guest_label(locked), address or registration.get_accommodation_display()
    activity_record(
        target=locked.visit,
        verb="guest_moved",
        actor=actor,
        message=lambda: _("%(guest)s moved to %(address)s") % {"guest": name, "address": where},
    )
    return registration


def _last_stay(guest: VisitGuest) -> tuple[str, str]:
    """Where the guest stays now: their latest registration's accommodation and address, else the visit's."""
    latest = (
        AccommodationRegistration.objects.filter(guest=guest)
        .exclude(reason=RegistrationReason.NEW_DOCUMENT)
        .order_by("-occurred_at", "-pk")
        .first()
    )
    if latest is not None:
        return latest.accommodation, latest.address
    return guest.visit.accommodation, guest.visit.accommodation_address


@transaction.atomic
def guest_new_document_record(
    *, guest: VisitGuest, occurred_on: date, actor: Any
) -> AccommodationRegistration:
    """The guest obtained a new passport or visa in China on ``occurred_on``: a new registration within 10
    calendar days (due at the end of ``occurred_on`` + 10), at the place they stay now. Only while the
    visit's guests are in China, dated from the arrival day to the end of the visit (``visit_window``). (The
    document itself is entered on the guest's person record.)

    The host, the host unit's secretaries and the office. Raises ``PermissionDeniedError``,
    ``TransitionError`` and ``ValidationError`` (a date in the future, before the arrival or after the visit).
    """
    locked = VisitGuest.objects.select_for_update().select_related("visit", "person").get(pk=guest.pk)
    _may_handle(actor, locked.visit)
    _in_china(locked)
    if not isinstance(occurred_on, date) or isinstance(occurred_on, datetime):
        raise ValidationError({"occurred_on": [_("Enter a date.")]})
    assert locked.arrived_at is not None  # _in_china
    if occurred_on > timezone.localtime(_latest_allowed() - CLOCK_SLACK).date():
        raise ValidationError(
            {"occurred_on": [_("This lies in the future: record it once it has happened.")]}
        )
    if occurred_on < timezone.localtime(locked.arrived_at).date():
        raise ValidationError(
            {"occurred_on": [_("A document obtained before the arrival is registered with the arrival.")]}
        )
    _not_after_visit(locked.visit, occurred_on, "occurred_on")
    accommodation, address = _last_stay(locked)
    registration = registration_open(
        guest=locked,
        reason=RegistrationReason.NEW_DOCUMENT,
        occurred_at=timezone.make_aware(datetime.combine(occurred_on, time(0, 0))),
        accommodation=accommodation,
        address=address,
        actor=actor,
    )
    name, day = _guest_label(locked), occurred_on.isoformat()
    activity_record(
        target=locked.visit,
        verb="guest_new_document",
        actor=actor,
        message=lambda: (
            _("New passport or visa of %(guest)s recorded (obtained %(date)s)") % {"guest": name, "date": day}
        ),
    )
    return registration


# --- the police data sheet --------------------------------------------------------------------------------


def guest_document_reveal(
    *, guest: VisitGuest, document: Any, actor: Any, purpose: str, ip: str | None
) -> str:
    """The full number of ``document`` (a ``people.IdentityDocument`` of the guest's person) for the police
    registration sheet; the read is logged in the people access log with ``purpose`` first.

    Guests' data is for ``permissions.can_see_guest_data`` (the host, the host unit's secretaries, the
    office). The people service ``identity_document_reveal`` logs and returns it when the people rules let the
    actor see the person's documents (the office; coordinators of the person's unit); for the visit's host and
    secretaries, whom those rules do not cover for a guest, the same access-log entry is written here. Raises
    ``PermissionDeniedError`` (not allowed, or a document of someone else) and ``ValidationError`` (no
    purpose).
    """
    from meridian.people import permissions as people_permissions
    from meridian.people.choices import AccessAction
    from meridian.people.services import access_log_record, identity_document_reveal

    if document.person_id != guest.person_id or not permissions.can_see_guest_data(actor, guest.visit):
        raise PermissionDeniedError(_("You may not see this guest's identity documents."))
    if people_permissions.can_view_documents(actor, guest.person):
        return identity_document_reveal(document=document, actor=actor, purpose=purpose, ip=ip)
    purpose = clean_spaces(purpose)
    if not purpose:
        raise ValidationError({"purpose": [_("Say why you need to see the full number.")]})
    access_log_record(actor=actor, action=AccessAction.UNMASK, document=document, purpose=purpose, ip=ip)
    return document.number
