"""Fixtures for the people tests: countries, purposes, a partner contact, people in two units."""

import datetime
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.people.choices import PersonKind
from meridian.people.models import Person, Purpose
from meridian.people.services import identity_document_create
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def png_upload(name: str = "passport.png", data: bytes = PNG_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.fixture
def germany(db):
    return country("DE", "Germany", "德国")


@pytest.fixture
def china(db):
    return country("CN", "China", "中国", alpha3="CHN")


@pytest.fixture
def visit(db) -> Purpose:
    return Purpose.objects.get(code="visit")


@pytest.fixture
def travel(db) -> Purpose:
    return Purpose.objects.get(code="official_travel")


@pytest.fixture
def partner_contact(org):
    user = user_create(username="partner", email="partner@uni-heidelberg.example", password="x" * 12)
    membership_grant(user=user, unit=org.intl_office, role=Role.PARTNER_CONTACT)
    return user


@dataclass
class Cast:
    guest: Person  # a guest of engineering's computing department (a coordinator's reach)
    humanities_guest: Person  # outside the engineering coordinator's reach
    staff_person: Person  # the staff user's own record


@pytest.fixture
def cast(org, people, germany, visit) -> Cast:
    guest = make_person(
        family_name="Becker", given_name="Anna", name_zh="贝克尔", unit=org.computing, nationality=germany
    )
    other = make_person(family_name="Rossi", given_name="Marco", unit=org.humanities, nationality=germany)
    own = make_person(
        kind=PersonKind.STAFF,
        family_name="Wang",
        given_name="Li",
        name_zh="王力",
        unit=org.computing,
        user=people.staff,
    )
    for person, number in ((guest, "E12345689"), (other, "YA9876543"), (own, "E55554444")):
        identity_document_create(
            person=person,
            actor=None,
            purposes=[visit],
            kind="passport",
            number=number,
            issuing_country=germany,
            expiry_date=datetime.date(2031, 3, 1),
        )
    return Cast(guest=guest, humanities_guest=other, staff_person=own)


def as_file(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
