"""Pages of grade conversion and recognition: who may open and do what, the table form with its errors, trying
a conversion, entering and deciding the transcript, the transcript file, and the export for the student
records office (content, formats, languages)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from meridian.mobility.choices import (
    ConversionBasis,
    Direction,
    LearningAgreementState,
    MobilityState,
    RecognitionDecision,
)
from meridian.mobility.models import GradeConversionTable, MobilityFile
from meridian.mobility.services import recognition as services
from meridian.mobility.tests.factories import make_learning_agreement, make_mobility, student_user

pytestmark = pytest.mark.django_db
D = RecognitionDecision
LOGIN = "login"
TABLE_ROWS = [
    {"partner_grade": "A", "home_grade": "95"},
    {"partner_grade": "B", "home_grade": "85"},
    {"partner_grade": "F", "home_grade": "50", "passing": False},
]


@pytest.fixture
def student(org):
    return student_user(org.computing, "stu-back", member_number="2023001234")


@pytest.fixture
def returned(world, org, student):
    mobility = make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=student.person,
        student=student,
        state=MobilityState.RETURNED,
    )
    make_learning_agreement(mobility, state=LearningAgreementState.APPROVED)
    return mobility


@pytest.fixture
def users(world, people, org, student):
    return {
        "officer": people.officer,
        "leadership": people.leadership,
        "coordinator": people.coordinator,
        "other_coordinator": people.other_coordinator,
        "staff": people.staff,
        "student": student,
        "other_student": student_user(org.computing, "stu-other", family_name="Wang"),
        "contact": world.contact,
        "other_contact": world.other_contact,
        "anonymous": None,
    }


def client_for(user, language: str = "") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
    if language:
        client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def status(response) -> int | str:
    if response.status_code == 302 and "/login" in response["Location"]:
        return LOGIN
    return response.status_code


MATRIX: dict[str, dict[str, int | str]] = {
    "tables": {
        "officer": 200,
        "leadership": 403,
        "coordinator": 200,
        "other_coordinator": 200,
        "staff": 403,
        "student": 403,
        "other_student": 403,
        "contact": 403,
        "other_contact": 403,
        "anonymous": LOGIN,
    },
    "recognition": {
        "officer": 200,
        "leadership": 200,
        "coordinator": 200,
        "other_coordinator": 404,
        "staff": 404,
        "student": 200,
        "other_student": 404,
        "contact": 404,  # an outgoing student's recognition is ours alone
        "other_contact": 404,
        "anonymous": LOGIN,
    },
    "save": {
        "officer": 302,
        "leadership": 403,
        "coordinator": 302,
        "other_coordinator": 404,
        "staff": 404,
        "student": 403,
        "other_student": 404,
        "contact": 404,
        "other_contact": 404,
        "anonymous": LOGIN,
    },
}
ROLES = list(MATRIX["tables"])


@pytest.mark.parametrize("role", ROLES)
def test_who_keeps_the_conversion_tables(users, role):
    assert (
        status(client_for(users[role]).get(reverse("mobility:conversion_tables"))) == MATRIX["tables"][role]
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_recognition_page(returned, users, role):
    response = client_for(users[role]).get(reverse("mobility:recognition", args=[returned.pk]))
    assert status(response) == MATRIX["recognition"][role]
    if response.status_code == 200:
        editable = 'id="recognition-form"' in response.content.decode()
        assert editable == (role in ("officer", "coordinator"))


def save_data(results, rows):
    data = {
        "results-TOTAL_FORMS": str(len(rows)),
        "results-INITIAL_FORMS": str(len(results)),
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "80",
    }
    for index, values in enumerate(rows):
        for key, value in values.items():
            data[f"results-{index}-{key}"] = value
    return data


def prefilled_rows(mobility, **first):
    results = list(mobility.results.order_by("id"))
    rows = []
    for r in results:
        rows.append(
            {
                "id": r.pk,
                "partner_code": r.partner_code,
                "partner_title": r.partner_title,
                "credits": r.credits,
                "credit_system": r.credit_system,
                "partner_grade": "B",
                "passed": "on",
                "home_code": r.home_code,
                "home_title": r.home_title,
                "home_credits": r.home_credits,
                "decision": D.RECOGNISED,
            }
        )
    rows[0].update(first)
    return results, rows


@pytest.mark.parametrize("role", ROLES)
def test_who_saves_decisions(world, people, returned, users, role):
    services.conversion_table_save(
        partner=world.partner, actor=people.officer, rows=TABLE_ROWS, name="T", basis="table"
    )
    services.transcript_prefill(mobility=returned, actor=people.officer)
    results, rows = prefilled_rows(returned)
    response = client_for(users[role]).post(
        reverse("mobility:recognition", args=[returned.pk]), save_data(results, rows)
    )
    assert status(response) == MATRIX["save"][role]
    decided = returned.results.filter(decision=D.RECOGNISED).count()
    assert decided == (2 if MATRIX["save"][role] == 302 else 0)


def test_the_page_prefills_converts_and_decides(world, people, returned):
    services.conversion_table_save(
        partner=world.partner, actor=people.officer, rows=TABLE_ROWS, name="T", basis="table"
    )
    client = client_for(people.coordinator)
    url = reverse("mobility:recognition", args=[returned.pk])
    page = client.get(url).content.decode()
    assert "Take the courses from the learning agreement" in page
    client.post(reverse("mobility:recognition_prefill", args=[returned.pk]))
    assert returned.results.count() == 2
    results, rows = prefilled_rows(returned, partner_grade="Q")
    response = client.post(url, save_data(results, rows))
    assert response.status_code == 400
    assert (
        "Row 1: “Q” is not a grade of the table “T” (its grades: A, B, F). Type the converted grade."
        in response.content.decode()
    )
    assert not returned.results.exclude(decision=D.PENDING).exists()
    results, rows = prefilled_rows(returned, partner_grade="F", decision=D.NOT_RECOGNISED, reason="Failed")
    assert client.post(url, save_data(results, rows)).status_code == 302
    first, second = returned.results.order_by("id")
    assert (first.converted_grade, first.passed, first.decision) == ("50", False, D.NOT_RECOGNISED)
    assert (second.converted_grade, second.decision, second.decided_by) == (
        "85",
        D.RECOGNISED,
        people.coordinator,
    )
    page = client_for(returned.student).get(url).content.decode()
    assert "Not recognised" in page and "Failed" in page and "85" in page


def test_conversion_table_form_and_trial(world, people):
    client = client_for(people.coordinator)
    url = reverse("mobility:conversion_table_create", args=[world.partner.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": "ECTS grading table 2099",
        "basis": ConversionBasis.DISTRIBUTION,
        "home_scale": "百分制",
        "active": "on",
        "grades-TOTAL_FORMS": "3",
        "grades-INITIAL_FORMS": "0",
        "grades-MIN_NUM_FORMS": "0",
        "grades-MAX_NUM_FORMS": "60",
        "grades-0-partner_grade": "A",
        "grades-0-partner_percent": "30",
        "grades-0-home_grade": "优",
        "grades-0-home_percent": "50",
        "grades-0-passing": "on",
        "grades-1-partner_grade": "B",
        "grades-1-partner_percent": "60",
        "grades-1-home_grade": "良",
        "grades-1-home_percent": "50",
        "grades-1-passing": "on",
    }
    response = client.post(url, data)
    assert (
        response.status_code == 400 and "The partner&#x27;s shares add up to 90" in response.content.decode()
    )
    assert not GradeConversionTable.objects.exists()
    data["grades-1-partner_percent"] = "70"
    assert client.post(url, data).status_code == 302
    table = GradeConversionTable.objects.get()
    assert table.basis == ConversionBasis.DISTRIBUTION and table.rows.count() == 2
    page = client.get(reverse("mobility:conversion_tables"), {"partner": world.partner.pk, "grade": "b"})
    assert "converts to <strong>良</strong>" in page.content.decode()  # B covers [30, 100): midpoint 65
    page = client.get(reverse("mobility:conversion_tables"), {"partner": world.partner.pk, "grade": "Z"})
    assert "is not a grade of the table" in page.content.decode()
    assert client.get(reverse("mobility:conversion_table_edit", args=[table.pk])).status_code == 200
    assert (
        client_for(people.staff).get(reverse("mobility:conversion_table_edit", args=[table.pk])).status_code
        == 403
    )


def test_transcript_file_upload_and_download(people, returned, world):
    client = client_for(people.coordinator)
    upload = reverse("mobility:recognition_upload", args=[returned.pk])
    bad = SimpleUploadedFile("transcript.pdf", b"<script>alert(1)</script>")
    page = client.post(upload, {"file": bad}, follow=True).content.decode()
    assert "is not a PDF, Word, Excel, PNG or JPEG file" in page
    assert not MobilityFile.objects.exists()
    client.post(upload, {"file": SimpleUploadedFile("transcript.pdf", b"%PDF-1.4\n%x\n")})
    stored = MobilityFile.objects.get()
    url = reverse("mobility:recognition_file", args=[returned.pk, stored.pk])
    response = client_for(returned.student).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(world.contact).get(url).status_code == 404
    assert (
        client_for(returned.student)
        .post(upload, {"file": SimpleUploadedFile("t.pdf", b"%PDF-1.4")})
        .status_code
        == 403
    )


def decided(world, people, returned):
    services.conversion_table_save(
        partner=world.partner, actor=people.officer, rows=TABLE_ROWS, name="T", basis="table"
    )
    one, two = services.transcript_prefill(mobility=returned, actor=people.coordinator)
    base = {"credit_system": "ects", "passed": True}
    services.course_results_save(
        mobility=returned,
        actor=people.coordinator,
        rows=[
            {
                **base,
                "id": one.pk,
                "partner_code": "EE400",
                "partner_title": "Power Systems 1",
                "credits": "6",
                "partner_grade": "A",
                "home_code": "DQ300",
                "home_title": "电力系统1",
                "home_credits": "3",
                "decision": D.RECOGNISED,
            },
            {
                **base,
                "id": two.pk,
                "partner_code": "EE401",
                "partner_title": "Power Systems 2",
                "credits": "6",
                "partner_grade": "F",
                "decision": D.NOT_RECOGNISED,
                "reason": "Failed",
            },
        ],
    )


def test_export_for_the_student_records_office(world, people, returned):
    decided(world, people, returned)
    client = client_for(people.officer)
    url = reverse("mobility:recognition_export", args=[returned.pk])
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"recognition-{returned.number}-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "Student number",
        "Name",
        "Our course code",
        "Our course",
        "Our credits",
        "Converted grade",
    ]
    assert rows[0][6:] == [
        "Course at the partner",
        "Grade at the partner",
        "Credits at the partner",
        "Decision",
        "Reason",
        "Decided by",
        "Decided",
    ]
    first = rows[1]
    assert first[:10] == [
        "2023001234",
        "LI Ming 李明",
        "DQ300",
        "电力系统1",
        "3.0",
        "95",
        "EE400 Power Systems 1",
        "A",
        "6.0 ECTS credits",
        "Recognised",
    ]
    assert first[11] == "coordinator" and first[12]
    assert rows[2][9:11] == ["Not recognised", "Failed"]
    workbook = load_workbook(io.BytesIO(client.get(url).content))  # XLSX by default
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Student number" and values[1][3] == "电力系统1" and values[1][9] == "Recognised"
    assert client.get(url, {"format": "pdf"}).status_code == 400
    assert client_for(returned.student).get(url, {"format": "csv"}).status_code == 200
    assert client_for(people.other_coordinator).get(url).status_code == 404


def test_export_speaks_the_readers_language(world, people, returned):
    decided(world, people, returned)
    response = client_for(people.officer, "zh-hans").get(
        reverse("mobility:recognition_export", args=[returned.pk]), {"format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    with translation.override("zh-hans"):
        expected = [translation.gettext("Student number"), str(D.RECOGNISED.label)]
    assert [rows[0][0], rows[1][9]] == expected
    if expected[0] == "Student number":
        pytest.skip("Chinese translations of the export are not compiled yet")
    assert expected[0] == "学号"


def test_incoming_transcript_page_and_export(world, org, people):
    student = student_user(org.computing, "stu-in", member_number="P-77")
    mobility = make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=student.person,
        student=student,
        direction=Direction.INCOMING,
        state=MobilityState.RETURNED,
    )
    services.course_results_save(
        mobility=mobility,
        actor=people.coordinator,
        rows=[
            {
                "partner_code": "HUM100",
                "partner_title": "Chinese Culture",
                "credits": "4",
                "partner_grade": "88",
                "home_title": "Kultur Chinas",
            }
        ],
    )
    page = client_for(world.contact).get(reverse("mobility:recognition", args=[mobility.pk]))
    assert (
        page.status_code == 200 and "Chinese Culture" in page.content.decode()
    )  # the partner reads its student's
    assert (
        client_for(world.other_contact).get(reverse("mobility:recognition", args=[mobility.pk])).status_code
        == 404
    )
    response = client_for(people.coordinator).get(
        reverse("mobility:recognition_export", args=[mobility.pk]), {"format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Student number", "Name", "Home institution", "Our course code"]
    assert rows[1][:7] == [
        "P-77",
        "LI Ming 李明",
        str(world.partner),
        "HUM100",
        "Chinese Culture",
        "4.0",
        "88",
    ]
