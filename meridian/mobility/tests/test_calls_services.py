"""Calls: filing and editing, destinations drawn from cooperation conditions (the places cap across calls of
one academic year, months, validity of the condition), criteria, questions, reviewers, who may act, and what
stops a call from opening (``call_problems``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.errors import PermissionDeniedError, StaleEditError, TransitionError
from meridian.mobility import numbering
from meridian.mobility.choices import (
    CallState,
    CriterionSource,
    Direction,
    DocumentKind,
    MobilityType,
    Semester,
)
from meridian.mobility.models import Call, CallCriterion, CallDestination, CallQuestion, CallReviewer
from meridian.mobility.services import calls as services
from meridian.mobility.tests import factories
from meridian.mobility.tests.factories import YEAR, make_condition, student_user

pytestmark = pytest.mark.django_db

NOW = timezone.now


_numbers = iter(range(1, 10**6))


def make_call(**fields) -> Call:
    """``factories.make_call`` numbered out of the way of the numbers the services give (EXC-<year>-9xxxx)."""
    year = fields.get("year", YEAR)
    fields.setdefault("number", f"{numbering.CALL}-{year}-9{next(_numbers):04d}")
    return factories.make_call(**fields)


def draft(org, actor, *, unit=None, year=YEAR, **fields) -> Call:
    values = {
        "unit": unit or org.intl_office,
        "title_en": "Exchange study 2099/2100",
        "title_zh": "2099学年交换学习",
        "academic_year": year,
        "semester": Semester.AUTUMN,
        "opens_at": NOW() + datetime.timedelta(days=1),
        "closes_at": NOW() + datetime.timedelta(days=30),
    }
    values.update(fields)
    return services.call_create(actor=actor, **values)


def ready(call: Call, world, actor, *, places: int = 2) -> Call:
    """Give ``call`` a destination and criteria adding up to 100."""
    services.destination_add_from_condition(call=call, condition=world.outgoing, places=places, actor=actor)
    services.criterion_add(call=call, actor=actor, code="grades", label_en="Grades", weight=60)
    services.criterion_add(call=call, actor=actor, code="motivation", label_en="Motivation", weight=40)
    call.refresh_from_db()
    return call


# --- filing and numbering -----------------------------------------------------------------------------------


class TestCreate:
    def test_the_office_files_a_numbered_draft(self, org, people):
        call = draft(
            org, people.officer, required_documents=[DocumentKind.TRANSCRIPT, DocumentKind.TRANSCRIPT]
        )
        assert call.state == CallState.DRAFT
        assert call.number == f"{numbering.CALL}-{YEAR}-00001"
        assert call.required_documents == [DocumentKind.TRANSCRIPT]
        assert call.created_by == people.officer
        second = draft(org, people.officer)
        assert second.number == f"{numbering.CALL}-{YEAR}-00002"

    def test_a_taken_number_is_retried(self, org, people, monkeypatch):
        first = draft(org, people.officer)
        answers = iter([first.number, f"{numbering.CALL}-{YEAR}-00077"])
        monkeypatch.setattr(numbering, "number_next", lambda *a, **k: next(answers))
        second = draft(org, people.officer)
        assert second.number == f"{numbering.CALL}-{YEAR}-00077"
        assert Call.objects.count() == 2

    @pytest.mark.parametrize(
        "fields, field",
        [
            ({"title_en": "  "}, "title_en"),
            ({"academic_year": 1899}, "academic_year"),
            ({"semester": "winter"}, "semester"),
            ({"closes_at": "tomorrow"}, "closes_at"),
            ({"closes_at": "past"}, "closes_at"),
            ({"closes_at": "before_opening"}, "closes_at"),
            ({"max_preferences": 0}, "max_preferences"),
            ({"max_preferences": 11}, "max_preferences"),
            ({"min_year_of_study": 9}, "min_year_of_study"),
            ({"min_grade": Decimal("4.5"), "grade_scale": Decimal(4)}, "min_grade"),
            ({"grade_scale": 0}, "grade_scale"),
            ({"min_cefr": "B2", "language": ""}, "language"),
            ({"min_cefr": "D1", "language": "en"}, "min_cefr"),
            ({"language": "English"}, "language"),
            ({"language": "xx"}, "language"),  # two letters, but no language the project knows
            ({"language": "zzz"}, "language"),
            ({"max_preferences": Decimal("2.5")}, "max_preferences"),  # never cut to 2
            ({"offer_days": 7.5}, "offer_days"),
            ({"grade_scale": "nan"}, "grade_scale"),
            ({"min_grade": "inf"}, "min_grade"),
            ({"required_documents": ["transcript", "diploma"]}, "required_documents"),
            ({"offer_days": 0}, "offer_days"),
            ({"school_review_until": "before_deadline"}, "school_review_until"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_bad_input_is_refused_per_field_and_nothing_is_stored(self, org, people, fields, field):
        now = NOW()
        special = {
            "past": now - datetime.timedelta(hours=1),
            "before_opening": now + datetime.timedelta(hours=12),
            "tomorrow": "tomorrow",
            "before_deadline": (now + datetime.timedelta(days=20)).date(),
        }
        values = {k: special.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
        if fields.get("closes_at") == "past":
            values["opens_at"] = now - datetime.timedelta(days=2)
        with pytest.raises(ValidationError) as caught:
            draft(org, people.officer, **values)
        assert field in caught.value.message_dict
        assert not Call.objects.exists()

    def test_who_may_file_a_call_and_for_which_unit(self, org, people, world):
        call = draft(org, people.coordinator, unit=org.engineering)
        assert call.unit == org.engineering
        draft(org, people.coordinator, unit=org.computing)  # a unit below the coordinated one
        with pytest.raises(ValidationError) as caught:
            draft(org, people.coordinator, unit=org.intl_office)
        assert "unit" in caught.value.message_dict
        for outsider in (people.staff, people.student, people.leadership, people.outsider, world.contact):
            with pytest.raises(PermissionDeniedError):
                draft(org, outsider, unit=org.engineering)
        assert Call.objects.count() == 2


# --- editing ------------------------------------------------------------------------------------------------


class TestUpdate:
    def test_a_draft_changes_and_a_stale_save_is_refused(self, org, people):
        call = draft(org, people.officer)
        updated = services.call_update(
            call=call, actor=people.officer, expected_version=call.version, title_en="Spring exchange"
        )
        assert updated.title_en == "Spring exchange" and updated.version == call.version + 1
        with pytest.raises(StaleEditError):
            services.call_update(
                call=call, actor=people.officer, expected_version=call.version, title_zh="春季"
            )
        assert Call.objects.get(pk=call.pk).title_zh == "2099学年交换学习"

    def test_an_open_call_takes_only_a_later_deadline_and_descriptions(self, org, people, world):
        call = make_call(
            unit=org.intl_office, state=CallState.OPEN, destinations=[(world.partner, 1, world.outgoing)]
        )
        later = call.closes_at + datetime.timedelta(days=7)
        services.call_update(call=call, actor=people.officer, closes_at=later, description_en="More time.")
        call.refresh_from_db()
        assert call.closes_at == later and call.description_en == "More time."
        with pytest.raises(ValidationError) as caught:
            services.call_update(call=call, actor=people.officer, title_en="Another title", max_preferences=5)
        assert set(caught.value.message_dict) == {"title_en", "max_preferences"}
        with pytest.raises(ValidationError, match="only be extended"):
            services.call_update(
                call=call, actor=people.officer, closes_at=later - datetime.timedelta(days=1)
            )
        services.call_update(call=call, actor=people.officer, title_en=call.title_en)  # unchanged: fine

    @pytest.mark.parametrize("state", [CallState.CLOSED, CallState.ALLOCATED, CallState.CANCELLED])
    def test_a_closed_call_does_not_change(self, org, people, state):
        call = make_call(unit=org.intl_office, state=state)
        with pytest.raises(TransitionError):
            services.call_update(call=call, actor=people.officer, description_en="Late")

    def test_who_may_change_a_call(self, org, people, world):
        call = draft(org, people.coordinator, unit=org.engineering)
        services.call_update(call=call, actor=people.officer, description_en="By the office")
        services.call_update(call=call, actor=people.coordinator, description_en="By the school")
        for outsider in (
            people.other_coordinator,
            people.staff,
            people.leadership,
            people.student,
            world.contact,
        ):
            with pytest.raises(PermissionDeniedError):
                services.call_update(call=call, actor=outsider, description_en="No")
        assert Call.objects.get(pk=call.pk).description_en == "By the school"


# --- destinations and places --------------------------------------------------------------------------------


class TestDestinations:
    def test_a_destination_takes_the_condition_s_partner_type_language_and_months(self, org, people, world):
        call = draft(org, people.officer)
        destination = services.destination_add_from_condition(
            call=call, condition=world.outgoing, places=1, actor=people.officer
        )
        assert destination.partner == world.partner
        assert destination.mobility_type == MobilityType.SEMESTER
        assert (destination.language, destination.min_cefr) == ("en", "B2")
        assert destination.months == Decimal(5)  # 10 months ÷ 2 places

    def test_places_are_capped_across_the_calls_of_the_year(self, org, people, world):
        autumn = draft(org, people.officer)
        spring = draft(org, people.officer, semester=Semester.SPRING)
        services.destination_add_from_condition(
            call=autumn, condition=world.outgoing, places=1, actor=people.officer
        )
        with pytest.raises(ValidationError, match="Only 1 place of") as caught:
            services.destination_add_from_condition(
                call=spring, condition=world.outgoing, places=2, actor=people.officer
            )
        assert "places" in caught.value.message_dict
        services.destination_add_from_condition(
            call=spring, condition=world.outgoing, places=1, actor=people.officer
        )
        third = draft(org, people.officer, semester=Semester.SUMMER)
        with pytest.raises(ValidationError, match="No place"):
            services.destination_add_from_condition(
                call=third, condition=world.outgoing, places=1, actor=people.officer
            )
        assert not third.destinations.exists()
        # a cancelled call gives its places back; a call of another year does not count
        Call.objects.filter(pk=spring.pk).update(state=CallState.CANCELLED)
        services.destination_add_from_condition(
            call=third, condition=world.outgoing, places=1, actor=people.officer
        )

    def test_a_change_of_places_is_capped_too(self, org, people, world):
        one = draft(org, people.officer)
        two = draft(org, people.officer)
        services.destination_add_from_condition(
            call=one, condition=world.outgoing, places=1, actor=people.officer
        )
        mine = services.destination_add_from_condition(
            call=two, condition=world.outgoing, places=1, actor=people.officer
        )
        with pytest.raises(ValidationError):
            services.destination_update(destination=mine, actor=people.officer, places=2)
        assert CallDestination.objects.get(pk=mine.pk).places == 1
        services.destination_remove(destination=CallDestination.objects.get(call=one), actor=people.officer)
        services.destination_update(destination=mine, actor=people.officer, places=2, note="Two places now")
        assert CallDestination.objects.get(pk=mine.pk).places == 2

    @pytest.mark.parametrize(
        ("language", "level", "field"),
        [
            ("xx", "B2", "language"),  # no ISO 639-1 language
            ("de", "B2", "language"),  # not a language of the condition (en B2)
            ("en", "B1", "min_cefr"),  # below the condition's level
            ("en", "", "min_cefr"),  # a language needs its level, as a condition's row does
            ("", "B2", "language"),  # a level needs its language
        ],
    )
    def test_a_destination_s_language_is_one_of_its_condition_s(
        self, org, people, world, language, level, field
    ):
        call = draft(org, people.officer)
        with pytest.raises(ValidationError) as caught:
            services.destination_add_from_condition(
                call=call,
                condition=world.outgoing,
                places=1,
                language=language,
                min_cefr=level,
                actor=people.officer,
            )
        assert field in caught.value.message_dict
        assert not call.destinations.exists()
        mine = services.destination_add_from_condition(
            call=call, condition=world.outgoing, places=1, actor=people.officer
        )
        with pytest.raises(ValidationError) as caught:
            services.destination_update(
                destination=mine, actor=people.officer, language=language, min_cefr=level
            )
        assert field in caught.value.message_dict
        assert (CallDestination.objects.get(pk=mine.pk).language, mine.min_cefr) == ("en", "B2")

    def test_a_destination_may_ask_more_or_another_of_the_condition_s_languages(self, org, people, world):
        world.outgoing.languages.create(language="de", cefr_level="B1")
        call = draft(org, people.officer)
        mine = services.destination_add_from_condition(
            call=call, condition=world.outgoing, places=1, language="de", min_cefr="B2", actor=people.officer
        )
        assert (mine.language, mine.min_cefr) == ("de", "B2")
        services.destination_update(destination=mine, actor=people.officer, language="en", min_cefr="C1")
        services.destination_update(destination=mine, actor=people.officer, language="", min_cefr="")
        assert CallDestination.objects.filter(pk=mine.pk, language="", min_cefr="").exists()

    def test_whole_numbers_and_stored_decimals_are_never_rounded(self, org, people, world):
        call = draft(org, people.officer)
        mine = services.destination_add_from_condition(
            call=call, condition=world.outgoing, places=1, actor=people.officer
        )
        for fields in ({"places": Decimal("1.5")}, {"places": 1.5}, {"months": Decimal("4.55")}):
            with pytest.raises(ValidationError) as caught:
                services.destination_update(destination=mine, actor=people.officer, **fields)
            assert set(fields) <= set(caught.value.message_dict)
        with pytest.raises(ValidationError) as caught:
            services.criterion_add(
                call=call, actor=people.officer, code="grades", label_en="Grades", weight=Decimal("33.333")
            )
        assert "weight" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            services.criterion_add(
                call=call, actor=people.officer, code="grades", label_en="Grades", weight=50, max_points=7.5
            )
        assert "max_points" in caught.value.message_dict
        assert not call.criteria.exists()
        assert CallDestination.objects.filter(pk=mine.pk, places=1, months=Decimal(5)).exists()

    def test_months_are_capped_by_the_condition_s_total_months(self, org, people, world):
        call = draft(org, people.officer)
        with pytest.raises(ValidationError) as caught:
            services.destination_add_from_condition(
                call=call, condition=world.outgoing, places=2, months=Decimal(6), actor=people.officer
            )
        assert "months" in caught.value.message_dict

    def test_only_conditions_valid_for_the_call_s_year(self, org, people, world):
        call = draft(org, people.officer)
        wrong_year = make_condition(world.agreement, world.partner, year=YEAR + 1, mobility_type="full_year")
        staff = make_condition(world.agreement, world.partner, mobility_type=MobilityType.STAFF_TEACHING)
        every_year = make_condition(
            world.agreement, world.partner, year=None, mobility_type="short_programme"
        )
        inactive = AgreementFactory(responsible_unit=org.engineering, partners=[world.partner], state="draft")
        not_signed = make_condition(inactive, world.partner, mobility_type="traineeship")
        for condition in (world.incoming, wrong_year, staff, every_year, not_signed):
            with pytest.raises(ValidationError) as caught:
                services.destination_add_from_condition(
                    call=call, condition=condition, places=1, actor=people.officer
                )
            assert "condition" in caught.value.message_dict, condition
        assert not call.destinations.exists()
        # the agreement runs 2025–2030: a condition for every year is valid for a call of 2026
        call_2026 = draft(org, people.officer, year=2026)
        services.destination_add_from_condition(
            call=call_2026, condition=every_year, places=1, actor=people.officer
        )
        assert world.incoming.direction == Direction.INCOMING

    def test_places_of_a_condition_for_every_year_are_counted_per_academic_year(self, org, people, world):
        every_year = make_condition(world.agreement, world.partner, year=None, places=1)
        first = draft(org, people.officer, year=2026, title_en="2026")
        services.destination_add_from_condition(
            call=first, condition=every_year, places=1, actor=people.officer
        )
        same_year = draft(org, people.officer, year=2026, semester=Semester.SPRING)
        with pytest.raises(ValidationError, match="No place"):
            services.destination_add_from_condition(
                call=same_year, condition=every_year, places=1, actor=people.officer
            )
        next_year = draft(org, people.officer, year=2027)
        services.destination_add_from_condition(
            call=next_year, condition=every_year, places=1, actor=people.officer
        )

    def test_one_destination_per_partner_and_mobility_type(self, org, people, world):
        call = draft(org, people.officer)
        services.destination_add_from_condition(
            call=call, condition=world.outgoing, places=1, actor=people.officer
        )
        with pytest.raises(ValidationError, match="already"):
            services.destination_add_from_condition(
                call=call, condition=world.outgoing, places=1, actor=people.officer
            )

    def test_destinations_change_only_while_draft_and_by_managers(self, org, people, world):
        call = draft(org, people.coordinator, unit=org.engineering)
        with pytest.raises(PermissionDeniedError):
            services.destination_add_from_condition(
                call=call, condition=world.outgoing, places=1, actor=people.other_coordinator
            )
        humanities = draft(org, people.other_coordinator, unit=org.humanities)
        with pytest.raises(PermissionDeniedError):  # not an agreement the humanities coordinator may see
            services.destination_add_from_condition(
                call=humanities, condition=world.outgoing, places=1, actor=people.other_coordinator
            )
        destination = services.destination_add_from_condition(
            call=call, condition=world.outgoing, places=1, actor=people.coordinator
        )
        Call.objects.filter(pk=call.pk).update(state=CallState.OPEN)
        with pytest.raises(TransitionError):
            services.destination_update(destination=destination, actor=people.officer, places=2)
        with pytest.raises(TransitionError):
            services.destination_remove(destination=destination, actor=people.officer)
        with pytest.raises(TransitionError):
            services.destination_add_from_condition(
                call=call, condition=world.other_outgoing, places=1, actor=people.officer
            )

    @pytest.mark.parametrize("places", [0, -1, "two"])
    def test_a_destination_offers_at_least_one_place(self, org, people, world, places):
        call = draft(org, people.officer)
        with pytest.raises(ValidationError) as caught:
            services.destination_add_from_condition(
                call=call, condition=world.outgoing, places=places, actor=people.officer
            )
        assert "places" in caught.value.message_dict


# --- criteria, questions, reviewers -------------------------------------------------------------------------


class TestCriteriaQuestionsReviewers:
    def test_criteria_are_checked(self, org, people):
        call = draft(org, people.officer)
        services.criterion_add(call=call, actor=people.officer, code="grades", label_en="Grades", weight=60)
        for fields, field in (
            ({"code": "grades"}, "code"),
            ({"code": "Bad code!"}, "code"),
            ({"weight": 0}, "weight"),
            ({"weight": 101}, "weight"),
            ({"max_points": 0}, "max_points"),
            ({"source": "dice"}, "source"),
            ({"label_en": ""}, "label_en"),
        ):
            values = {"code": "interview", "label_en": "Interview", "weight": 40, **fields}
            with pytest.raises(ValidationError) as caught:
                services.criterion_add(call=call, actor=people.officer, **values)
            assert field in caught.value.message_dict
        assert CallCriterion.objects.filter(call=call).count() == 1
        criterion = services.criterion_add(
            call=call,
            actor=people.officer,
            code="language",
            label_en="Language",
            label_zh="语言",
            weight="40",
            source=CriterionSource.LANGUAGE,
        )
        services.criterion_update(criterion=criterion, actor=people.officer, weight=Decimal("39.5"))
        assert CallCriterion.objects.get(pk=criterion.pk).weight == Decimal("39.50")
        services.criterion_remove(criterion=criterion, actor=people.officer)
        assert list(CallCriterion.objects.filter(call=call).values_list("code", flat=True)) == ["grades"]

    def test_questions_are_checked(self, org, people):
        call = draft(org, people.officer)
        with pytest.raises(ValidationError):
            services.question_add(call=call, actor=people.officer, text_en=" ")
        with pytest.raises(ValidationError):
            services.question_add(call=call, actor=people.officer, text_en="Why?", kind="essay")
        question = services.question_add(call=call, actor=people.officer, text_en="Why?", text_zh="为什么？")
        services.question_update(question=question, actor=people.officer, required=False)
        assert CallQuestion.objects.get(pk=question.pk).required is False
        Call.objects.filter(pk=call.pk).update(state=CallState.OPEN)
        with pytest.raises(TransitionError):
            services.question_remove(question=question, actor=people.officer)

    def test_reviewers_are_university_staff_only(self, org, people, world):
        call = draft(org, people.officer)
        student = student_user(org.computing, "stu-reviewer")
        for user in (student, people.student, world.contact, people.outsider):
            with pytest.raises(ValidationError) as caught:
                services.reviewer_add(call=call, user=user, actor=people.officer)
            assert "user" in caught.value.message_dict
        people.staff.is_active = False
        people.staff.save()
        with pytest.raises(ValidationError, match="not active"):
            services.reviewer_add(call=call, user=people.staff, actor=people.officer)
        first = services.reviewer_add(call=call, user=people.coordinator, actor=people.officer)
        again = services.reviewer_add(call=call, user=people.coordinator, actor=people.officer)
        assert first.pk == again.pk and CallReviewer.objects.filter(call=call).count() == 1
        with pytest.raises(PermissionDeniedError):
            services.reviewer_add(call=call, user=people.leadership, actor=people.coordinator)

    def test_the_committee_is_set_until_allocation(self, org, people):
        call = make_call(unit=org.intl_office, state=CallState.CLOSED)
        member = services.reviewer_add(call=call, user=people.staff, actor=people.officer)
        Call.objects.filter(pk=call.pk).update(state=CallState.ALLOCATED)
        with pytest.raises(TransitionError):
            services.reviewer_remove(reviewer=member, actor=people.officer)
        with pytest.raises(TransitionError):
            services.reviewer_add(call=call, user=people.coordinator, actor=people.officer)


# --- what stops a call from opening -------------------------------------------------------------------------


class TestProblems:
    def test_a_new_draft_lists_what_is_missing_and_a_ready_one_nothing(self, org, people, world):
        call = draft(org, people.officer)
        problems = services.call_problems(call)
        assert any("destination" in p for p in problems)
        assert any("criterion" in p for p in problems)
        assert services.call_problems(ready(call, world, people.officer)) == []

    def test_weights_must_add_up_to_100(self, org, people, world):
        call = ready(draft(org, people.officer), world, people.officer)
        CallCriterion.objects.filter(call=call, code="motivation").update(weight=Decimal("30.5"))
        assert services.call_problems(call) == [
            "The weights of the selection criteria add up to 90.50; they must add up to 100."
        ]

    def test_dates_preferences_and_eligibility(self, org, people, world):
        call = ready(draft(org, people.officer), world, people.officer)
        now = NOW()
        Call.objects.filter(pk=call.pk).update(
            opens_at=now - datetime.timedelta(days=10),
            closes_at=now - datetime.timedelta(minutes=1),
            max_preferences=0,
            min_grade=Decimal(5),
            min_cefr="B2",
            language="",
            school_review_until=(now - datetime.timedelta(days=20)).date(),
        )
        call.refresh_from_db()
        problems = " | ".join(services.call_problems(call))
        for words in ("has passed", "at least one destination", "above the grade scale", "which language"):
            assert words in problems, words
        assert "School pre-approval" in problems
        unsaved = Call(opens_at=now, closes_at=now, max_preferences=1, grade_scale=4)
        assert "The application deadline must be after the opening." in services.call_problems(unsaved)

    def test_a_destination_over_what_its_condition_has_left(self, org, people, world):
        call = ready(draft(org, people.officer), world, people.officer, places=2)
        world.outgoing.places = 1
        world.outgoing.save()
        assert services.call_problems(call) == [
            f"{world.partner} offers 2 places, but its condition has only 1 left."
        ]
        # a destination not drawn from a condition (filed by hand) cannot open either
        CallDestination.objects.create(
            call=call, partner=world.other_partner, mobility_type=MobilityType.SEMESTER, places=1
        )
        assert any("not drawn from a cooperation condition" in p for p in services.call_problems(call))

    def test_an_agreement_that_ended_invalidates_its_destinations(self, org, people, world):
        call = ready(draft(org, people.officer), world, people.officer)
        world.agreement.state = "terminated"
        world.agreement.save()
        assert any("not valid for 2099/2100" in p for p in services.call_problems(call))
