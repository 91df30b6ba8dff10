"""Visits ready for their documents: two guests with Chinese names, birth dates and passports, locked data."""

from __future__ import annotations

import datetime

from django.utils import timezone

from meridian.people.choices import Gender
from meridian.people.tests.factories import IdentityDocumentFactory
from meridian.visitors.choices import InvitationKind, ReceptionLevel
from meridian.visitors.models import Visit
from meridian.visitors.tests.factories import germany, make_visit

PASSPORTS = ("C01X00T47", "C02Y99K12")
BIRTH_DATES = (datetime.date(1970, 5, 17), datetime.date(1985, 11, 2))


def document_visit(org, people, *, state: str = "approved", **fields) -> Visit:
    """A visit of the computing department hosted by ``people.staff``: a delegation of two German guests
    (SCHMIDT Anna 安娜·施密特, the head, and SCHMIDT1 Hans), each with a passport, their data locked."""
    values = {
        "invitation_kind": InvitationKind.AUTHORISED,
        "guest_country": germany(),
        "reception_level": ReceptionLevel.UNIT_LEADER,
        "reception_leader": "Prof. Li Si, Dean",
    }
    values.update(fields)
    visit = make_visit(host_unit=org.computing, host=people.staff, state=state, guests=2, **values)
    names = [("Anna", "安娜·施密特", Gender.FEMALE), ("Hans", "", Gender.MALE)]
    for guest, passport, born, (given, name_zh, gender) in zip(
        visit.guests.order_by("-is_head", "id"), PASSPORTS, BIRTH_DATES, names, strict=True
    ):
        person = guest.person
        person.given_name, person.name_zh, person.gender, person.birth_date = given, name_zh, gender, born
        person.save()
        IdentityDocumentFactory(
            person=person,
            issuing_country=germany(),
            number=passport,
            expiry_date=visit.depart_on + datetime.timedelta(days=1000),
        )
        guest.locked_at = timezone.now()
        guest.save(update_fields=["locked_at"])
    return visit
