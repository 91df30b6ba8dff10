"""Grade conversion (agreed tables and ECTS grade distributions, with the right values), conversion tables and
their checks, the transcript (prefilled from the learning agreement, uploaded), recognition decisions and
who may take them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.mobility.choices import (
    ConversionBasis,
    Direction,
    LearningAgreementState,
    MobilityFileKind,
    MobilityState,
    RecognitionDecision,
)
from meridian.mobility.models import CourseResult, GradeConversionTable, MobilityFile
from meridian.mobility.services import recognition as services
from meridian.mobility.services.recognition import GradeConversionError, grade_convert
from meridian.mobility.tests.factories import make_learning_agreement, make_mobility, student_user

pytestmark = pytest.mark.django_db
D = RecognitionDecision

TABLE_ROWS = [
    {"partner_grade": "A", "home_grade": "95"},
    {"partner_grade": "B", "home_grade": "85"},
    {"partner_grade": "C", "home_grade": "75"},
    {"partner_grade": "F", "home_grade": "50", "passing": False},
]
# Partner A–E with the share of its students per grade, ours (优 … 及格) beside; F is a fail without a share.
DISTRIBUTION_ROWS = [
    {"partner_grade": "A", "partner_percent": "10", "home_grade": "优", "home_percent": "20"},
    {"partner_grade": "B", "partner_percent": "25", "home_grade": "良", "home_percent": "30"},
    {"partner_grade": "C", "partner_percent": "30", "home_grade": "中", "home_percent": "30"},
    {"partner_grade": "D", "partner_percent": "25", "home_grade": "及格", "home_percent": "20"},
    {"partner_grade": "E", "partner_percent": "10"},
    {"partner_grade": "F", "home_grade": "不及格", "passing": False},
]


def save_table(world, people, rows, basis=ConversionBasis.TABLE, **extra):
    return services.conversion_table_save(
        partner=world.partner,
        actor=people.officer,
        rows=rows,
        name=extra.pop("name", "Agreed 2099"),
        basis=basis,
        **extra,
    )


# --- conversion --------------------------------------------------------------------------------------------


def test_agreed_table_converts_grade_by_grade(world, people):
    table = save_table(world, people, TABLE_ROWS)
    assert [grade_convert(table=table, partner_grade=g) for g in ("A", "b", " C ", "F")] == [
        "95",
        "85",
        "75",
        "50",
    ]
    assert services.grade_passes(table=table, partner_grade="F") is False


def test_an_unknown_grade_is_a_clear_error(world, people):
    table = save_table(world, people, TABLE_ROWS)
    with pytest.raises(GradeConversionError) as caught:
        grade_convert(table=table, partner_grade="A+")
    assert caught.value.message == "“A+” is not a grade of the table “Agreed 2099” (its grades: A, B, C, F)."


@pytest.mark.parametrize(
    ("grade", "ours"),
    [
        ("A", "优"),  # [0, 10): midpoint 5 in 优 [0, 20)
        ("B", "良"),  # [10, 35): 22.5 in 良 [20, 50)
        ("C", "中"),  # [35, 65): 50 in 中 [50, 80) — the start of a range belongs to it
        ("D", "中"),  # [65, 90): 77.5 in 中 [50, 80)
        ("E", "及格"),  # [90, 100): 95 in 及格 [80, 100)
        ("F", "不及格"),  # a fail without a share converts directly
    ],
)
def test_distribution_converts_by_cumulative_percentage(world, people, grade, ours):
    table = save_table(world, people, DISTRIBUTION_ROWS, basis=ConversionBasis.DISTRIBUTION)
    assert grade_convert(table=table, partner_grade=grade) == ours


def test_distribution_shares_are_normalised_and_boundaries_go_up(world, people):
    rows = [
        {"partner_grade": "1", "partner_percent": "39.8", "home_grade": "X", "home_percent": "20"},
        {"partner_grade": "2", "partner_percent": "60", "home_grade": "Y", "home_percent": "20"},
        {"home_grade": "Z", "home_percent": "60"},
    ]
    table = save_table(world, people, rows, basis=ConversionBasis.DISTRIBUTION)
    # 1 covers [0, 39.88…): midpoint 19.94 in X [0, 20); 2 covers [39.88, 100): midpoint 69.9 in Z [40, 100)
    assert grade_convert(table=table, partner_grade="1") == "X"
    assert grade_convert(table=table, partner_grade="2") == "Z"
    exact = [
        {"partner_grade": "1", "partner_percent": "40", "home_grade": "X", "home_percent": "20"},
        {"partner_grade": "2", "partner_percent": "60", "home_grade": "Y", "home_percent": "20"},
        {"home_grade": "Z", "home_percent": "60"},
    ]
    table = save_table(world, people, exact, basis=ConversionBasis.DISTRIBUTION, name="Exact")
    assert grade_convert(table=table, partner_grade="1") == "Y"  # midpoint 20 opens Y's range [20, 40)


# --- tables ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "rows", "message"),
    [
        (ConversionBasis.TABLE, [{"partner_grade": "A"}], "grade of ours it converts to"),
        (ConversionBasis.TABLE, [{"partner_grade": "A", "home_grade": "9"}] * 2, "listed twice"),
        (ConversionBasis.TABLE, [], "at least one partner grade"),
        (
            ConversionBasis.DISTRIBUTION,
            [{"partner_grade": "A", "partner_percent": "50", "home_grade": "优", "home_percent": "100"}],
            "add up to 50",
        ),
        (
            ConversionBasis.DISTRIBUTION,
            [{"partner_grade": "A", "partner_percent": "100", "home_grade": "优", "home_percent": "101"}],
            "between 0 and 100",
        ),
        (
            ConversionBasis.DISTRIBUTION,
            [{"partner_grade": "A", "partner_percent": "x", "home_grade": "优", "home_percent": "100"}],
            "not a number",
        ),
        (ConversionBasis.DISTRIBUTION, [{"partner_grade": "A", "partner_percent": "100"}], "our shares"),
        (
            ConversionBasis.DISTRIBUTION,
            [{"partner_grade": "A", "home_grade": "优", "home_percent": "100"}],
            "share of students at the partner",
        ),
    ],
)
def test_bad_tables_are_refused(world, people, basis, rows, message):
    with pytest.raises(ValidationError) as caught:
        save_table(world, people, rows, basis=basis)
    assert message in " ".join(caught.value.messages)
    assert not GradeConversionTable.objects.exists()


def test_a_table_in_use_retires_the_partners_others(world, people):
    old = save_table(world, people, TABLE_ROWS, name="Old")
    new = save_table(world, people, TABLE_ROWS[:2], name="New")
    old.refresh_from_db()
    assert (old.active, new.active) == (False, True)
    assert services.active_table(partner_id=world.partner.pk) == new
    edited = services.conversion_table_save(
        partner=world.partner, actor=people.coordinator, rows=TABLE_ROWS, name="New", basis="table", table=new
    )
    assert edited.rows.count() == 4 and edited.updated_by == people.coordinator


def test_shares_take_the_two_decimals_they_are_stored_with(world, people):
    rows = [dict(row) for row in DISTRIBUTION_ROWS]
    rows[0]["partner_percent"] = "10.005"
    with pytest.raises(ValidationError, match="at most two decimals"):
        save_table(world, people, rows, basis=ConversionBasis.DISTRIBUTION)
    assert not GradeConversionTable.objects.exists()


@pytest.mark.parametrize("who", ["leadership", "staff", "student"])
def test_only_office_and_schools_edit_tables(world, people, who):
    with pytest.raises(PermissionDeniedError):
        services.conversion_table_save(
            partner=world.partner, actor=getattr(people, who), rows=TABLE_ROWS, name="X", basis="table"
        )
    with pytest.raises(PermissionDeniedError):
        services.conversion_table_save(
            partner=world.partner, actor=world.contact, rows=TABLE_ROWS, name="X", basis="table"
        )


# --- transcript and recognition ----------------------------------------------------------------------------


@pytest.fixture
def returned(world, org):
    student = student_user(org.computing, "stu-back", member_number="2023001234")
    mobility = make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=student.person,
        student=student,
        state=MobilityState.RETURNED,
    )
    make_learning_agreement(mobility, state=LearningAgreementState.APPROVED)
    return mobility


def result_row(result, **changes):
    values = {
        "id": result.pk,
        "partner_code": result.partner_code,
        "partner_title": result.partner_title,
        "credits": result.credits,
        "credit_system": result.credit_system,
        "partner_grade": result.partner_grade,
        "passed": result.passed,
        "converted_grade": result.converted_grade,
        "home_code": result.home_code,
        "home_title": result.home_title,
        "home_credits": result.home_credits,
        "decision": result.decision,
        "reason": result.reason,
        "la_course": result.la_course_id,
    }
    values.update(changes)
    return values


def test_the_transcript_starts_from_the_learning_agreement(returned, people):
    made = services.transcript_prefill(mobility=returned, actor=people.coordinator)
    assert [
        (r.partner_code, r.partner_title, r.credits, r.home_code, r.home_title, r.home_credits) for r in made
    ] == [
        ("EE400", "Power Systems 1", Decimal(6), "DQ300", "电力系统1", Decimal(3)),
        ("EE401", "Power Systems 2", Decimal(6), "DQ301", "电力系统2", Decimal(3)),
    ]
    assert services.transcript_prefill(mobility=returned, actor=people.coordinator) == []  # nothing twice


def test_grades_convert_and_courses_are_decided(world, people, returned):
    save_table(world, people, TABLE_ROWS)
    one, two = services.transcript_prefill(mobility=returned, actor=people.coordinator)
    saved = services.course_results_save(
        mobility=returned,
        actor=people.coordinator,
        rows=[
            result_row(one, partner_grade="a", decision=D.RECOGNISED),
            result_row(two, partner_grade="F", decision=D.NOT_RECOGNISED, reason="Failed at the partner"),
        ],
    )
    one, two = saved
    assert (one.converted_grade, one.passed, one.decision, one.decided_by) == (
        "95",
        True,
        D.RECOGNISED,
        people.coordinator,
    )
    assert one.conversion_table is not None and one.decided_at is not None
    assert (two.converted_grade, two.passed, two.reason) == ("50", False, "Failed at the partner")
    decided_at = one.decided_at
    # saving again without a change keeps the decision's time; a typed grade is kept as typed
    again = services.course_results_save(
        mobility=returned,
        actor=people.officer,
        rows=[result_row(one), result_row(two, converted_grade="55")],
    )
    assert again[0].decided_at == decided_at and again[0].decided_by == people.coordinator
    assert again[1].converted_grade == "55" and again[1].conversion_table is None
    # back to pending forgets the decider
    pending = services.course_results_save(
        mobility=returned,
        actor=people.officer,
        rows=[result_row(again[0], decision=D.PENDING), result_row(again[1])],
    )
    assert pending[0].decided_at is None and pending[0].decided_by is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"partner_grade": "A+"}, "is not a grade of the table"),
        ({"partner_grade": ""}, "give the grade"),
        ({"partner_title": ""}, "give the course title"),
        ({"credits": "0"}, "more than 0 and at most 60"),
        ({"credits": "61"}, "more than 0 and at most 60"),
        ({"decision": D.NOT_RECOGNISED}, "say why"),
        ({"decision": D.PARTIAL, "reason": "half"}, ""),
        ({"decision": D.RECOGNISED, "home_title": ""}, "needs our course"),
        ({"decision": "maybe"}, "unknown decision"),
        ({"id": 999999}, "deleted by someone else"),
    ],
)
def test_bad_transcript_rows_are_refused_and_nothing_is_stored(world, people, returned, changes, message):
    save_table(world, people, TABLE_ROWS)
    one, two = services.transcript_prefill(mobility=returned, actor=people.coordinator)
    rows = [result_row(one, partner_grade="B"), result_row(two, **{"partner_grade": "C", **changes})]
    if not message:  # the control case: accepted
        services.course_results_save(mobility=returned, actor=people.coordinator, rows=rows)
        return
    with pytest.raises(ValidationError) as caught:
        services.course_results_save(mobility=returned, actor=people.coordinator, rows=rows)
    assert message in " ".join(caught.value.messages)
    assert list(returned.results.values_list("partner_grade", "converted_grade")) == [("", ""), ("", "")]


def test_without_a_table_the_converted_grade_is_typed(people, returned):
    one, two = services.transcript_prefill(mobility=returned, actor=people.coordinator)
    saved = services.course_results_save(
        mobility=returned,
        actor=people.coordinator,
        rows=[
            result_row(one, partner_grade="1.3", converted_grade="92", decision=D.RECOGNISED),
            result_row(two, partner_grade="2.0"),
        ],
    )
    assert saved[0].converted_grade == "92" and saved[1].converted_grade == ""
    with pytest.raises(TransitionError, match="no grade conversion table"):
        services.course_results_convert(mobility=returned, actor=people.coordinator)
    with pytest.raises(ValidationError, match="needs the converted grade"):
        services.course_results_save(
            mobility=returned, actor=people.coordinator, rows=[result_row(saved[1], decision=D.RECOGNISED)]
        )


def test_convert_fills_the_grades_and_reports_unknown_ones(world, people, returned):
    one, two = services.transcript_prefill(mobility=returned, actor=people.coordinator)
    services.course_results_save(
        mobility=returned,
        actor=people.coordinator,
        rows=[result_row(one, partner_grade="B"), result_row(two, partner_grade="Z")],
    )
    save_table(world, people, TABLE_ROWS)
    problems = services.course_results_convert(mobility=returned, actor=people.coordinator)
    assert problems == ["Row 2: “Z” is not a grade of the table “Agreed 2099” (its grades: A, B, C, F)."]
    assert list(returned.results.order_by("id").values_list("converted_grade", flat=True)) == ["85", ""]


@pytest.mark.parametrize("who", ["other_coordinator", "leadership", "staff"])
def test_who_may_not_decide(people, returned, who):
    with pytest.raises(PermissionDeniedError):
        services.transcript_prefill(mobility=returned, actor=getattr(people, who))
    assert not CourseResult.objects.exists()


def test_students_and_partners_do_not_decide(world, people, returned):
    services.transcript_prefill(mobility=returned, actor=people.officer)
    result = returned.results.first()
    for actor in (returned.student, world.contact):
        with pytest.raises(PermissionDeniedError):
            services.course_results_save(
                mobility=returned, actor=actor, rows=[result_row(result, partner_grade="A")]
            )


@pytest.mark.parametrize("state", [MobilityState.ACCEPTED, MobilityState.ACTIVE, MobilityState.COMPLETED])
def test_the_transcript_waits_for_the_return(world, org, people, state):
    student = student_user(org.computing, "stu-away")
    mobility = make_mobility(
        partner=world.partner, home_unit=org.engineering, person=student.person, state=state
    )
    make_learning_agreement(mobility, state=LearningAgreementState.APPROVED)
    with pytest.raises(TransitionError, match="after the student's return"):
        services.transcript_prefill(mobility=mobility, actor=people.coordinator)


def test_incoming_transcript_records_our_grades(world, org, people):
    student = student_user(org.computing, "stu-in")
    mobility = make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=student.person,
        direction=Direction.INCOMING,
        state=MobilityState.RETURNED,
    )
    save_table(world, people, TABLE_ROWS)  # the partner's table never applies to our own grades
    saved = services.course_results_save(
        mobility=mobility,
        actor=people.coordinator,
        rows=[
            {
                "partner_title": "Chinese Culture",
                "credits": "4",
                "partner_grade": "88",
                "decision": D.RECOGNISED,
            }
        ],
    )
    assert (saved[0].partner_grade, saved[0].converted_grade, saved[0].decision) == ("88", "", D.PENDING)


def test_the_transcript_file_is_checked_by_its_content(people, returned):
    fake = SimpleUploadedFile("transcript.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError, match="not a PDF"):
        services.transcript_upload(mobility=returned, actor=people.coordinator, uploaded_file=fake)
    assert not MobilityFile.objects.exists()
    pdf = SimpleUploadedFile("../Transcript of records.pdf", b"%PDF-1.4\n%fake\n", content_type="text/plain")
    stored = services.transcript_upload(mobility=returned, actor=people.coordinator, uploaded_file=pdf)
    assert (stored.kind, stored.content_type, stored.original_name) == (
        MobilityFileKind.TRANSCRIPT,
        "application/pdf",
        "Transcript of records.pdf",
    )
    with pytest.raises(PermissionDeniedError):
        services.transcript_upload(mobility=returned, actor=returned.student, uploaded_file=pdf)
