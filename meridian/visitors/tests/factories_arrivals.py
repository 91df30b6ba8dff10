"""Helpers of the arrivals tests: a visit that may arrive today, hosted by ``staff`` of Computing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from meridian.people.tests.factories import IdentityDocumentFactory
from meridian.visitors.choices import AccommodationKind, RegistrationReason
from meridian.visitors.models import AccommodationRegistration, Visit, VisitGuest
from meridian.visitors.tests.factories import germany, make_visit


def arriving_visit(
    org, people, *, state: str = "approved", guests: int = 1, days_ago: int = 0, **fields
) -> Visit:
    """An approved visit of the computing department, hosted by ``people.staff``, whose guests are expected
    ``days_ago`` days ago (today by default), staying in the on-campus guest house."""
    today = timezone.localdate()
    values = {
        "arrive_on": today - datetime.timedelta(days=days_ago),
        "depart_on": today + datetime.timedelta(days=4),
        "accommodation": AccommodationKind.ON_CAMPUS,
        "accommodation_address": "Guest house, 1 Campus Road, Room 305",
    }
    values.update(fields)
    return make_visit(host_unit=org.computing, host=people.staff, state=state, guests=guests, **values)


def open_registration(
    guest: VisitGuest, *, hours_ago: float = 2, reason: str = RegistrationReason.ARRIVAL, due_in: float = 22
) -> AccommodationRegistration:
    """An open registration created directly (without the services, so no clock yet)."""
    now = timezone.now()
    return AccommodationRegistration.objects.create(
        guest=guest,
        reason=reason,
        occurred_at=now - datetime.timedelta(hours=hours_ago),
        due_at=now + datetime.timedelta(hours=due_in),
        accommodation=AccommodationKind.ON_CAMPUS,
        address="Guest house, Room 305",
    )


def passport_of(guest: VisitGuest, number: str = "C01X00T47", kind: str = "passport", **fields):
    """A passport (or another document ``kind``) of the guest's person, valid until 2031."""
    values = {"expiry_date": datetime.date(2031, 1, 9)}
    values.update(fields)
    return IdentityDocumentFactory(
        person=guest.person, issuing_country=germany(), kind=kind, number=number, **values
    )
