"""Selection services: the eligibility check, the school's decision, reviews with conflicts of interest, the
computed criteria and the ranking with its tie-breaks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.mobility.choices import ApplicationState, CallState, CefrLevel, CriterionSource
from meridian.mobility.models import Application, CallCriterion, Review, ReviewConflict
from meridian.mobility.services.selection import (
    computed_points,
    conflict_declare,
    conflict_withdraw,
    eligibility_check,
    eligibility_summary,
    ranking_compute,
    review_save,
    school_decide,
)
from meridian.mobility.tests.factories import make_application, make_call, student_user
from meridian.mobility.tests.factories_selection import committee_member, selection_world

A = ApplicationState


# --- eligibility -----------------------------------------------------------------------------------------


@pytest.fixture
def call(org, world):
    return make_call(
        unit=org.intl_office,
        destinations=[(world.partner, 2, world.outgoing)],
        min_year_of_study=2,
        min_grade=Decimal("3.00"),
        grade_scale=Decimal("4.00"),
        language="en",
        min_cefr=CefrLevel.B2,
        require_clean_record=True,
    )


def _outcomes(results):
    return {row["rule"]: row["outcome"] for row in results}


def test_eligibility_passes_fails_and_asks_the_school(org, call):
    student = student_user(org.computing, "eli1")
    application = make_application(call, student)
    assert _outcomes(eligibility_check(application=application, save=False)) == {
        "year_of_study": "pass",
        "grade": "pass",
        "language": "pass",
        "clean_record": "pass",
    }
    # Below each minimum: every rule fails, and says what the call asks for.
    application.year_of_study, application.grade_average = 1, Decimal("2.80")
    application.cefr_level, application.clean_record = CefrLevel.B1, False
    results = eligibility_check(application=application, save=False)
    assert set(_outcomes(results).values()) == {"fail"}
    assert any("3" in row["message"] and "2.8" in row["message"] for row in results if row["rule"] == "grade")
    # Missing or incomparable data: the school decides.
    application.year_of_study = application.grade_average = application.clean_record = None
    application.cefr_level = ""
    assert set(_outcomes(eligibility_check(application=application, save=False)).values()) == {"check"}
    application.grade_average, application.cefr_level, application.language = Decimal("87"), "C1", "de"
    outcomes = _outcomes(eligibility_check(application=application, save=False))
    assert outcomes["grade"] == "check"  # 87 is not on a 4-point scale
    assert outcomes["language"] == "check"  # a German level for an English requirement


def test_eligibility_only_the_rules_the_call_sets_and_saving(org, world):
    call = make_call(unit=org.intl_office, min_grade=None, min_cefr="", require_clean_record=False)
    application = make_application(call, student_user(org.computing, "eli2"))
    assert eligibility_check(application=application, save=False) == []
    assert eligibility_summary([]) == ""
    call.min_grade = Decimal("3.80")
    call.save()
    application.refresh_from_db()
    results = eligibility_check(application=application, save=True)
    application.refresh_from_db()
    assert application.eligibility == results and application.eligibility_checked_at is not None
    assert eligibility_summary(results) == "fail"


def test_submit_runs_the_check(org, call):
    from meridian.workflow.services import case_move

    student = student_user(org.computing, "eli3")
    application = make_application(call, student, cefr_level=CefrLevel.B1)
    call.required_documents = []
    call.save()
    case_move(case=application, actor=student, move="submit")
    application.refresh_from_db()
    assert application.state == A.SUBMITTED
    assert _outcomes(application.eligibility)["language"] == "fail"


# --- the school's decision -------------------------------------------------------------------------------


def test_school_decides_with_a_note_and_others_may_not(org, people, call):
    application = make_application(call, student_user(org.computing, "sch1"), state=A.SUBMITTED)
    with pytest.raises(PermissionDeniedError):
        school_decide(application=application, actor=people.other_coordinator, move="pre_approve")
    with pytest.raises(ValidationError):
        school_decide(application=application, actor=people.coordinator, move="offer")
    with pytest.raises(ValidationError):  # "not eligible" needs a reason
        school_decide(application=application, actor=people.coordinator, move="reject")
    application.refresh_from_db()
    assert application.state == A.SUBMITTED
    school_decide(application=application, actor=people.coordinator, move="pre_approve", comment="Checked.")
    application.refresh_from_db()
    assert application.state == A.PRE_APPROVED and application.school_note == "Checked."
    school_decide(application=application, actor=people.officer, move="reject", comment="Record found.")
    application.refresh_from_db()
    assert application.state == A.INELIGIBLE


def test_school_returns_to_the_student_while_the_call_is_open(org, people, call):
    application = make_application(call, student_user(org.computing, "sch2"), state=A.SUBMITTED)
    with pytest.raises(ValidationError):
        school_decide(application=application, actor=people.coordinator, move="return")
    school_decide(
        application=application, actor=people.coordinator, move="return", comment="Add the CET-6 scan"
    )
    application.refresh_from_db()
    assert application.state == A.DRAFT and application.school_note == "Add the CET-6 scan"
    application.state = A.SUBMITTED
    application.save()
    call.state = CallState.CLOSED
    call.save()
    with pytest.raises(TransitionError):
        school_decide(application=application, actor=people.coordinator, move="return", comment="Too late")


def test_school_cannot_decide_after_allocation(org, people):
    world = selection_world(org, call_state=CallState.ALLOCATED, students=1, state=A.SUBMITTED)
    with pytest.raises(TransitionError):
        school_decide(application=world.applications[0], actor=people.coordinator, move="pre_approve")


# --- reviews and conflicts -------------------------------------------------------------------------------


@pytest.fixture
def scored(org):
    world = selection_world(org, students=2, ranked=False)
    one = committee_member(org.engineering, "rev-one", call=world.call)
    two = committee_member(org.engineering, "rev-two", call=world.call)
    return world, one, two


def test_review_points_are_checked_per_criterion(scored, people):
    world, one, _two = scored
    application = world.applications[0]
    with pytest.raises(PermissionDeniedError):
        review_save(application=application, reviewer=people.officer, points={"motivation": 5}, submit=True)
    for bad in ({"motivation": 11}, {"motivation": -1}, {"motivation": "x"}, {"motivation": "7.555"}):
        with pytest.raises(ValidationError) as excinfo:
            review_save(application=application, reviewer=one, points=bad, submit=True)
        assert "motivation" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        review_save(application=application, reviewer=one, points={"grades": 5, "nope": 1}, submit=True)
    assert "points" in excinfo.value.message_dict  # "grades" is scored by reviewers here, "nope" unknown
    with pytest.raises(ValidationError):  # submitting needs every criterion
        review_save(application=application, reviewer=one, points={"motivation": 5}, submit=True)
    assert not Review.objects.exists()
    draft = review_save(application=application, reviewer=one, points={"motivation": "7.5"}, submit=False)
    assert draft.submitted_at is None and draft.points == {"motivation": 7.5}
    done = review_save(
        application=application,
        reviewer=one,
        points={"grades": 8, "motivation": 9},
        comment="Good",
        submit=True,
    )
    assert (
        done.pk == draft.pk
        and done.submitted_at is not None
        and done.points == {"grades": 8, "motivation": 9}
    )


def test_reviews_only_while_scoring_is_open(scored):
    world, one, _two = scored
    world.call.state = CallState.PUBLISHED
    world.call.save()
    with pytest.raises(TransitionError):
        review_save(application=world.applications[0], reviewer=one, points={}, submit=False)


def test_conflict_removes_the_review_and_the_reviewer(scored, people):
    world, one, two = scored
    application = world.applications[0]
    review_save(application=application, reviewer=one, points={"grades": 2, "motivation": 2}, submit=True)
    review_save(application=application, reviewer=two, points={"grades": 10, "motivation": 10}, submit=True)
    with pytest.raises(PermissionDeniedError):  # a colleague may not exclude another reviewer
        conflict_declare(application=application, reviewer=two, reason="Relative", actor=one)
    with pytest.raises(ValidationError):
        conflict_declare(application=application, reviewer=one, reason="  ", actor=one)
    conflict_declare(application=application, reviewer=one, reason="My thesis student", actor=one)
    assert not Review.objects.filter(application=application, reviewer=one).exists()
    assert not Application.objects.visible_to(one).filter(pk=application.pk).exists()
    with pytest.raises(PermissionDeniedError):
        review_save(application=application, reviewer=one, points={"grades": 1, "motivation": 1}, submit=True)
    with pytest.raises(DomainError):
        conflict_declare(application=application, reviewer=one, reason="Again", actor=people.officer)
    # Only the other reviewer's points count in the ranking.
    ranking = ranking_compute(call=world.call, actor=people.officer)
    sheet = next(s for s in ranking.sheets if s.application.pk == application.pk)
    assert sheet.score == Decimal("100.00")
    # The office excludes a reviewer and lifts a mistaken conflict.
    conflict_declare(application=application, reviewer=two, reason="Neighbour", actor=people.officer)
    conflict = ReviewConflict.objects.get(application=application, reviewer=one)
    with pytest.raises(PermissionDeniedError):
        conflict_withdraw(conflict=conflict, actor=two)
    conflict_withdraw(conflict=conflict, actor=people.officer)
    assert Application.objects.visible_to(one).filter(pk=application.pk).exists()


# --- computed criteria and ranking ----------------------------------------------------------------------


def test_computed_criteria(org):
    world = selection_world(org, students=1, ranked=False)
    application = world.applications[0]
    grades = CallCriterion(call=world.call, code="g", weight=1, max_points=10, source=CriterionSource.GRADES)
    language = CallCriterion(
        call=world.call, code="l", weight=1, max_points=12, source=CriterionSource.LANGUAGE
    )
    application.grade_average = Decimal("3.00")
    assert computed_points(grades, application) == Decimal("7.5")
    application.grade_average = Decimal("5")  # above the scale: at most the maximum
    assert computed_points(grades, application) == Decimal(10)
    application.cefr_level = CefrLevel.B2
    assert computed_points(language, application) == Decimal(8)
    application.cefr_level = ""
    assert computed_points(language, application) is None


def test_ranking_scores_weights_and_ties(org, people):
    world = selection_world(org, students=4, ranked=False)
    call = world.call
    CallCriterion.objects.filter(call=call, code="grades").update(source=CriterionSource.GRADES)
    reviewer = committee_member(org.engineering, "rev-rank", call=call)
    a, b, c, d = world.applications
    now = timezone.now()
    data = [
        (a, "3.20", 8, now),
        (b, "3.60", 8, now + datetime.timedelta(minutes=1)),  # same motivation, better grades
        (c, "3.60", 8, now),  # ties with b on score and grades: earlier submission first
        (d, "4.00", 10, now),
    ]
    for application, grade, motivation, submitted in data:
        application.grade_average = Decimal(grade)
        application.submitted_at = submitted
        application.save()
        review_save(
            application=application, reviewer=reviewer, points={"motivation": motivation}, submit=True
        )
    ranking = ranking_compute(call=call, actor=people.officer)
    assert [s.application.number for s in ranking.sheets] == [d.number, c.number, b.number, a.number]
    for application in (a, b, c, d):
        application.refresh_from_db()
    # Score = 60 × grade/4 + 40 × motivation/10 (weights 60 and 40 add up to 100).
    assert d.score == Decimal("100.00") and d.rank == 1
    assert c.score == Decimal("86.00") and (c.rank, b.rank) == (2, 3)
    assert a.score == Decimal("80.00") and a.rank == 4
    assert not ranking.incomplete


def test_ranking_counts_missing_points_as_zero_and_who_when(org, people):
    world = selection_world(org, students=2, ranked=False)
    with pytest.raises(PermissionDeniedError):
        ranking_compute(call=world.call, actor=people.other_coordinator)
    ranking = ranking_compute(call=world.call, actor=people.officer)
    assert len(ranking.incomplete) == 2 and all(s.score == 0 for s in ranking.sheets)
    # Ties on everything: the application number decides.
    assert [s.application.rank for s in ranking.sheets] == [1, 2]
    world.call.state = CallState.OPEN
    world.call.save()
    with pytest.raises(TransitionError):
        ranking_compute(call=world.call, actor=people.officer)


def test_ranking_clears_applications_that_left_it(org, people):
    world = selection_world(org, students=2)
    gone = world.applications[1]
    Application.objects.filter(pk=gone.pk).update(state=A.INELIGIBLE)
    ranking_compute(call=world.call, actor=people.officer)
    gone.refresh_from_db()
    assert gone.rank is None and gone.score is None
