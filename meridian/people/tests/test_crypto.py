"""Encryption at rest: the database holds no plaintext number, keys rotate, a lost key fails loudly."""

import datetime

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from meridian.people.crypto import PersonalDataKeyError, decrypt_bytes, encrypt_bytes, mask_number
from meridian.people.models import DocumentScan, IdentityDocument
from meridian.people.services import document_scan_add, identity_document_create, personal_data_rotate_key
from meridian.people.tests.conftest import PNG_BYTES, png_upload
from meridian.people.tests.factories import make_person

OLD = "old-personal-data-key-aaaaaaaaaaaaaaaaaaaaaaaa"
NEW = "new-personal-data-key-bbbbbbbbbbbbbbbbbbbbbbbb"


def _raw_numbers() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM people_identitydocument")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def document(germany, visit):
    person = make_person()
    return identity_document_create(
        person=person,
        actor=None,
        purposes=[visit],
        kind="passport",
        number="e 1234 5689",
        issuing_country=germany,
        expiry_date=datetime.date(2031, 1, 1),
    )


def test_the_database_holds_no_plaintext_number(document):
    raw = _raw_numbers()
    assert len(raw) == 1
    assert "E12345689" not in raw[0] and "12345" not in raw[0]
    assert raw[0].startswith("gAAAA")  # a Fernet token
    assert IdentityDocument.objects.get().number == "E12345689"  # normalised, and readable in Python


def test_the_same_number_encrypts_differently_each_time(document):
    assert encrypt_bytes(b"E12345689") != encrypt_bytes(b"E12345689")


def test_searching_an_encrypted_column_is_refused_not_silently_empty(document):
    with pytest.raises(FieldError):
        list(IdentityDocument.objects.filter(number="E12345689"))


def test_the_scan_file_holds_only_ciphertext(document):
    scan = document_scan_add(document=document, actor=None, uploaded_file=png_upload())
    stored = scan.file.read()
    scan.file.close()
    assert PNG_BYTES not in stored and b"PNG" not in stored
    assert decrypt_bytes(stored) == PNG_BYTES


def test_rotation_reencrypts_with_the_newest_key(settings, document):
    settings.PERSONAL_DATA_KEYS = [OLD]
    IdentityDocument.objects.filter(pk=document.pk).update(number="E12345689")  # written under OLD
    scan = document_scan_add(document=document, actor=None, uploaded_file=png_upload())
    old_file = scan.file.name or ""
    settings.PERSONAL_DATA_KEYS = [NEW, OLD]
    assert IdentityDocument.objects.get().number == "E12345689"  # old data still reads
    assert personal_data_rotate_key() == (1, 1)
    settings.PERSONAL_DATA_KEYS = [NEW]  # the old key is gone: everything still reads
    assert IdentityDocument.objects.get().number == "E12345689"
    scan = DocumentScan.objects.get()
    assert scan.file.name != old_file and not scan.file.storage.exists(old_file)
    with scan.file.open("rb") as handle:
        assert decrypt_bytes(handle.read()) == PNG_BYTES


def test_a_missing_key_fails_loudly_instead_of_showing_ciphertext(settings, document):
    settings.PERSONAL_DATA_KEYS = [NEW]
    with pytest.raises(PersonalDataKeyError):
        IdentityDocument.objects.get()


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("E12345689", "E12*****89"),
        ("E1234567890", "E12*****90"),
        ("AB1234", "A*****4"),
        ("1234", "*****"),
        ("", ""),
    ],
)
def test_mask_shows_only_the_ends(number, masked):
    assert mask_number(number) == masked
