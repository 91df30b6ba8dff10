"""Agreements on the workflow engine: the declaration, and review through a configured approval chain."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, org_unit_create, user_create
from meridian.agreements import casework, selectors, services
from meridian.agreements.casework import AGREEMENT, english_only
from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.workflow.choices import ApprovalState, TaskState
from meridian.workflow.models import CaseApproval
from meridian.workflow.registry import case_types
from meridian.workflow.selectors import approval_for, tasks_for
from meridian.workflow.services import (
    chain_create,
    chain_version_publish,
    deputy_create,
    step_approve,
    step_return,
    unit_function_set,
    unit_post_add,
)

TODAY = datetime.date.today()

STEPS = [
    {"order": 1, "label": "Dean", "assignee_kind": "unit_leader"},
    {"order": 2, "label": "International Office", "assignee_kind": "international_office"},
    {
        "order": 3,
        "label": "Legal office",
        "assignee_kind": "function",
        "function": "legal",
        "conditions": [{"field": "english_only", "op": "==", "value": "true"}],
    },
    {"order": 4, "label": "University leader", "assignee_kind": "university_leader"},
]


class TestDeclaration:
    def test_registered_with_every_state_reachable(self):
        assert case_types.get("agreement") is AGREEMENT
        assert AGREEMENT.reachable_states() == AGREEMENT.state_codes

    def test_can_move_methods_come_from_the_declaration(self, people, make_agreement):
        agreement = make_agreement(state="draft")
        assert agreement.can_submit(people.coordinator)
        assert not agreement.can_submit(people.staff)
        assert not agreement.can_approve(people.officer)  # wrong state

    def test_a_hand_written_can_method_is_refused(self):
        from meridian.agreements.models import Agreement

        case_types.unregister("agreement")
        try:
            Agreement.can_submit = lambda self, user: True
            with pytest.raises(ImproperlyConfigured, match="defined by hand"):
                case_types.register(AGREEMENT)
        finally:
            del Agreement.can_submit
            case_types.register(AGREEMENT)

    @pytest.mark.parametrize(
        ("languages", "expected"), [("en", True), ("EN", True), ("en, zh", False), ("", False), ("de", False)]
    )
    def test_english_only(self, make_agreement, languages, expected):
        assert english_only(make_agreement(languages=languages)) is expected


class TestGuardsExplainUnavailableMoves:
    def test_activate_without_start_date_is_offered_only_with_the_reason(self, people, make_agreement):
        agreement = make_agreement(state="approved", start_date=None, number="2026-SE-0101")
        moves = {m.name: m for m in selectors.agreement_moves(user=people.officer, agreement=agreement)}
        assert not moves["activate"].available
        assert moves["activate"].reasons == [
            "Agreement 2026-SE-0101 needs a start date before it can be activated."
        ]
        assert moves["terminate"].available
        assert not agreement.can_activate(people.officer)

    def test_the_start_date_can_come_with_the_move(self, people, make_agreement):
        agreement = make_agreement(state="approved", start_date=None)
        moved = services.agreement_activate(
            agreement=agreement, actor=people.officer, start_date=datetime.date(2026, 9, 1)
        )
        assert (moved.state, moved.start_date) == ("active", datetime.date(2026, 9, 1))
        assert moved.transitions.get().comment == "In force from 2026-09-01."

    def test_expiry_follows_the_evaluation_date(self, people, make_agreement):
        agreement = make_agreement(state="active", end_date=datetime.date(2030, 1, 1))
        with casework.evaluation_date(datetime.date(2030, 1, 2)):
            assert agreement.can_expire(people.officer)
        assert not agreement.can_expire(people.officer)
        moved = services.agreement_expire(
            agreement=agreement, actor=None, today=datetime.date(2030, 1, 2), comment="Ended"
        )
        assert moved.state == "expired"

    def test_submitting_needs_a_partner(self, people, make_agreement):
        agreement = make_agreement(partners=[])
        with pytest.raises(TransitionError, match="Add at least one partner"):
            services.agreement_submit(agreement=agreement, actor=people.coordinator)


@pytest.fixture
def review(org, people):
    """A dean for engineering, a legal office with one lawyer, the chain above for every unit."""
    dean = user_create(username="dean", email="dean@meridian.example")
    membership_grant(user=dean, unit=org.engineering, role=Role.STAFF)
    unit_post_add(actor=None, unit=org.engineering, user=dean, post="leader")
    legal_unit = org_unit_create(kind="office", code="legal", name_en="Legal Office", parent=org.university)
    lawyer = user_create(username="lawyer", email="lawyer@meridian.example")
    membership_grant(user=lawyer, unit=legal_unit, role=Role.STAFF)
    unit_function_set(actor=None, code="legal", unit=legal_unit)
    chain = chain_create(actor=people.admin, case_type="agreement", name="Agreement review", steps=STEPS)
    return {"dean": dean, "lawyer": lawyer, "chain": chain}


def _open(agreement) -> list:
    approval = approval_for(case=agreement)
    return [t for t in approval.tasks.all() if t.state == TaskState.OPEN]


class TestReviewChain:
    def test_each_step_approves_in_turn_and_the_last_approves_the_agreement(
        self, people, make_agreement, review
    ):
        agreement = make_agreement(languages="en")
        services.agreement_submit(agreement=agreement, actor=people.coordinator, comment="Ready")
        deciders = [review["dean"], people.officer, review["lawyer"], people.leadership]
        for step, decider in zip(
            ["Dean", "International Office", "Legal office", "University leader"], deciders
        ):
            agreement.refresh_from_db()
            assert agreement.state == "under_review"
            (task,) = _open(agreement)
            assert task.label == step
            assert decider in task.assignees.all()
            assert list(tasks_for(user=decider)) == [task]
            step_approve(task=task, actor=decider, comment=f"{step} agrees")
        agreement.refresh_from_db()
        assert agreement.state == "approved"
        log = list(
            agreement.transitions.order_by("at", "id").values_list("action", "actor__username", "comment")
        )
        assert log == [
            ("submit", "coordinator", "Ready"),
            ("step_approve", "dean", "Dean agrees"),
            ("step_approve", "officer", "International Office agrees"),
            ("step_approve", "lawyer", "Legal office agrees"),
            ("step_approve", "leader", "University leader agrees"),
            ("approve", "leader", "University leader agrees"),
        ]

    def test_legal_office_is_skipped_for_bilingual_texts(self, people, make_agreement, review):
        agreement = make_agreement(languages="en, zh")
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        approval = approval_for(case=agreement)
        states = {t.label: t.state for t in approval.tasks.all()}
        assert states["Legal office"] == TaskState.SKIPPED

    def test_officer_cannot_approve_by_hand_while_the_chain_runs(self, people, make_agreement, review):
        agreement = make_agreement()
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        agreement.refresh_from_db()
        approve = next(
            m
            for m in selectors.agreement_moves(user=people.officer, agreement=agreement)
            if m.name == "approve"
        )
        assert not approve.available and "Waiting for the approval steps: Dean." in approve.reasons
        with pytest.raises(TransitionError, match="Waiting for the approval steps"):
            services.agreement_approve(agreement=agreement, actor=people.officer)

    def test_only_the_assignee_decides_a_step(self, people, make_agreement, review):
        agreement = make_agreement()
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        (task,) = _open(agreement)
        with pytest.raises(PermissionDeniedError):
            step_approve(task=task, actor=people.coordinator)

    def test_return_resubmit_and_the_chain_version_is_kept(self, people, make_agreement, review):
        agreement = make_agreement()
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        step_approve(task=_open(agreement)[0], actor=review["dean"])
        step_return(
            task=_open(agreement)[0],
            actor=people.officer,
            comment="Name the partner's coordinator",
            field_comments={"description": "Too short"},
        )
        agreement.refresh_from_db()
        assert agreement.state == "draft"
        returned = agreement.transitions.filter(action="return").get()
        assert (returned.actor, returned.comment) == (people.officer, "Name the partner's coordinator")
        # The coordinator corrects the draft (allowed again) and resubmits after the chain changed.
        services.agreement_update(
            agreement=agreement, actor=people.coordinator, description="Ten students a year"
        )
        chain_version_publish(chain=review["chain"], actor=people.admin, steps=STEPS[:1], note="Dean only")
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        runs = list(CaseApproval.objects.filter(object_id=agreement.pk).order_by("round"))
        assert [(r.round, r.state) for r in runs] == [(1, ApprovalState.RETURNED), (2, ApprovalState.RUNNING)]
        assert runs[1].chain_version == runs[0].chain_version
        assert [t.label for t in runs[1].tasks.all()] == [s["label"] for s in STEPS]

    def test_a_deputy_decides_on_behalf_of_the_dean(self, people, make_agreement, review):
        deputy = user_create(username="deputy", email="deputy@meridian.example")
        membership_grant(user=deputy, unit=review["dean"].memberships.get().unit, role=Role.STAFF)
        deputy_create(
            actor=review["dean"],
            principal=review["dean"],
            deputy=deputy,
            starts_on=TODAY - datetime.timedelta(days=1),
            ends_on=TODAY + datetime.timedelta(days=1),
        )
        agreement = make_agreement()
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        step_approve(task=_open(agreement)[0], actor=deputy, comment="For the dean")
        entry = agreement.transitions.get(action="step_approve")
        assert (entry.actor, entry.on_behalf_of) == (deputy, review["dean"])

    def test_submission_is_refused_when_nobody_can_decide_a_step(self, people, make_agreement, review):
        from meridian.workflow.models import UnitFunction

        UnitFunction.objects.all().delete()
        agreement = make_agreement(languages="en")
        with pytest.raises(DomainError, match="Nobody can decide"):
            services.agreement_submit(agreement=agreement, actor=people.coordinator)
        agreement.refresh_from_db()
        assert agreement.state == "draft" and not agreement.transitions.exists()

    def test_returning_by_hand_is_refused_while_the_chain_runs(self, people, make_agreement, review):
        agreement = make_agreement()
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        # Without the chain an officer could return it; while it runs, returning belongs to the steps.
        with pytest.raises(TransitionError):
            services.agreement_return(agreement=agreement, actor=people.officer)
        assert approval_for(case=agreement).state == ApprovalState.RUNNING


def test_an_approver_from_another_unit_may_read_what_they_decide(client, people, make_agreement, review):
    agreement = make_agreement(languages="en")
    lawyer = review["lawyer"]
    client.force_login(lawyer)
    url = f"/agreements/{agreement.pk}/"
    assert client.get(url).status_code == 404
    services.agreement_submit(agreement=agreement, actor=people.coordinator)
    step_approve(task=_open(agreement)[0], actor=review["dean"])
    step_approve(task=_open(agreement)[0], actor=people.officer)
    (task,) = _open(agreement)
    assert lawyer in task.assignees.all()
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-step-action="approve"' in page.content.decode()
    # They read it, and change nothing else.
    assert not selectors.agreement_moves(user=lawyer, agreement=agreement)
    assert client.get(f"/agreements/{make_agreement().pk}/").status_code == 404


def test_my_cases_lists_the_agreements_i_created(people, make_agreement):
    mine = make_agreement(created_by=people.coordinator)
    make_agreement(created_by=people.officer)
    from meridian.agreements.models import Agreement

    assert list(AGREEMENT.cases_of(people.coordinator, Agreement.objects.all())) == [mine]


def test_recording_a_past_decision_opens_no_chain(people, make_agreement, review):
    """Spreadsheet imports record agreements decided before: no review round starts, nobody is asked."""
    agreement = make_agreement(languages="en")
    for action in ("submit", "approve", "activate"):
        agreement = services.agreement_transition(
            agreement=agreement, actor=people.officer, action=action, comment="Imported", review=False
        )
    assert agreement.state == "active"
    assert approval_for(case=agreement) is None
    assert not tasks_for(user=review["dean"]).exists()


def test_deciding_a_step_through_the_api_answers_with_the_agreement_page(people, make_agreement, review):
    from rest_framework.test import APIClient

    agreement = make_agreement(languages="en")
    services.agreement_submit(agreement=agreement, actor=people.coordinator)
    (task,) = _open(agreement)
    api = APIClient()
    api.force_authenticate(review["dean"])
    answer = api.post(f"/api/v1/workflow/tasks/{task.pk}/approve/", {"comment": "fine"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["case_url"].endswith(f"/agreements/{agreement.pk}/")
