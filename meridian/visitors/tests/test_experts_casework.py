"""The hiring lifecycle: every move with its guards (candidate, documents present and valid, criteria met or
justified, dates required, in order and not in the future), who may take it, and the visa warning."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.models import Notification
from meridian.visitors.casework_experts import EXPERT_HIRING_TYPE, evaluation_date
from meridian.visitors.choices import ExpertChangeKind, ExpertState
from meridian.visitors.models import ExpertDocument
from meridian.visitors.services import experts as services
from meridian.visitors.tests.factories_experts import add_documents, hiring_for

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def move(hiring, actor, name, **data):
    with evaluation_date(DAY):
        return services.expert_move(
            hiring=hiring, actor=actor, move=name, data={k: str(v) for k, v in data.items()}
        )


def candidate(org, people, **fields):
    hiring = hiring_for(org, people, **fields)
    return move(hiring, people.coordinator, "choose_candidate")


def qualified(org, people, **fields):
    hiring = candidate(org, people, **fields)
    add_documents(hiring)
    return move(hiring, people.officer, "qualify")


def employed(org, people):
    hiring = qualified(org, people)
    hiring = move(hiring, people.staff, "apply_permit", permit_applied_on=DAY - timedelta(days=60))
    hiring = move(
        hiring,
        people.staff,
        "issue_permit",
        permit_number="WP-1",
        permit_issued_on=DAY - timedelta(days=40),
        permit_expires_on=DAY + timedelta(days=365),
    )
    hiring = move(hiring, people.staff, "visa_notice", visa_notice_on=DAY - timedelta(days=35))
    hiring = move(hiring, people.staff, "arrive", entered_on=DAY - timedelta(days=20))
    hiring = move(
        hiring,
        people.staff,
        "residence_permit",
        residence_permit_on=DAY - timedelta(days=10),
        residence_permit_expires_on=DAY + timedelta(days=365),
    )
    return move(hiring, people.staff, "employ", employed_on=DAY - timedelta(days=9))


def test_the_declaration_reaches_every_state():
    assert EXPERT_HIRING_TYPE.reachable_states() == set(ExpertState.values)


def test_choosing_a_candidate_needs_a_person(org, people):
    hiring = hiring_for(org, people, candidate=False)
    with pytest.raises(TransitionError, match="Choose the candidate"):
        move(hiring, people.coordinator, "choose_candidate")
    assert candidate(org, people).state == ExpertState.CANDIDATE


def test_qualification_names_missing_documents(org, people):
    hiring = candidate(org, people)
    add_documents(hiring, kinds=("degree", "contract"))
    with pytest.raises(TransitionError) as caught:
        move(hiring, people.officer, "qualify")
    assert "Missing documents: Criminal record certificate, Health check." in caught.value.message


def test_qualification_refuses_an_expired_document(org, people):
    hiring = candidate(org, people)
    add_documents(hiring)
    ExpertDocument.objects.create(
        hiring=hiring,
        kind="health_check",
        received_on=DAY - timedelta(days=200),
        expires_on=DAY - timedelta(days=1),
    )
    # The newest entry of a kind counts: the expired one added last.
    with pytest.raises(TransitionError, match="Expired documents: Health check"):
        move(hiring, people.officer, "qualify")


def test_qualification_needs_the_criteria_met_or_justified(org, people):
    hiring = candidate(org, people, experience_years=1)
    add_documents(hiring)
    with pytest.raises(TransitionError, match="Category B criteria not met"):
        move(hiring, people.officer, "qualify")
    services.expert_criteria_justify(
        hiring=hiring, actor=people.officer, code="category_b", justification="Exception granted."
    )
    hiring.refresh_from_db()
    hiring = move(hiring, people.officer, "qualify")
    assert hiring.state == ExpertState.QUALIFIED
    stored = {r["code"]: r for r in hiring.criteria_results}
    assert stored["category_b"]["justification"] == "Exception granted." and "i18n" in stored["category_b"]


def test_a_short_contract_cannot_qualify(org, people):
    hiring = candidate(org, people)
    hiring.contract_ends_on = hiring.contract_starts_on + timedelta(days=60)
    hiring.save()
    add_documents(hiring)
    with pytest.raises(TransitionError, match="invitation letter"):
        move(hiring, people.officer, "qualify")


@pytest.mark.parametrize("who", ["coordinator", "staff"])
def test_only_the_office_decides_the_qualification(org, people, who):
    hiring = candidate(org, people)
    add_documents(hiring)
    with pytest.raises(PermissionDeniedError):
        move(hiring, getattr(people, who), "qualify")


def test_dated_steps_need_their_dates(org, people):
    hiring = qualified(org, people)
    with pytest.raises(TransitionError, match="needs work permit applied for"):
        move(hiring, people.staff, "apply_permit")
    with pytest.raises(
        TransitionError, match="The date of the work permit application cannot be in the future."
    ):
        move(hiring, people.staff, "apply_permit", permit_applied_on=DAY + timedelta(days=1))
    with pytest.raises(ValidationError):
        move(hiring, people.staff, "apply_permit", permit_applied_on="not a date")
    hiring = move(hiring, people.staff, "apply_permit", permit_applied_on=DAY - timedelta(days=5))
    with pytest.raises(TransitionError) as caught:
        move(hiring, people.staff, "issue_permit", permit_issued_on=DAY)
    assert "work permit number" in caught.value.message and "work permit valid until" in caught.value.message
    with pytest.raises(
        TransitionError, match=r"The work permit cannot be issued before it was applied for \("
    ):
        move(
            hiring,
            people.staff,
            "issue_permit",
            permit_number="WP-1",
            permit_issued_on=DAY - timedelta(days=6),
            permit_expires_on=DAY + timedelta(days=300),
        )
    hiring.refresh_from_db()
    assert hiring.state == ExpertState.PERMIT_APPLIED and hiring.permit_number == ""


def test_entry_warns_that_leaving_before_the_residence_permit_voids_the_visa(org, people):
    hiring = qualified(org, people)
    hiring = move(hiring, people.staff, "apply_permit", permit_applied_on=DAY - timedelta(days=60))
    hiring = move(
        hiring,
        people.staff,
        "issue_permit",
        permit_number="WP-1",
        permit_issued_on=DAY - timedelta(days=40),
        permit_expires_on=DAY + timedelta(days=365),
    )
    hiring = move(hiring, people.staff, "visa_notice", visa_notice_on=DAY - timedelta(days=35))
    hiring = move(hiring, people.staff, "arrive", entered_on=DAY - timedelta(days=3))
    note = Notification.objects.get(verb="visitors.expert_arrived", recipient=people.staff)
    assert "voids the visa" in note.body
    assert (DAY - timedelta(days=3) + timedelta(days=30)).isoformat() in note.subject
    assert Notification.objects.filter(verb="visitors.expert_arrived", recipient=people.coordinator).exists()
    with pytest.raises(
        TransitionError, match=r"The residence permit cannot be issued before the entry date \("
    ):
        move(
            hiring,
            people.staff,
            "residence_permit",
            residence_permit_on=DAY - timedelta(days=4),
            residence_permit_expires_on=DAY + timedelta(days=300),
        )


def test_the_whole_way_to_employment_changes_renewal_and_departure(org, people):
    hiring = employed(org, people)
    assert hiring.state == ExpertState.EMPLOYED
    with pytest.raises(TransitionError, match="Report the change on this page first"):
        move(hiring, people.staff, "file_change")
    with evaluation_date(DAY):
        change = services.expert_change_report(
            hiring=hiring,
            actor=people.staff,
            kind=ExpertChangeKind.ADDRESS,
            description="Moved to the campus flat",
            happened_on=DAY - timedelta(days=1),
        )
    hiring = move(hiring, people.staff, "file_change")
    change.refresh_from_db()
    assert hiring.state == ExpertState.CHANGE_FILED and change.reported_on == DAY
    hiring = move(hiring, people.coordinator, "accept_change")
    assert hiring.state == ExpertState.EMPLOYED
    hiring = move(hiring, people.staff, "start_renewal")
    with pytest.raises(TransitionError, match="new end dates"):
        move(hiring, people.staff, "complete_renewal", contract_ends_on=DAY + timedelta(days=20))
    hiring.refresh_from_db()
    hiring = move(
        hiring,
        people.staff,
        "complete_renewal",
        contract_ends_on=DAY + timedelta(days=800),
        permit_expires_on=DAY + timedelta(days=700),
    )
    assert hiring.state == ExpertState.EMPLOYED and hiring.permit_ends_on() == DAY + timedelta(days=700)
    with pytest.raises(TransitionError, match="needs left"):
        move(hiring, people.staff, "leave")
    hiring = move(hiring, people.staff, "leave", left_on=DAY)
    assert hiring.state == ExpertState.LEFT


def test_cancel_needs_a_reason_and_is_only_possible_before_arrival(org, people):
    hiring = candidate(org, people)
    with pytest.raises(ValidationError):
        move(hiring, people.coordinator, "cancel")
    with evaluation_date(DAY):
        hiring = services.expert_move(
            hiring=hiring, actor=people.coordinator, move="cancel", comment="Declined."
        )
    assert hiring.state == ExpertState.CANCELLED
    arrived = employed(org, people)
    with pytest.raises(TransitionError):
        move(arrived, people.coordinator, "cancel")


@pytest.mark.parametrize("who", ["other_coordinator", "student", "leadership", "outsider"])
def test_people_outside_the_case_cannot_move_it(org, people, who):
    hiring = hiring_for(org, people)
    with pytest.raises(PermissionDeniedError):
        move(hiring, getattr(people, who), "choose_candidate")


def test_changes_are_reported_only_while_in_china(org, people):
    hiring = qualified(org, people)
    with pytest.raises(TransitionError):
        services.expert_change_report(
            hiring=hiring, actor=people.staff, kind="address", description="x", happened_on=DAY
        )
