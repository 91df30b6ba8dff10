"""The people pages as users meet them: what each role sees, masked numbers, logged reads, uploads."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.people.choices import AccessAction
from meridian.people.models import AccessLog, DocumentScan, IdentityDocument, Person
from meridian.people.services import document_scan_add
from meridian.people.tests.conftest import PNG_BYTES, png_upload
from meridian.people.tests.factories import make_person


def _client(client, user):
    client.force_login(user)
    return client


def _doc_url(name, person, document, *extra):
    return reverse(f"people:{name}", args=[person.pk, document.pk, *extra])


# --- list -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("officer", 200),
        ("leadership", 200),
        ("coordinator", 200),
        ("staff", 403),
        ("student", 403),
        ("outsider", 403),
    ],
)
def test_list_is_for_roles_that_see_other_people(client, people, cast, role, status):
    assert _client(client, getattr(people, role)).get(reverse("people:list")).status_code == status


def test_partner_contact_gets_no_list(client, partner_contact, cast):
    assert _client(client, partner_contact).get(reverse("people:list")).status_code == 403


def test_coordinator_lists_only_people_of_their_units(client, people, cast):
    page = _client(client, people.coordinator).get(reverse("people:list")).content.decode()
    assert "BECKER Anna" in page and "WANG Li" in page and "ROSSI" not in page


@pytest.mark.parametrize("query", ["贝克尔", "becker", "anna becker", "Becker Anna"])
def test_search_by_name_in_either_script(client, people, cast, query):
    page = _client(client, people.officer).get(reverse("people:list"), {"q": query}).content.decode()
    assert "BECKER Anna" in page and "ROSSI" not in page


def test_filter_by_kind_and_unit(client, org, people, cast):
    page = _client(client, people.officer).get(reverse("people:list"), {"kind": "staff"}).content.decode()
    assert "WANG Li" in page and "BECKER" not in page
    page = client.get(reverse("people:list"), {"unit": org.humanities.pk}).content.decode()
    assert "ROSSI Marco" in page and "WANG" not in page


def test_list_query_count_does_not_grow_with_rows(
    client, people, cast, germany, django_assert_max_num_queries
):
    _client(client, people.officer).get(reverse("people:list"))
    for n in range(15):
        make_person(family_name=f"Extra{n}", nationality=germany)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:list"))
    assert response.status_code == 200


# --- detail and masked numbers --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["other_coordinator", "student", "staff", "outsider"])
def test_people_outside_ones_reach_are_404(client, people, cast, role):
    assert _client(client, getattr(people, role)).get(cast.guest.get_absolute_url()).status_code == 404


def test_partner_contact_sees_no_person(client, partner_contact, cast):
    assert _client(client, partner_contact).get(cast.guest.get_absolute_url()).status_code == 404


def test_officer_sees_masked_numbers_and_each_view_is_logged(client, people, cast):
    response = _client(client, people.officer).get(cast.guest.get_absolute_url())
    page = response.content.decode()
    assert "E12*****89" in page and "E12345689" not in page
    assert response["Cache-Control"] == "private, no-store"
    entry = AccessLog.objects.get()
    assert (entry.action, entry.user, entry.person, entry.document_kind) == (
        AccessAction.VIEW,
        people.officer,
        cast.guest,
        "passport",
    )


def test_leadership_sees_the_person_but_not_documents(client, people, cast):
    page = _client(client, people.leadership).get(cast.guest.get_absolute_url()).content.decode()
    assert "BECKER" in page and "E12*****89" not in page and 'id="documents"' not in page
    assert not AccessLog.objects.exists()


def test_staff_member_sees_own_record_through_my_record(client, people, cast):
    response = _client(client, people.staff).get(reverse("people:me"), follow=True)
    assert response.status_code == 200 and "E55*****44" in response.content.decode()


def test_reveal_shows_the_number_once_with_a_logged_purpose(client, people, cast):
    document = cast.guest.documents.get()
    url = _doc_url("document_reveal", cast.guest, document)
    response = _client(client, people.coordinator).post(
        url, {"purpose": "Visa invitation"}, HTTP_HX_REQUEST="true"
    )
    assert "E12345689" in response.content.decode()
    entry = AccessLog.objects.get(action=AccessAction.UNMASK)
    assert (entry.purpose, entry.ip_address, entry.user) == (
        "Visa invitation",
        "127.0.0.1",
        people.coordinator,
    )


def test_reveal_without_purpose_shows_nothing_and_logs_nothing(client, people, cast):
    document = cast.guest.documents.get()
    response = _client(client, people.officer).post(
        _doc_url("document_reveal", cast.guest, document), {}, follow=True
    )
    assert "E12345689" not in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessAction.UNMASK).exists()


@pytest.mark.parametrize("role", ["leadership", "other_coordinator", "student"])
def test_reveal_is_404_for_those_who_may_not_see_documents(client, people, cast, role):
    document = cast.guest.documents.get()
    response = _client(client, getattr(people, role)).post(
        _doc_url("document_reveal", cast.guest, document), {"purpose": "curious"}
    )
    assert response.status_code == 404 and not AccessLog.objects.exists()


def test_scan_download_returns_the_plain_file_and_is_logged(client, people, cast):
    document = cast.guest.documents.get()
    scan = document_scan_add(document=document, actor=None, uploaded_file=png_upload())
    url = _doc_url("scan_download", cast.guest, document, scan.pk)
    _client(client, people.officer)
    assert client.get(url).status_code == 405
    response = client.post(url, {"purpose": "Police registration"})
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Type"] == "image/png" and "passport-scan" in response["Content-Disposition"]
    assert AccessLog.objects.filter(action=AccessAction.DOWNLOAD, purpose="Police registration").count() == 1


def test_scan_download_is_404_for_leadership(client, people, cast):
    document = cast.guest.documents.get()
    scan = document_scan_add(document=document, actor=None, uploaded_file=png_upload())
    response = _client(client, people.leadership).post(
        _doc_url("scan_download", cast.guest, document, scan.pk), {"purpose": "x"}
    )
    assert response.status_code == 404


# --- forms ----------------------------------------------------------------------------------------


def test_document_form_adds_an_encrypted_document_with_its_scan(client, people, cast, germany, visit):
    url = reverse("people:document_create", args=[cast.guest.pk])
    data = {
        "kind": "residence_permit", "number": "R 7777 1234", "issuing_country": germany.pk,
        "expiry_date": "2027-06-30", "purposes": [visit.pk],
        "scan": SimpleUploadedFile("permit.png", PNG_BYTES),
    }  # fmt: skip
    response = _client(client, people.coordinator).post(url, data)
    assert response.status_code == 302
    document = IdentityDocument.objects.get(kind="residence_permit")
    assert document.number == "R77771234" and document.scans.count() == 1


def test_document_form_rejects_a_fake_scan_and_saves_nothing(client, people, cast, germany, visit):
    url = reverse("people:document_create", args=[cast.guest.pk])
    data = {
        "kind": "visa", "number": "V1234567", "issuing_country": germany.pk, "expiry_date": "2027-06-30",
        "purposes": [visit.pk], "scan": SimpleUploadedFile("visa.pdf", b"#!/bin/sh\necho hi"),
    }  # fmt: skip
    response = _client(client, people.officer).post(url, data)
    assert response.status_code == 200
    assert "PDF, JPEG or PNG" in response.content.decode()
    assert not IdentityDocument.objects.filter(kind="visa").exists() and not DocumentScan.objects.exists()


def test_opening_the_document_edit_form_is_logged_as_unmask(client, people, cast):
    document = cast.guest.documents.get()
    response = _client(client, people.officer).get(_doc_url("document_edit", cast.guest, document))
    assert "E12345689" in response.content.decode()
    assert AccessLog.objects.filter(action=AccessAction.UNMASK, document_ref=document.pk).count() == 1


def test_leadership_may_not_add_documents(client, people, cast):
    url = reverse("people:document_create", args=[cast.guest.pk])
    assert _client(client, people.leadership).get(url).status_code == 403


def test_person_form_warns_of_a_duplicate_and_creates_after_confirmation(client, people, cast, germany):
    data = {
        "kind": "guest", "family_name": "becker", "given_name": "ANNA", "gender": 2,
        "birth_date": "1980-05-17", "nationality": germany.pk, "unit": "",
    }  # fmt: skip
    response = _client(client, people.officer).post(reverse("people:create"), data)
    assert response.status_code == 200
    assert cast.guest.get_absolute_url() in response.content.decode()
    assert Person.objects.filter(family_name__iexact="becker").count() == 1
    response = client.post(reverse("people:create"), {**data, "allow_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(family_name__iexact="becker").count() == 2


def test_person_edit_refuses_a_stale_version(client, people, cast):
    url = reverse("people:edit", args=[cast.guest.pk])
    data = {
        "kind": "guest",
        "family_name": "Becker",
        "given_name": "Anna",
        "gender": 2,
        "version": 1,
        "birth_date": "1980-05-17",
        "nationality": "DE",
        "unit": cast.guest.unit_id,
        "phone": "1",
    }
    assert _client(client, people.officer).post(url, data).status_code == 302
    response = client.post(url, {**data, "phone": "2"})
    assert response.status_code == 200 and "Someone else saved this record" in response.content.decode()
    assert Person.objects.get(pk=cast.guest.pk).phone == "1"


# --- access log -----------------------------------------------------------------------------------


def test_access_log_page_is_for_administrators_and_reviewing_is_logged(client, people, cast):
    _client(client, people.officer).get(cast.guest.get_absolute_url())
    assert client.get(reverse("people:access_log")).status_code == 403
    response = _client(client, people.admin).get(reverse("people:access_log"), {"action": "view"})
    page = response.content.decode()
    assert response.status_code == 200 and "officer" in page
    review = AccessLog.objects.get(action=AccessAction.REVIEW_LOG)
    assert review.user == people.admin and review.purpose == "action=view"


def test_access_log_export_is_csv_and_logged(client, people, cast):
    _client(client, people.officer).get(cast.guest.get_absolute_url())
    response = _client(client, people.admin).get(reverse("people:access_log_export"), {"username": "officer"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "officer" in text and "Viewed (number masked)" in text and "E12" not in text
    assert AccessLog.objects.filter(action=AccessAction.EXPORT_LOG, user=people.admin).count() == 1


def test_access_log_filters_by_date(client, people, cast):
    _client(client, people.officer).get(cast.guest.get_absolute_url())
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    page = (
        _client(client, people.admin).get(reverse("people:access_log"), {"since": tomorrow}).content.decode()
    )
    assert "No entries match these filters." in page


# --- navigation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        ("admin", {"people", "people_access_log"}),
        ("officer", {"people"}),
        ("leadership", {"people"}),
        ("coordinator", {"people"}),
        ("staff", set()),
        ("student", set()),
        ("outsider", set()),
    ],
)
def test_nav_entries_only_for_roles_that_may_use_them(people, role, keys):
    from meridian.core.registry import registry

    user = getattr(people, role)
    shown = {e.key for e in registry.nav if e.key.startswith("people") and e.visible(user)}
    assert shown == keys


def test_people_with_a_record_but_no_list_get_my_personal_data(people, cast):
    from meridian.core.registry import registry

    entry = registry.nav.get("people_me")
    assert entry.visible(people.staff) and not entry.visible(people.student)
    assert not entry.visible(people.officer)  # the list is their way in


def test_person_page_query_count_does_not_grow_with_documents(
    client, people, cast, germany, visit, django_assert_max_num_queries
):
    from meridian.people.services import identity_document_create

    _client(client, people.officer).get(cast.guest.get_absolute_url())
    for n in range(6):
        document = identity_document_create(
            person=cast.guest,
            actor=None,
            purposes=[visit],
            kind="visa",
            number=f"V{n:07d}",
            issuing_country=germany,
            expiry_date=datetime.date(2029, 1, 1),
        )
        document_scan_add(document=document, actor=None, uploaded_file=png_upload())
    with django_assert_max_num_queries(20):
        response = client.get(cast.guest.get_absolute_url())
    assert response.content.decode().count("V00*****") == 6


def test_person_form_links_an_account_by_user_name(client, people, cast):
    url = reverse("people:edit", args=[cast.guest.pk])
    data = {"kind": "guest", "family_name": "Becker", "given_name": "Anna", "gender": 2, "version": 1,
            "birth_date": "1980-05-17", "nationality": "DE", "unit": cast.guest.unit_id,
            "user": "nobody"}  # fmt: skip
    response = _client(client, people.officer).post(url, data)
    assert "No account has this user name." in response.content.decode()
    response = client.post(url, {**data, "user": "STUDENT"})
    assert response.status_code == 302
    assert Person.objects.get(pk=cast.guest.pk).user == people.student
    response = client.post(reverse("people:edit", args=[cast.staff_person.pk]), {**data, "user": "student"})
    assert "already exists" in response.content.decode()  # one record per account
