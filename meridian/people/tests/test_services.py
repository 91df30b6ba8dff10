"""Person and document services: validation, versions, duplicates, uploads, logged reads, consent."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError, StaleEditError
from meridian.core.models import Activity
from meridian.people.choices import AccessAction, Gender, PersonKind
from meridian.people.models import AccessLog, Consent, DataPurpose, DocumentScan, IdentityDocument, Person
from meridian.people.services import (
    consent_record,
    document_scan_add,
    document_scan_open,
    identity_document_create,
    identity_document_delete,
    identity_document_reveal,
    identity_document_update,
    person_create,
    person_update,
)
from meridian.people.tests.conftest import PDF_BYTES, PNG_BYTES, png_upload


def _guest(actor, germany, **extra):
    fields = {
        "kind": PersonKind.GUEST, "family_name": " Becker ", "given_name": "Anna", "gender": Gender.FEMALE,
        "birth_date": datetime.date(1980, 5, 17), "nationality": germany, "email": " Anna@Example.ORG ",
    }  # fmt: skip
    fields.update(extra)
    return person_create(actor=actor, **fields)


def test_officer_creates_a_person_normalised_with_purpose_and_activity(people, germany, visit):
    person = _guest(people.officer, germany, purposes=[visit])
    assert (person.family_name, person.email, person.version) == ("Becker", "anna@example.org", 1)
    assert person.latin_name == "BECKER Anna"
    assert list(person.purposes.values_list("purpose__code", flat=True)) == ["visit"]
    activity = Activity.objects.get(object_id=person.pk, verb="created")
    assert "Becker" not in activity.message  # the activity stream carries no personal data


def test_bad_input_is_reported_per_field_and_nothing_is_saved(people, germany):
    with pytest.raises(ValidationError) as caught:
        _guest(people.officer, germany, family_name="", birth_date=datetime.date(2999, 1, 1), email="nope")
    assert {"family_name", "birth_date", "email"} <= set(caught.value.message_dict)
    assert "The date of birth lies in the future." in caught.value.message_dict["birth_date"]
    assert not Person.objects.exists()


def test_same_name_birth_date_and_nationality_warns_unless_confirmed(people, germany):
    first = _guest(people.officer, germany)
    with pytest.raises(DuplicateError) as caught:
        _guest(people.officer, germany, family_name="BECKER", given_name="anna")
    assert caught.value.existing == first
    second = _guest(people.officer, germany, allow_duplicate=True)
    assert second.pk != first.pk
    # Another birth date is another person: no warning.
    _guest(people.officer, germany, birth_date=datetime.date(1981, 5, 17))


def test_coordinator_records_people_of_their_units_only(org, people, germany):
    person = _guest(people.coordinator, germany, unit=org.computing)
    assert person.unit == org.computing
    with pytest.raises(PermissionDeniedError):
        _guest(people.coordinator, germany, unit=org.humanities, family_name="Other")
    with pytest.raises(PermissionDeniedError):
        _guest(people.coordinator, germany, unit=None, family_name="Nobody")
    for user in (people.staff, people.student, people.leadership, people.outsider):
        with pytest.raises(PermissionDeniedError):
            _guest(user, germany, family_name="Nope")


def test_update_bumps_version_and_refuses_a_stale_save(people, germany):
    person = _guest(people.officer, germany)
    updated = person_update(person=person, actor=people.officer, expected_version=1, phone="+49 6221 540")
    assert updated.version == 2
    with pytest.raises(StaleEditError) as caught:
        person_update(person=person, actor=people.admin, expected_version=1, phone="+49 000")
    assert [c.field for c in caught.value.changes] == ["phone"]
    assert Person.objects.get().phone == "+49 6221 540"


def test_update_without_change_keeps_the_version(people, germany):
    person = _guest(people.officer, germany)
    assert person_update(person=person, actor=people.officer, expected_version=1, phone="").version == 1


def test_document_needs_a_purpose_and_valid_dates(people, germany, visit):
    person = _guest(people.officer, germany)
    with pytest.raises(ValidationError) as caught:
        identity_document_create(
            person=person,
            actor=people.officer,
            purposes=[],
            kind="passport",
            number="E1",
            issuing_country=germany,
            expiry_date=datetime.date(2030, 1, 1),
        )
    assert "purposes" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        identity_document_create(
            person=person,
            actor=people.officer,
            purposes=[visit],
            kind="passport",
            number="",
            issuing_country=germany,
            issue_date=datetime.date(2024, 1, 1),
            expiry_date=datetime.date(2023, 1, 1),
        )
    assert {"number", "expiry_date"} <= set(caught.value.message_dict)
    assert not IdentityDocument.objects.exists()


def test_document_update_and_delete_remove_scan_files(people, germany, visit):
    person = _guest(people.officer, germany)
    document = identity_document_create(
        person=person,
        actor=people.officer,
        purposes=[visit],
        kind="passport",
        number="e1234 5689",
        issuing_country=germany,
        expiry_date=datetime.date(2030, 1, 1),
    )
    assert DataPurpose.objects.get(document=document).purpose == visit
    document = identity_document_update(
        document=document, actor=people.officer, expected_version=1, expiry_date=datetime.date(2031, 1, 1)
    )
    assert (document.version, document.expiry_date) == (2, datetime.date(2031, 1, 1))
    with pytest.raises(StaleEditError):
        identity_document_update(document=document, actor=people.officer, expected_version=1, number="X1")
    scan = document_scan_add(document=document, actor=people.officer, uploaded_file=png_upload())
    storage, name = scan.file.storage, scan.file.name or ""
    assert storage.exists(name)
    identity_document_delete(document=document, actor=people.officer)
    assert not IdentityDocument.objects.exists() and not storage.exists(name)


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.pdf", "invalid_file"),
        (b"MZ\x90\x00 not a scan", "passport.pdf", "invalid_file_type"),
        (b"<html>hello</html>", "passport.png", "invalid_file_type"),
    ],
)
def test_scan_upload_is_checked_by_content(cast, data, name, code):
    document = cast.guest.documents.get()
    with pytest.raises(DomainError) as caught:
        document_scan_add(document=document, actor=None, uploaded_file=SimpleUploadedFile(name, data))
    assert caught.value.code == code
    assert not DocumentScan.objects.exists()


def test_scan_upload_refuses_files_over_the_limit(settings, cast):
    settings.PERSONAL_SCAN_MAX_MB = 1
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(DomainError) as caught:
        document_scan_add(
            document=cast.guest.documents.get(), actor=None, uploaded_file=SimpleUploadedFile("a.pdf", big)
        )
    assert caught.value.code == "too_large" and "1 MB" in caught.value.message


def test_pdf_and_jpeg_scans_are_accepted(cast):
    document = cast.guest.documents.get()
    pdf = document_scan_add(
        document=document, actor=None, uploaded_file=SimpleUploadedFile("x.bin", PDF_BYTES)
    )
    jpeg = document_scan_add(
        document=document, actor=None, uploaded_file=SimpleUploadedFile("x", b"\xff\xd8\xff\xe0" + b"0" * 20)
    )
    assert (pdf.content_type, jpeg.content_type) == ("application/pdf", "image/jpeg")
    assert pdf.download_name.endswith(".pdf") and "x.bin" not in pdf.download_name


def test_reveal_returns_the_number_and_logs_who_why_and_where(people, cast):
    document = cast.guest.documents.get()
    number = identity_document_reveal(
        document=document, actor=people.coordinator, purpose="Visa letter", ip="10.0.0.7"
    )
    assert number == "E12345689"
    entry = AccessLog.objects.get(action=AccessAction.UNMASK)
    assert (entry.user, entry.person, entry.document_ref, entry.purpose, entry.ip_address) == (
        people.coordinator,
        cast.guest,
        document.pk,
        "Visa letter",
        "10.0.0.7",
    )


def test_reveal_needs_a_purpose_and_a_permitted_role(people, cast):
    document = cast.guest.documents.get()
    with pytest.raises(ValidationError):
        identity_document_reveal(document=document, actor=people.officer, purpose="  ", ip=None)
    for user in (people.leadership, people.other_coordinator, people.student, people.outsider):
        with pytest.raises(PermissionDeniedError):
            identity_document_reveal(document=document, actor=user, purpose="curious", ip=None)
    assert not AccessLog.objects.exists()


def test_scan_open_decrypts_and_logs(people, cast):
    document = cast.staff_person.documents.get()
    scan = document_scan_add(document=document, actor=None, uploaded_file=png_upload())
    assert (
        document_scan_open(scan=scan, actor=people.staff, purpose="my own copy", ip="127.0.0.1") == PNG_BYTES
    )
    entry = AccessLog.objects.get()
    assert (entry.action, entry.user, entry.person) == (
        AccessAction.DOWNLOAD,
        people.staff,
        cast.staff_person,
    )


def test_consent_is_stored_with_text_version_and_address(cast, visit):
    consent = consent_record(person=cast.guest, purpose=visit, text_version="guest-2026-11", ip="203.0.113.5")
    assert Consent.objects.get() == consent and consent.ip_address == "203.0.113.5"
    with pytest.raises(DomainError):
        consent_record(person=cast.guest, purpose=visit, text_version="made-up", ip=None)
