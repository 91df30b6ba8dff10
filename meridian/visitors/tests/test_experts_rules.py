"""The experts rule pack: each category criterion passing and failing, after a parameter change, the
short-stay rule, justifications and the stored results."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.visitors.rules_experts import (
    ExpertFacts,
    age_on,
    blocking_messages,
    criteria_check,
    parameter,
)
from meridian.visitors.services import experts as services
from meridian.visitors.tests.factories_experts import hiring_for, publish

pytestmark = pytest.mark.django_db


def outcome(hiring, code: str) -> dict:
    return next(r for r in criteria_check(hiring) if r["code"] == code)


def b_hiring(org, people, **fields):
    return hiring_for(org, people, permit_category="B", **fields)


# --- category B ------------------------------------------------------------------------------------------


def test_a_doctor_with_five_years_meets_category_b(org, people):
    hiring = b_hiring(org, people)
    result = outcome(hiring, "category_b")
    assert result["outcome"] == "pass" and not result["blocking"]
    assert outcome(hiring, "category_a")["outcome"] == "not_applicable"
    assert blocking_messages(hiring) == []


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"degree": "none"}, "No degree is below the required Bachelor's degree"),
        ({"degree": ""}, "the highest degree is not entered"),
        ({"experience_years": 1}, "1 years of relevant experience, 2 needed"),
        ({"experience_years": None}, "the years of experience are not entered"),
        ({"annual_salary": Decimal("90000")}, "an annual salary of 90,000 CNY, below 100,000 CNY"),
        ({"annual_salary": None}, "the annual salary is not entered"),
    ],
)
def test_each_category_b_criterion_fails_on_its_own(org, people, fields, words):
    result = outcome(b_hiring(org, people, **fields), "category_b")
    assert result["outcome"] == "fail" and result["severity"] == "justify" and result["blocking"]
    assert words in result["message"]


def test_category_b_age_limit_counts_at_the_contract_start(org, people):
    hiring = b_hiring(org, people)
    hiring.person.birth_date = hiring.contract_starts_on.replace(year=hiring.contract_starts_on.year - 61)
    hiring.person.save()
    result = outcome(hiring, "category_b")
    assert result["outcome"] == "fail" and "aged 61 at the start, over 60" in result["message"]
    hiring.person.birth_date = hiring.contract_starts_on.replace(year=hiring.contract_starts_on.year - 60)
    hiring.person.save()
    assert outcome(hiring, "category_b")["outcome"] == "pass"


def test_unknown_birth_date_fails_the_age_criterion(org, people):
    hiring = b_hiring(org, people)
    hiring.person.birth_date = None
    hiring.person.save()
    assert "the date of birth is unknown" in outcome(hiring, "category_b")["message"]


def test_age_on_counts_whole_years():
    assert age_on(datetime.date(1980, 6, 2), datetime.date(2020, 6, 1)) == 39
    assert age_on(datetime.date(1980, 6, 2), datetime.date(2020, 6, 2)) == 40
    assert age_on(None, datetime.date(2020, 6, 2)) is None


def test_a_parameter_change_moves_the_threshold(org, people):
    hiring = b_hiring(org, people, experience_years=3)
    assert outcome(hiring, "category_b")["outcome"] == "pass"
    publish(people.admin, "category_b", min_degree="master")
    result = outcome(hiring, "category_b")
    assert result["outcome"] == "pass" and result["version"] == 2  # a doctorate is above a master's
    publish(people.admin, "category_b", min_experience_years=4)
    result = outcome(hiring, "category_b")
    assert result["outcome"] == "fail" and "3 years of relevant experience, 4 needed" in result["message"]
    publish(people.admin, "category_b", min_experience_years=2, min_annual_salary="500000")
    result = outcome(hiring, "category_b")
    assert "below 500,000 CNY" in result["message"] and "experience" not in result["message"]


def test_a_misconfigured_degree_only_warns(org, people):
    publish(people.admin, "category_b", min_degree="phd")
    result = outcome(b_hiring(org, people), "category_b")
    assert result["outcome"] == "fail" and result["severity"] == "warn" and not result["blocking"]


# --- category A ------------------------------------------------------------------------------------------


def test_category_a_needs_the_high_salary_without_a_talent_programme(org, people):
    hiring = hiring_for(org, people, permit_category="A", annual_salary=Decimal("400000"))
    result = outcome(hiring, "category_a")
    assert result["outcome"] == "fail" and "below 600,000 CNY" in result["message"]
    hiring.annual_salary = Decimal("650000")
    assert outcome(hiring, "category_a")["outcome"] == "pass"
    assert outcome(hiring, "category_b")["outcome"] == "not_applicable"


def test_a_recognised_talent_programme_qualifies_for_category_a(org, people):
    hiring = hiring_for(
        org,
        people,
        permit_category="A",
        annual_salary=Decimal("300000"),
        talent_programme="High-end talent plan",
    )
    result = outcome(hiring, "category_a")
    assert result["outcome"] == "pass" and "High-end talent plan" in result["message"]
    publish(people.admin, "category_a", talent_programme_qualifies="no")
    assert outcome(hiring, "category_a")["outcome"] == "fail"


def test_category_a_degree_and_age_after_a_parameter_change(org, people):
    hiring = hiring_for(org, people, permit_category="A", annual_salary=Decimal("700000"), degree="master")
    assert outcome(hiring, "category_a")["outcome"] == "pass"
    publish(people.admin, "category_a", min_degree="doctorate", max_age=30)
    message = outcome(hiring, "category_a")["message"]
    assert "Master's degree is below the required Doctorate" in message and "over 30" in message


# --- category C ------------------------------------------------------------------------------------------


def test_category_c_warns_about_the_quota_and_checks_the_age(org, people):
    hiring = hiring_for(org, people, permit_category="C")
    quota = outcome(hiring, "category_c_quota")
    assert quota["outcome"] == "fail" and quota["severity"] == "warn" and not quota["blocking"]
    assert outcome(hiring, "category_c")["outcome"] == "pass"
    publish(people.admin, "category_c", max_age=35)
    result = outcome(hiring, "category_c")
    assert result["outcome"] == "fail" and result["blocking"]


def test_no_category_blocks(org, people):
    hiring = hiring_for(org, people, permit_category="")
    assert outcome(hiring, "category_chosen")["blocking"]
    assert "Choose the work permit category (A, B or C)." in blocking_messages(hiring)


# --- short stays ----------------------------------------------------------------------------------------


def test_a_contract_under_90_days_is_refused_for_a_visit(org, people):
    hiring = b_hiring(org, people)
    hiring.contract_ends_on = hiring.contract_starts_on + datetime.timedelta(days=88)  # 89 days
    result = outcome(hiring, "short_stay")
    assert result["outcome"] == "fail" and result["severity"] == "block" and result["blocking"]
    assert "use a visit with an invitation letter" in result["message"]
    hiring.contract_ends_on = hiring.contract_starts_on + datetime.timedelta(days=89)  # 90 days
    assert outcome(hiring, "short_stay")["outcome"] == "pass"
    publish(people.admin, "short_stay", min_days=180)
    assert outcome(hiring, "short_stay")["blocking"]


def test_messages_in_chinese(org, people):
    hiring = b_hiring(org, people, experience_years=1)
    with translation.override("zh-hans"):
        results = criteria_check(hiring, save=True)
    stored = next(r for r in results if r["code"] == "category_b")
    assert set(stored["i18n"]) == {"en", "zh-hans"}
    assert "1 years of relevant experience" in stored["i18n"]["en"]["message"]


# --- justifications and storage -------------------------------------------------------------------------


def test_the_office_justifies_an_unmet_criterion_and_it_is_kept(org, people):
    hiring = b_hiring(org, people, experience_years=1, state="candidate")
    assert blocking_messages(hiring)
    services.expert_criteria_justify(
        hiring=hiring, actor=people.officer, code="category_b", justification="Points score 72 (B)."
    )
    hiring.refresh_from_db()
    stored = next(r for r in hiring.criteria_results if r["code"] == "category_b")
    assert stored["justification"] == "Points score 72 (B)." and not stored["blocking"]
    assert stored["version"] == 1
    assert blocking_messages(hiring) == []
    services.expert_criteria_justify(hiring=hiring, actor=people.officer, code="category_b", justification="")
    hiring.refresh_from_db()
    assert blocking_messages(hiring)


def test_only_the_office_justifies_and_only_failing_justify_rules(org, people):
    hiring = b_hiring(org, people, experience_years=1, state="candidate")
    with pytest.raises(PermissionDeniedError):
        services.expert_criteria_justify(
            hiring=hiring, actor=people.coordinator, code="category_b", justification="x"
        )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.expert_criteria_justify(
            hiring=hiring, actor=people.officer, code="short_stay", justification="x"
        )
    hiring.state = "qualified"
    hiring.save()
    with pytest.raises(TransitionError):
        services.expert_criteria_justify(
            hiring=hiring, actor=people.officer, code="category_b", justification="x"
        )


def test_deadline_parameters_have_their_defaults():
    assert parameter("deadlines", "permit_lead_days") == 90
    assert parameter("deadlines", "change_working_days") == 10
    assert ExpertFacts().category == ""
