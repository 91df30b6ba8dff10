"""The foreign-experts pages: the role × action matrix (404 for cases a user may not see, 403 for what they
may see but not do), filing with a new candidate, bad input kept on the form, list filters, document uploads
checked by content and downloads, changes, justifications and the rules page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.people.models import AccessLog, Person
from meridian.visitors.models import ExpertChange, ExpertDocument, ExpertHiring
from meridian.visitors.tests.factories import germany
from meridian.visitors.tests.factories_experts import hiring_for
from meridian.workflow.testing import assert_flat_queries, partner_contact_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def users(org, people):
    other_staff = user_create(username="staff2", email="staff2@meridian.example", password="x-staff2")
    membership_grant(user=other_staff, unit=org.computing, role=Role.STAFF)
    return {
        "officer": people.officer,
        "host_coordinator": people.coordinator,
        "supervisor": people.staff,
        "other_coordinator": people.other_coordinator,
        "other_staff": other_staff,
        "student": people.student,
        "partner_contact": partner_contact_user(org),
        "leadership": people.leadership,
        "anonymous": None,
    }


@pytest.fixture
def hiring(org, people):
    found = hiring_for(org, people, state="employed", entered_on=datetime.date(2025, 1, 5))
    ExpertDocument.objects.create(
        hiring=found,
        kind="degree",
        file=SimpleUploadedFile("degree.pdf", PDF),
        original_name="degree.pdf",
        content_type="application/pdf",
        sha256="a" * 64,
    )
    return found


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


# role: list, create, detail, edit, download
MATRIX = {
    "officer": (200, 200, 200, 200, 200),
    "host_coordinator": (200, 200, 200, 200, 200),
    "supervisor": (200, 403, 200, 200, 200),
    "other_coordinator": (200, 200, 404, 404, 404),
    "other_staff": (200, 403, 404, 404, 404),
    "student": (403, 403, 404, 404, 404),
    "partner_contact": (403, 403, 404, 404, 404),
    "leadership": (200, 403, 200, 403, 403),
    "anonymous": (302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_role_matrix(client, users, hiring, role):
    document = hiring.documents.get()
    urls = [
        reverse("visitors:expert_list"),
        reverse("visitors:expert_create"),
        reverse("visitors:expert_detail", args=[hiring.pk]),
        reverse("visitors:expert_edit", args=[hiring.pk]),
        reverse("visitors:expert_document", args=[hiring.pk, document.pk]),
    ]
    got = tuple(_get(client, users[role], url).status_code for url in urls)
    assert got == MATRIX[role]


def test_the_list_shows_only_visible_cases(client, org, people, users, hiring):
    theirs = hiring_for(org, people, supervisor=None, created_by=people.other_coordinator)
    theirs.host_unit = org.humanities
    theirs.save()
    client.force_login(users["host_coordinator"])
    body = client.get(reverse("visitors:expert_list")).content.decode()
    assert hiring.number in body and theirs.number not in body
    client.force_login(users["other_staff"])
    body = client.get(reverse("visitors:expert_list")).content.decode()
    assert hiring.number not in body


def test_the_download_is_logged_and_served_as_checked(client, users, hiring):
    document = hiring.documents.get()
    client.force_login(users["host_coordinator"])
    response = client.get(reverse("visitors:expert_document", args=[hiring.pk, document.pk]))
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert AccessLog.objects.filter(user=users["host_coordinator"], person=hiring.person).count() == 1


def test_posts_need_the_right_role(client, users, hiring):
    for role, status in (("leadership", 403), ("other_staff", 404), ("student", 404)):
        client.force_login(users[role])
        url = reverse("visitors:expert_change_add", args=[hiring.pk])
        response = client.post(url, {"kind": "address", "description": "x", "happened_on": "2025-02-01"})
        assert response.status_code == status
    assert not ExpertChange.objects.exists()
    client.force_login(users["supervisor"])
    assert client.get(reverse("visitors:expert_change_add", args=[hiring.pk])).status_code == 405


def test_rules_page_is_for_administrators(client, people, users):
    client.force_login(people.admin)
    response = client.get(reverse("visitors:expert_rules"))
    assert response.status_code == 200 and b"Category B criteria" in response.content
    for role in ("officer", "leadership", "host_coordinator"):
        client.force_login(users[role])
        assert client.get(reverse("visitors:expert_rules")).status_code == 403


def test_rules_page_publishes_a_parameter(client, people):
    from meridian.visitors.rules_experts import parameter

    client.force_login(people.admin)
    page = client.get(reverse("visitors:expert_rules"))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["category_b__p__min_experience_years"] = "3"
    data["note"] = "Provincial notice"
    response = client.post(reverse("visitors:expert_rules"), data)
    assert response.status_code == 302
    assert parameter("category_b", "min_experience_years") == 3


# --- filing -----------------------------------------------------------------------------------------------


def _form(org, **extra):
    data = {
        "kind": "teacher",
        "position": "English teacher",
        "host_unit": org.computing.pk,
        "contract_starts_on": "2027-09-01",
        "contract_ends_on": "2028-08-31",
        "annual_salary": "180000",
        "permit_category": "B",
        "degree": "master",
        "experience_years": "3",
        "new_gender": "0",
    }
    data.update(extra)
    return data


def test_a_coordinator_files_a_case_with_a_new_candidate(client, org, people):
    client.force_login(people.coordinator)
    nationality = germany()
    response = client.post(
        reverse("visitors:expert_create"),
        _form(
            org,
            new_family_name="Brown",
            new_given_name="Emma",
            new_birth_date="1990-04-01",
            new_nationality=nationality.pk,
        ),
    )
    hiring = ExpertHiring.objects.get()
    assert response.status_code == 302 and response["Location"] == hiring.get_absolute_url()
    assert hiring.number == "FEX-2027-0001" and hiring.created_by == people.coordinator
    assert hiring.person.kind == "foreign_expert" and hiring.person.unit == org.computing
    assert {r["code"] for r in hiring.criteria_results} >= {"category_b", "short_stay"}


def test_bad_input_is_shown_and_kept(client, org, people):
    client.force_login(people.coordinator)
    response = client.post(
        reverse("visitors:expert_create"),
        _form(org, contract_ends_on="2027-08-01", annual_salary="lots", new_family_name="Brown"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The contract must end after it starts." in body
    assert "Needed for a new candidate." in body
    assert 'value="English teacher"' in body
    assert not ExpertHiring.objects.exists() and not Person.objects.filter(family_name="Brown").exists()


def test_a_coordinator_cannot_file_for_another_unit(client, org, people):
    client.force_login(people.other_coordinator)
    response = client.post(reverse("visitors:expert_create"), _form(org))
    assert response.status_code == 400  # the unit is not among the choices
    assert not ExpertHiring.objects.exists()


def test_a_stale_edit_is_refused(client, org, people):
    hiring = hiring_for(org, people)
    client.force_login(people.coordinator)
    url = reverse("visitors:expert_edit", args=[hiring.pk])
    data = _form(org, version=hiring.version, position="First", person=hiring.person_id)
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "position": "Second"})
    assert response.status_code == 409
    hiring.refresh_from_db()
    assert hiring.position == "First"


def test_after_qualification_only_some_fields_change(client, org, people):
    hiring = hiring_for(org, people, state="qualified")
    client.force_login(people.staff)
    url = reverse("visitors:expert_edit", args=[hiring.pk])
    response = client.post(
        url, _form(org, version=hiring.version, annual_salary="1", talent_programme="Young talent plan")
    )
    assert response.status_code == 302
    hiring.refresh_from_db()
    assert hiring.annual_salary == Decimal("400000") and hiring.talent_programme == "Young talent plan"


# --- list filters -----------------------------------------------------------------------------------------


def test_expiring_filter_and_its_validation(client, org, people):
    today = datetime.date.today()
    soon = hiring_for(org, people, state="employed", permit_expires_on=today + datetime.timedelta(days=20))
    later = hiring_for(org, people, state="employed", permit_expires_on=today + datetime.timedelta(days=200))
    client.force_login(people.officer)
    url = reverse("visitors:expert_list")
    body = client.get(url, {"expiring": "60"}).content.decode()
    assert soon.number in body and later.number not in body
    for bad in ("0", "abc", "99999"):
        body = client.get(url, {"expiring": bad}).content.decode()
        assert 'id="filter-errors"' in body and soon.number not in body
    body = client.get(
        url, {"state": "employed", "category": "B", "unit": org.engineering.pk}
    ).content.decode()
    assert soon.number in body
    body = client.get(url, {"category": "A"}).content.decode()
    assert soon.number not in body


def test_the_list_runs_a_fixed_number_of_queries(client, org, people):
    client.force_login(people.officer)
    url = reverse("visitors:expert_list")
    assert_flat_queries(
        fetch=lambda: client.get(url), add_rows=lambda n: [hiring_for(org, people) for _ in range(n)]
    )


# --- the case page: documents, changes, justification ------------------------------------------------------


def test_an_upload_is_checked_by_its_content(client, org, people):
    hiring = hiring_for(org, people, state="candidate")
    client.force_login(people.coordinator)
    url = reverse("visitors:expert_document_add", args=[hiring.pk])
    fake = SimpleUploadedFile("record.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"kind": "criminal_record", "file": fake, "expires_on": "2027-01-01"})
    assert response.status_code == 400
    assert "is not a PDF, Word, Excel, PNG or JPEG file" in response.content.decode()
    assert not ExpertDocument.objects.exists()
    real = SimpleUploadedFile("record.pdf", PDF, content_type="text/plain")
    response = client.post(url, {"kind": "criminal_record", "file": real, "expires_on": "2027-01-01"})
    assert response.status_code == 302
    document = ExpertDocument.objects.get()
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.expires_on == datetime.date(2027, 1, 1)


def test_a_document_needs_a_file_or_a_date(client, org, people):
    hiring = hiring_for(org, people, state="candidate")
    client.force_login(people.coordinator)
    response = client.post(reverse("visitors:expert_document_add", args=[hiring.pk]), {"kind": "degree"})
    assert response.status_code == 400
    assert "Upload the file or enter the date" in response.content.decode()


def test_the_page_shows_checklist_criteria_warning_and_moves(client, org, people):
    hiring = hiring_for(org, people, state="arrived", entered_on=datetime.date.today())
    client.force_login(people.staff)
    body = client.get(reverse("visitors:expert_detail", args=[hiring.pk])).content.decode()
    assert 'id="visa-warning"' in body and "voids the visa" in body
    assert 'data-move="residence_permit"' in body and 'name="residence_permit_on"' in body
    assert 'type="date" id="residence_permit-residence_permit_expires_on"' in body
    assert 'data-kind="criminal_record" data-present="0"' in body
    assert 'id="rule-category_b"' in body


def test_the_page_reads_in_chinese(client, org, people):
    hiring = hiring_for(org, people, state="arrived", entered_on=datetime.date.today())
    client.force_login(people.staff)
    response = client.get(reverse("visitors:expert_detail", args=[hiring.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    # Data in Chinese (the interface strings follow once the catalogue is compiled).
    assert response.status_code == 200 and 'lang="zh-hans"' in body
    assert "<dd>计算机系</dd>" in body and "· 德国</dd>" in body


def test_reporting_a_change_from_the_page(client, org, people):
    hiring = hiring_for(org, people, state="employed", entered_on=datetime.date(2024, 3, 1))
    client.force_login(people.staff)
    url = reverse("visitors:expert_change_add", args=[hiring.pk])
    response = client.post(url, {"kind": "address", "description": "", "happened_on": "2999-01-01"})
    assert response.status_code == 400 and not ExpertChange.objects.exists()
    response = client.post(url, {"kind": "address", "description": "New flat", "happened_on": "2024-09-27"})
    assert response.status_code == 302
    change = ExpertChange.objects.get()
    assert change.due_on == datetime.date(2024, 10, 16)
    done = reverse("visitors:expert_change_reported", args=[hiring.pk, change.pk])
    client.post(done, {"reported_on": "2024-09-20"})
    change.refresh_from_db()
    assert change.reported_on is None
    client.post(done, {"reported_on": "2024-10-08"})
    change.refresh_from_db()
    assert change.reported_on == datetime.date(2024, 10, 8)


def test_justifying_from_the_page(client, org, people):
    hiring = hiring_for(org, people, state="candidate", experience_years=0)
    url = reverse("visitors:expert_justify", args=[hiring.pk])
    client.force_login(people.coordinator)
    assert client.post(url, {"code": "category_b", "justification": "x"}).status_code == 403
    client.force_login(people.officer)
    body = client.get(reverse("visitors:expert_detail", args=[hiring.pk])).content.decode()
    assert 'id="justify-category_b"' in body
    assert client.post(url, {"code": "category_b", "justification": "Points 65"}).status_code == 302
    hiring.refresh_from_db()
    assert any(r.get("justification") == "Points 65" for r in hiring.criteria_results)


def test_a_refused_case_keeps_no_new_candidate(client, org, people):
    client.force_login(people.coordinator)
    response = client.post(
        reverse("visitors:expert_create"),
        _form(
            org,
            new_family_name="Brown",
            new_given_name="Emma",
            new_birth_date="2999-04-01",
            new_nationality=germany().pk,
        ),
    )
    assert (
        response.status_code == 400 and "The date of birth lies in the future." in response.content.decode()
    )
    assert not Person.objects.filter(family_name="Brown").exists() and not ExpertHiring.objects.exists()


def test_a_dated_move_from_the_page(client, org, people):
    hiring = hiring_for(org, people, state="permit_applied", permit_applied_on=datetime.date(2025, 1, 2))
    client.force_login(people.staff)
    page = reverse("visitors:expert_detail", args=[hiring.pk])
    assert 'name="permit_number"' in client.get(page).content.decode()
    url = reverse("workflow:move", args=["expert_hiring", hiring.pk, "issue_permit"])
    data = {
        "next": page,
        "permit_number": "",
        "permit_issued_on": "2025-01-20",
        "permit_expires_on": "2026-01-19",
    }
    response = client.post(url, data, follow=True)
    assert "needs work permit number" in response.content.decode()
    hiring.refresh_from_db()
    assert hiring.state == "permit_applied" and hiring.permit_issued_on is None
    response = client.post(url, {**data, "permit_number": "WP-77"})
    assert response.status_code == 302 and response["Location"] == page
    hiring.refresh_from_db()
    assert hiring.state == "permit_issued" and hiring.permit_number == "WP-77"
    assert hiring.permit_expires_on == datetime.date(2026, 1, 19)


def test_an_expert_without_a_role_sees_their_own_case(client, org, people):
    hiring = hiring_for(org, people)
    hiring.person.user = people.outsider
    hiring.person.save()
    client.force_login(people.outsider)
    body = client.get(reverse("visitors:expert_list")).content.decode()
    assert hiring.number in body
    assert client.get(reverse("visitors:expert_detail", args=[hiring.pk])).status_code == 200
    assert client.get(reverse("visitors:expert_edit", args=[hiring.pk])).status_code == 403


def test_the_list_and_the_api_filter_by_kind_alike(client, org, people):
    """One filter for the page and the API: ``kind`` narrows both; an unknown kind lists nothing on either,
    with the same message."""
    from rest_framework.test import APIClient

    teacher = hiring_for(org, people, kind="teacher")
    expert = hiring_for(org, people, kind="expert")
    client.force_login(people.officer)
    api = APIClient()
    api.force_authenticate(people.officer)
    body = client.get(reverse("visitors:expert_list"), {"kind": "teacher"}).content.decode()
    assert teacher.number in body and expert.number not in body
    rows = api.get("/api/v1/visitors/experts/", {"kind": "teacher"}).json()["results"]
    assert [r["number"] for r in rows] == [teacher.number]
    body = client.get(reverse("visitors:expert_list"), {"kind": "astronaut"}).content.decode()
    refused = api.get("/api/v1/visitors/experts/", {"kind": "astronaut"})
    message = refused.json()["error"]["details"]["kind"][0]
    assert refused.status_code == 400 and 'id="filter-errors"' in body and message in body
    assert teacher.number not in body
