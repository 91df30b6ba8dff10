"""Factories of the mobility and incoming-student tests: an incoming nomination of ``world.partner``'s
student to the School of Engineering, in any state, built directly in the database (tests of moves use the
services)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meridian.mobility.choices import CefrLevel, Direction, MobilityFileKind, MobilityState
from meridian.mobility.models import Mobility, MobilityFile
from meridian.mobility.tests.factories import make_mobility
from meridian.people.choices import Gender, PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PASSPORT_NUMBER = "C4X9Y2Z77"


def pdf(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def incoming_student(email: str = "anna.schmidt@student.example", **fields: Any) -> Any:
    """The Person a partner nominated (kind international student, German, no account)."""
    values: dict[str, Any] = {
        "kind": PersonKind.INTERNATIONAL_STUDENT,
        "family_name": "Schmidt",
        "given_name": "Anna",
        "gender": Gender.FEMALE,
        "birth_date": datetime.date(2004, 5, 17),
        "nationality": country("DE", "Germany", "德国"),
        "email": email,
    }
    values.update(fields)
    return make_person(**values)


def incoming_mobility(
    world: Any, org: Any, *, state: str = MobilityState.NOMINATED, **fields: Any
) -> Mobility:
    """An incoming mobility of ``world.partner``'s student hosted by the School of Engineering."""
    person = fields.pop("person", None) or incoming_student(
        email=fields.pop("email", "anna.schmidt@student.example")
    )
    values: dict[str, Any] = {
        "condition": world.incoming,
        "agreement": world.agreement,
        "student_email": person.email,
        "home_programme": "Mechanical Engineering",
        "eqf_level": 6,
        "isced_code": "0715",
        "language": "en",
        "cefr_level": CefrLevel.B2,
    }
    values.update(fields)
    direction = values.pop("direction", Direction.INCOMING)
    return make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=person,
        direction=direction,
        state=state,
        **values,
    )


def complete_application(mobility: Mobility, *, passport: bool = True) -> Mobility:
    """Fill in everything the incoming application asks, as if the student had saved it (passport through
    the people services, consent recorded, the three uploads)."""
    from meridian.mobility.services.incoming import exchange_purpose
    from meridian.people.consent import CURRENT_VERSION
    from meridian.people.services import consent_record, identity_document_create

    purpose = exchange_purpose()
    consent_record(person=mobility.person, purpose=purpose, text_version=CURRENT_VERSION, ip=None)
    if passport:
        identity_document_create(
            person=mobility.person,
            actor=None,
            purposes=[purpose],
            kind="passport",
            number=PASSPORT_NUMBER,
            issuing_country=mobility.person.nationality,
            expiry_date=timezone.localdate() + datetime.timedelta(days=3650),
        )
    mobility.motivation = "Power systems at a leading school."
    mobility.planned_arrival = timezone.localdate() + datetime.timedelta(days=60)
    mobility.planned_start = timezone.localdate() + datetime.timedelta(days=65)
    mobility.planned_end = timezone.localdate() + datetime.timedelta(days=200)
    mobility.save()
    for kind in (MobilityFileKind.PASSPORT, MobilityFileKind.TRANSCRIPT, MobilityFileKind.LANGUAGE):
        record = MobilityFile(
            mobility=mobility,
            kind=kind,
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=len(PDF),
        )
        record.file.save(f"{kind}.pdf", pdf(), save=False)
        record.save()
    return mobility
