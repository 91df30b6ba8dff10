"""The visit lifecycle on the workflow engine (``casework.VISIT_TYPE``), moved through ``case_move``: the
submit guards, return, approval, rejection, cancellation, and closing only with the visit note."""

from __future__ import annotations

import datetime

import pytest

from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.visitors import casework
from meridian.visitors.casework import VISIT_TYPE
from meridian.visitors.choices import InvitationKind, VisitState
from meridian.visitors.models import ProgrammeItem, Visit, VisitBudgetLine
from meridian.visitors.services import visits as services
from meridian.visitors.tests.factories import make_visit
from meridian.workflow.models import TransitionLog
from meridian.workflow.registry import case_types
from meridian.workflow.services import case_move


@pytest.fixture
def rules_pass(monkeypatch):
    """The rule pack lets the visit through (its own rules are tested in test_rules.py)."""
    from meridian.visitors import rules

    monkeypatch.setattr(rules, "blocking_messages", lambda visit: [])


def _visit(org, people, **fields) -> Visit:
    return make_visit(host_unit=org.computing, host=people.staff, **fields)


def _reasons(visit: Visit, user, move: str = "submit") -> str:
    with pytest.raises(TransitionError) as exc:
        case_move(case=visit, actor=user, move=move)
    return exc.value.message


def test_the_case_type_is_registered_with_every_state_reachable():
    assert case_types.get("visit") is VISIT_TYPE
    assert VISIT_TYPE.reachable_states() == VISIT_TYPE.state_codes


class TestSubmit:
    def test_submit_needs_guests_programme_and_budget(self, org, people, rules_pass):
        visit = _visit(org, people, guests=0)
        ProgrammeItem.objects.filter(visit=visit).delete()
        VisitBudgetLine.objects.filter(visit=visit).delete()
        reasons = _reasons(visit, people.staff)
        assert "Add the guests." in reasons
        assert "Add the day-by-day programme." in reasons
        assert "Add the budget." in reasons
        assert Visit.objects.get(pk=visit.pk).state == VisitState.DRAFT

    def test_a_delegation_needs_one_head(self, org, people, rules_pass):
        visit = _visit(org, people, guests=3)
        visit.guests.update(is_head=False)
        assert "exactly one head" in _reasons(visit, people.staff)

    def test_no_approval_once_the_visit_has_begun(self, org, people, rules_pass):
        today = datetime.date.today()
        yesterday = today - datetime.timedelta(days=1)
        visit = _visit(org, people, arrive_on=yesterday, depart_on=today + datetime.timedelta(days=2))
        assert "approval after the guests have arrived is not possible" in _reasons(visit, people.staff)

    def test_a_visit_beginning_today_may_still_be_submitted(self, org, people, rules_pass):
        today = datetime.date.today()
        visit = _visit(org, people, arrive_on=today, depart_on=today + datetime.timedelta(days=2))
        case_move(case=visit, actor=people.staff, move="submit")
        assert Visit.objects.get(pk=visit.pk).state == "under_review"

    def test_a_blocking_rule_stops_submission_with_its_message(self, org, people, monkeypatch):
        from meridian.visitors import rules

        monkeypatch.setattr(rules, "blocking_messages", lambda visit: ["File the visit a month ahead."])
        visit = _visit(org, people)
        assert "File the visit a month ahead." in _reasons(visit, people.staff)

    def test_host_submits_and_the_rule_check_is_stored(self, org, people, rules_pass):
        visit = _visit(org, people)
        moved = services.visit_move(visit=visit, actor=people.staff, move="submit")
        assert moved.state == VisitState.UNDER_REVIEW
        assert Visit.objects.get(pk=visit.pk).rules_checked_at is not None
        assert TransitionLog.objects.filter(object_id=visit.pk, action="submit").exists()

    def test_others_may_not_submit(self, org, people, rules_pass):
        visit = _visit(org, people)
        with pytest.raises(PermissionDeniedError):
            case_move(case=visit, actor=people.other_coordinator, move="submit")


class TestDecisions:
    @pytest.fixture
    def submitted(self, org, people, rules_pass):
        visit = _visit(org, people)
        return case_move(case=visit, actor=people.coordinator, move="submit")

    def test_office_approves_and_host_may_not(self, submitted, people):
        with pytest.raises(PermissionDeniedError):
            case_move(case=submitted, actor=people.staff, move="approve")
        assert case_move(case=submitted, actor=people.officer, move="approve").state == VisitState.APPROVED

    def test_return_needs_a_comment_and_reopens_the_draft(self, submitted, people):
        with pytest.raises(Exception, match="(?i)comment"):
            case_move(case=submitted, actor=people.officer, move="return")
        returned = case_move(case=submitted, actor=people.officer, move="return", comment="Add the dean.")
        assert returned.state == VisitState.DRAFT
        services.visit_update(visit=returned, actor=people.staff, reception_leader="Dean Li")

    def test_reject(self, submitted, people):
        rejected = case_move(case=submitted, actor=people.officer, move="reject", comment="Not now.")
        assert rejected.state == VisitState.REJECTED

    def test_cancel_by_the_host_with_a_reason(self, submitted, people):
        cancelled = case_move(case=submitted, actor=people.staff, move="cancel", comment="Flights cancelled.")
        assert cancelled.state == VisitState.CANCELLED

    def test_an_invitation_move_needs_a_visit_that_asks_for_one(self, submitted, people):
        approved = case_move(case=submitted, actor=people.officer, move="approve")
        assert "needs no visa invitation" in _reasons(approved, people.officer, "issue_invitation")


class TestArrivalAndClose:
    def test_a_visit_without_invitation_arrives_after_approval(self, org, people, rules_pass):
        pytest.importorskip("meridian.visitors.services.arrivals")
        visit = _visit(org, people, state=VisitState.APPROVED, invitation_kind=InvitationKind.NONE)
        assert "expected on" in _reasons(visit, people.staff, "arrive")
        with casework.evaluation_date(visit.arrive_on):
            arrived = case_move(case=visit, actor=people.staff, move="arrive")
        assert arrived.state == VisitState.ARRIVED

    def test_a_visit_with_invitation_waits_for_the_visas(self, org, people):
        visit = _visit(org, people, state=VisitState.APPROVED, invitation_kind=InvitationKind.LETTER)
        with casework.evaluation_date(visit.arrive_on):
            assert "Issue the invitation" in _reasons(visit, people.staff, "arrive")

    def test_close_needs_the_visit_note(self, org, people):
        visit = _visit(org, people, state=VisitState.HOSTED)
        assert "visit note" in _reasons(visit, people.staff, "close")
        services.visit_note_submit(visit=visit, actor=people.staff, outcomes="A joint lab agreed.")
        closed = case_move(case=Visit.objects.get(pk=visit.pk), actor=people.staff, move="close")
        assert closed.state == VisitState.CLOSED


class TestCloseNeedsTheRegistrations:
    """``close`` needs every guest's accommodation registration with the police recorded or waived
    (``casework._registrations_done``)."""

    OPEN_MESSAGE = "accommodation registration with the police is still open"

    @pytest.fixture
    def hosted(self, org, people):
        visit = _visit(org, people, state=VisitState.HOSTED)
        services.visit_note_submit(visit=visit, actor=people.staff, outcomes="A joint lab agreed.")
        return Visit.objects.get(pk=visit.pk)

    @pytest.fixture
    def registration(self, hosted):
        from meridian.visitors.tests.factories_arrivals import open_registration

        return open_registration(hosted.guests.get(), hours_ago=30, due_in=-6)

    def test_refused_with_the_message_while_a_registration_is_open(self, hosted, registration, people):
        assert self.OPEN_MESSAGE in _reasons(hosted, people.staff, "close")
        assert Visit.objects.get(pk=hosted.pk).state == VisitState.HOSTED

    def test_allowed_once_the_registration_is_recorded(self, hosted, registration, people):
        from django.utils import timezone

        from meridian.visitors.services.arrivals import registration_mark_done

        registration_mark_done(
            registration=registration,
            registered_at=timezone.now() - datetime.timedelta(hours=20),
            actor=people.staff,
        )
        assert case_move(case=hosted, actor=people.staff, move="close").state == VisitState.CLOSED

    def test_allowed_once_the_registration_is_waived(self, hosted, registration, people):
        from meridian.visitors.services.arrivals import registration_waive

        registration_waive(
            registration=registration, reason="The guest left the same day.", actor=people.coordinator
        )
        assert case_move(case=hosted, actor=people.staff, move="close").state == VisitState.CLOSED

    def test_a_hotel_registration_does_not_hold_the_visit(self, hosted, registration, people):
        registration.state = "by_hotel"
        registration.save(update_fields=["state"])
        assert case_move(case=hosted, actor=people.staff, move="close").state == VisitState.CLOSED
