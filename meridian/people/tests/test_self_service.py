"""Guests enter their own data through a signed link, after consenting to a versioned statement."""

import datetime

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from meridian.core.errors import PermissionDeniedError
from meridian.people.consent import CURRENT_VERSION
from meridian.people.models import Consent, DataPurpose, IdentityDocument, Person
from meridian.people.self_service import SALT, self_service_grant, self_service_link_issue
from meridian.people.tests.conftest import PNG_BYTES
from meridian.people.tests.factories import make_person


@pytest.fixture
def newcomer(org, germany):
    return make_person(family_name="Dubois", given_name="Claire", unit=org.computing, birth_date=None)


def _form(germany, **extra):
    data = {
        "consent_version": CURRENT_VERSION, "consent": "on", "family_name": "Dubois", "given_name": "Claire",
        "gender": 2, "birth_date": "1985-02-03", "birth_place": "Lyon", "nationality": germany.pk,
        "email": "claire@example.fr", "phone": "", "document_kind": "passport",
        "document_number": "18AB12345",
        "issuing_country": germany.pk, "issue_date": "2022-01-01", "expiry_date": "2032-01-01", "version": 1,
        "scan": SimpleUploadedFile("p.png", PNG_BYTES),
    }  # fmt: skip
    data.update(extra)
    return data


def test_officer_creates_a_link_from_the_person_page(client, people, newcomer, visit):
    client.force_login(people.officer)
    page = client.get(newcomer.get_absolute_url()).content.decode()
    assert reverse("people:link_issue", args=[newcomer.pk]) in page
    response = client.post(reverse("people:link_issue", args=[newcomer.pk]), {"purpose": visit.pk})
    assert response.status_code == 200
    assert "/people/self-service/" in response.content.decode()


def test_only_editors_issue_links(people, newcomer, visit):
    with pytest.raises(PermissionDeniedError):
        self_service_link_issue(person=newcomer, purpose=visit, actor=people.leadership)


def test_guest_enters_data_with_consent_and_everything_is_stored(client, people, newcomer, visit, germany):
    path = self_service_link_issue(person=newcomer, purpose=visit, actor=people.officer)
    page = client.get(path).content.decode()
    assert "I agree that the university processes" in page and "本人同意" in page and CURRENT_VERSION in page
    response = client.post(path, _form(germany), REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    person = Person.objects.get(pk=newcomer.pk)
    assert (person.birth_place, person.email, person.version) == ("Lyon", "claire@example.fr", 2)
    consent = Consent.objects.get()
    assert (consent.purpose, consent.text_version, consent.ip_address) == (
        visit,
        CURRENT_VERSION,
        "198.51.100.4",
    )
    document = IdentityDocument.objects.get(person=person)
    assert document.number == "18AB12345" and document.scans.count() == 1
    assert DataPurpose.objects.filter(person=person, purpose=visit).count() == 2  # person and document
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM people_identitydocument")
        assert "18AB12345" not in cursor.fetchone()[0]


def test_without_ticking_consent_nothing_is_saved(client, people, newcomer, visit, germany):
    path = self_service_link_issue(person=newcomer, purpose=visit, actor=people.officer)
    data = _form(germany)
    del data["consent"]
    response = client.post(path, data)
    assert response.status_code == 200 and "Thank you" not in response.content.decode()
    assert not Consent.objects.exists() and not IdentityDocument.objects.exists()
    assert Person.objects.get(pk=newcomer.pk).birth_place == ""


def test_a_bad_scan_saves_nothing_not_even_the_consent(client, people, newcomer, visit, germany):
    path = self_service_link_issue(person=newcomer, purpose=visit, actor=people.officer)
    response = client.post(path, _form(germany, scan=SimpleUploadedFile("p.png", b"GIF89a....")))
    assert "PDF, JPEG or PNG" in response.content.decode()
    assert not Consent.objects.exists() and not IdentityDocument.objects.exists()


def test_submitting_again_updates_the_same_document(client, people, newcomer, visit, germany):
    path = self_service_link_issue(person=newcomer, purpose=visit, actor=people.officer)
    client.post(path, _form(germany))
    client.post(path, _form(germany, version=2, expiry_date="2033-01-01", scan=""))
    document = IdentityDocument.objects.get()
    assert document.expiry_date == datetime.date(2033, 1, 1) and Consent.objects.count() == 2


def test_expired_forged_and_revoked_links_are_refused(client, settings, people, newcomer, visit):
    path = self_service_link_issue(person=newcomer, purpose=visit, actor=people.officer)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert self_service_grant(token) is not None
    assert client.get(path[:-5] + "xxxx/").status_code == 404
    settings.SELF_SERVICE_LINK_DAYS = -1
    assert self_service_grant(token) is None
    settings.SELF_SERVICE_LINK_DAYS = 14
    client.force_login(people.officer)
    client.post(reverse("people:link_revoke", args=[newcomer.pk]))
    client.logout()
    response = client.get(path)
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_a_token_for_another_salt_is_refused(newcomer):
    forged = signing.dumps({"p": newcomer.pk, "n": "x", "u": "visit"}, salt="something-else")
    assert self_service_grant(forged) is None
    assert SALT != "something-else"


def test_no_link_for_people_with_an_account(client, people, cast, visit):
    client.force_login(people.officer)
    response = client.post(reverse("people:link_issue", args=[cast.staff_person.pk]), {"purpose": visit.pk})
    assert response.status_code == 403
