"""Deadline clocks of guests' accommodation registration with the police (issue 8 §3).

Both clocks follow from the data (``ClockSource``), so the daily ``clocks_sync`` opens and closes them; the
arrival services (``services.arrivals``) also open and close a registration's clock at once, so no page
shows a met deadline as overdue until the next sync.

- ``visitors.accommodation_registration`` (unit: hours): one clock per open registration after an arrival or
  a change of address, due at its ``due_at`` (the arrival + ``VISITORS_REGISTRATION_HOURS``, default 24
  hours). The same rule covers an *expected arrival that passed*: a visit that is approved (or has its
  invitation issued or its visas confirmed) whose planned arrival day is over while some guests' arrival is
  not recorded opens one clock on the visit, due 24 hours after the end of the planned arrival day: "record
  the arrival and register the guests". Met when the registration is made, is done by the hotel or is not
  needed, and for the visit when the arrival is recorded (or the visit is cancelled or its dates move).
- ``visitors.document_registration`` (unit: days): one clock per open registration after a new passport or
  visa, due at the end of the 10th day after it was obtained.

The host of the visit is responsible. Default ladders (administrators change them on the deadlines pages):

- 24-hour registration: the host 6 hours before it is due, the host unit's secretaries when it falls due, the
  International Office 12 hours after (the police may fine the host for a late registration, so the office
  hears of it the same day); marked missed 72 hours after it was due;
- 10-day registration: the host 3 days before, the unit on the due day, the office 2 days after; missed 14
  days after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.clocks import calendar
from meridian.clocks.choices import Audience
from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.sources import ClockSource, Wanted, sources
from meridian.visitors.choices import RegistrationReason, RegistrationState, VisitState
from meridian.visitors.models import AccommodationRegistration, Visit

REGISTRATION_RULE = "visitors.accommodation_registration"
DOCUMENT_RULE = "visitors.document_registration"
RULES = (REGISTRATION_RULE, DOCUMENT_RULE)
EXPECTED_ARRIVAL_KEY = "expected-arrival"
# Visits whose guests are expected but not all recorded as arrived.
EXPECTING_STATES = (VisitState.APPROVED, VisitState.INVITATION_ISSUED, VisitState.VISA_CONFIRMED)

REGISTRATION_LADDER = (
    Step(-6, "hours", Audience.RESPONSIBLE),
    Step(0, "hours", Audience.UNIT),
    Step(12, "hours", Audience.OFFICE),
)
DOCUMENT_LADDER = (
    Step(-3, "days", Audience.RESPONSIBLE),
    Step(0, "days", Audience.UNIT),
    Step(2, "days", Audience.OFFICE),
)

REGISTRATION_MET_NOTE = (
    "The guest was registered (or the hotel registered them, or no registration is needed)."
)
EXPECTED_MET_NOTE = "The guests' arrival was recorded, or the visit no longer expects them."


def rule_for(registration: AccommodationRegistration) -> str:
    """The clock rule of ``registration``: 10 days for a new document, the hours rule otherwise."""
    return DOCUMENT_RULE if registration.reason == RegistrationReason.NEW_DOCUMENT else REGISTRATION_RULE


def _registration_title(registration: AccommodationRegistration) -> Callable[[], str]:
    name = registration.guest.person.latin_name
    if registration.reason == RegistrationReason.NEW_DOCUMENT:
        return lambda: _("Register the new passport or visa of %(guest)s with the police") % {"guest": name}
    if registration.reason == RegistrationReason.ADDRESS_CHANGE:
        return lambda: _("Register the new address of %(guest)s with the police") % {"guest": name}
    return lambda: _("Register %(guest)s with the police (accommodation registration)") % {"guest": name}


def registration_wanted(registration: AccommodationRegistration) -> Wanted:
    """The clock an open registration should have: due at its ``due_at``, the host responsible."""
    visit = registration.guest.visit
    return Wanted(
        subject=registration,
        key="",
        title=_registration_title(registration),
        due_at=registration.due_at,
        responsible=visit.host,
        unit=visit.host_unit,
    )


def registration_clock_sync(registration: AccommodationRegistration) -> None:
    """Open (or update) the clock of an open registration, or mark it met when the registration is closed."""
    from meridian.clocks.services import obligation_open, obligations_meet_for

    rule = rule_for(registration)
    if registration.state == RegistrationState.OPEN:
        wanted = registration_wanted(registration)
        obligation_open(
            subject=registration,
            rule=rule,
            due_at=registration.due_at,
            title=wanted.title,
            responsible=wanted.responsible,
            unit=wanted.unit,
            key=wanted.key,
        )
    else:
        obligations_meet_for(subject=registration, rule=rule, note=REGISTRATION_MET_NOTE)


def expected_arrival_clock_meet(visit: Visit) -> int:
    """Mark met, now, the visit's expected-arrival clock (the arrival was recorded). Returns how many."""
    from meridian.clocks.services import obligations_meet_for

    return obligations_meet_for(subject=visit, rule=REGISTRATION_RULE, note=EXPECTED_MET_NOTE)


def expected_arrival_due(visit: Visit):
    """24 hours (``VISITORS_REGISTRATION_HOURS``) after the end of the planned arrival day."""
    from meridian.visitors.services.arrivals import registration_hours

    return calendar.day_end(visit.arrive_on) + timedelta(hours=registration_hours())


def _open_registrations(reasons) -> Iterator[AccommodationRegistration]:
    return (
        AccommodationRegistration.objects.filter(state=RegistrationState.OPEN, reason__in=reasons)
        .select_related("guest__person", "guest__visit__host", "guest__visit__host_unit")
        .order_by("due_at", "pk")
        .iterator(chunk_size=500)
    )


def _expected_title(number: str) -> Callable[[], str]:
    return lambda: (
        _("Record the arrival of the guests of %(number)s and register them with the police")
        % {"number": number}
    )


def wanted_expected_arrivals(today: date) -> Iterator[Wanted]:
    """Visits still expecting guests whose planned arrival day is over (before ``today``)."""
    visits = (
        Visit.objects.filter(state__in=EXPECTING_STATES, arrive_on__lt=today, guests__arrived_at__isnull=True)
        .select_related("host", "host_unit")
        .distinct()
        .order_by("arrive_on", "pk")
    )
    for visit in visits:
        yield Wanted(
            subject=visit,
            key=EXPECTED_ARRIVAL_KEY,
            title=_expected_title(visit.number),
            due_at=expected_arrival_due(visit),
            responsible=visit.host,
            unit=visit.host_unit,
        )


def wanted_registrations(today: date) -> Iterator[Wanted]:
    """Open registrations after an arrival or a move, and visits whose expected arrival passed."""
    for registration in _open_registrations([RegistrationReason.ARRIVAL, RegistrationReason.ADDRESS_CHANGE]):
        yield registration_wanted(registration)
    yield from wanted_expected_arrivals(today)


def wanted_document_registrations(today: date) -> Iterator[Wanted]:
    """Open registrations after a new passport or visa."""
    for registration in _open_registrations([RegistrationReason.NEW_DOCUMENT]):
        yield registration_wanted(registration)


def arrival_clocks_sync(*, today: date | None = None):
    """Open and close both registration clocks from the data now (idempotent); returns the combined report."""
    from meridian.clocks.services import SyncReport, clocks_sync

    today = today or timezone.localdate()
    total = SyncReport()
    for rule in RULES:
        result = clocks_sync(today=today, rule=rule)
        total.opened += result.opened
        total.met += result.met
    return total


clock_rules.register(
    ClockRule(
        code=REGISTRATION_RULE,
        label=gettext_lazy("Guest's accommodation registration with the police (24 hours)"),
        description=gettext_lazy(
            "Within 24 hours of a guest's arrival or change of address (outside hotels), the host registers "
            "the guest with the police; also opened when a visit's planned arrival day passes without the "
            "arrival being recorded. The host, then the host unit's secretaries, then the International "
            "Office are reminded."
        ),
        ladder=REGISTRATION_LADDER,
        grace_amount=72,
        grace_unit="hours",
    )
)
clock_rules.register(
    ClockRule(
        code=DOCUMENT_RULE,
        label=gettext_lazy("Guest's registration of a new passport or visa (10 days)"),
        description=gettext_lazy(
            "Within 10 days of a guest obtaining a new passport or visa in China, the host registers it with "
            "the police. The host, then the host unit's secretaries, then the International Office are "
            "reminded."
        ),
        ladder=DOCUMENT_LADDER,
        grace_amount=14,
        grace_unit="days",
    )
)
sources.register(
    ClockSource(rule=REGISTRATION_RULE, wanted=wanted_registrations, met_note=REGISTRATION_MET_NOTE)
)
sources.register(
    ClockSource(rule=DOCUMENT_RULE, wanted=wanted_document_registrations, met_note=REGISTRATION_MET_NOTE)
)
