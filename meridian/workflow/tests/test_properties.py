"""Property: whatever people try in whatever order, a case only ever takes declared moves, every move is
logged, and every refusal says why."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from meridian.core.errors import DomainError
from meridian.workflow import services
from meridian.workflow.choices import AssigneeKind, TaskState
from meridian.workflow.models import CaseApproval, StepTask, TransitionLog
from meridian.workflow.testing import ROLES, role_users
from meridian.workflow.tests import casetype

MOVES = [t.name for t in casetype.TRIP.transitions]
STEP_ACTIONS = ["step_approve", "step_return", "step_reject", "step_delegate"]

# Every role and every action can be drawn; the people and actions that move a trip along are drawn more often
# so that sequences regularly get through review to the later states.
attempt = st.tuples(
    st.sampled_from([*ROLES, "assignee", "assignee", "assignee", "assignee", "staff", "officer"]),
    st.sampled_from([*MOVES, *STEP_ACTIONS, "submit", "submit", *["step_approve"] * 5, "activate"]),
    st.sampled_from(["", "Because."]),
    st.sampled_from([None, "2026-05-01"]),
)


def _open_task(case):
    return (
        StepTask.objects.filter(
            approval__object_id=case.pk, approval__case_type=casetype.CODE, state=TaskState.OPEN
        )
        .order_by("id")
        .first()
    )


def _try(case, user, op: str, comment: str, date: str | None, delegate_to):
    if op in STEP_ACTIONS:
        task = _open_task(case)
        if task is None:
            return "no open step"
        if op == "step_approve":
            services.step_approve(task=task, actor=user, comment=comment)
        elif op == "step_return":
            services.step_return(task=task, actor=user, comment=comment)
        elif op == "step_reject":
            services.step_reject(task=task, actor=user, comment=comment)
        else:
            services.step_delegate(task=task, actor=user, to_user=delegate_to)
        return None
    data = {"eche_start": date} if op == "activate" and date else {}
    services.case_move(case=case, actor=user, move=op, comment=comment, data=data)
    return None


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(
    attempts=[
        ("student", "submit", "", None),
        ("staff", "submit", "", None),
        ("officer", "approve", "", None),
        ("assignee", "step_approve", "", None),
        ("assignee", "step_approve", "", None),
        ("assignee", "step_return", "", None),
        ("assignee", "step_return", "Shorter.", None),
        ("staff", "submit", "", None),
        ("assignee", "step_approve", "", None),
        ("assignee", "step_approve", "", None),
        ("assignee", "step_approve", "", None),
        ("officer", "activate", "", None),
        ("officer", "activate", "", "2026-05-01"),
        ("officer", "expire", "", None),
        ("officer", "close", "", None),
    ],
    with_document=True,
)
@given(attempts=st.lists(attempt, min_size=1, max_size=20), with_document=st.booleans())
def test_random_moves_by_random_roles_respect_the_declaration(
    org, people, trip_type, attempts, with_document
):
    users = role_users(org, people, partner_contact=_partner_contact(org))
    if not _chain_exists():
        services.chain_create(
            actor=people.admin,
            case_type=casetype.CODE,
            name="Random",
            steps=[
                {"order": 1, "label": "Unit", "assignee_kind": AssigneeKind.UNIT_COORDINATOR},
                {"order": 2, "label": "Office", "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE},
                {"order": 2, "label": "Leader", "assignee_kind": AssigneeKind.UNIVERSITY_LEADER},
            ],
        )
    case = casetype.make_trip(unit=org.computing, applicant=users["staff"])
    if with_document:
        casetype.SETUP.documents.add(case.pk)
    declared = {(t.name, s, t.target) for t in casetype.TRIP.transitions for s in t.sources}
    allowed_states = casetype.TRIP.reachable_states()
    for role, op, comment, date in attempts:
        case.refresh_from_db()
        before_state = case.status
        before_log = TransitionLog.objects.filter(object_id=case.pk, case_type=casetype.CODE).count()
        user = users.get(role)
        if role == "assignee":
            # "Whoever the open step waits for" — so that random walks also get through review.
            task = _open_task(case)
            user = task.assignees.order_by("pk").first() if task else users["officer"]
        try:
            skipped = _try(case, user, op, comment, date, users["coordinator"])
        except (DomainError, ValidationError) as exc:
            text = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
            assert text.strip(), f"{role} {op}: refused without a reason"
            case.refresh_from_db()
            assert case.status == before_state, "a refused move changed the state"
            after = TransitionLog.objects.filter(object_id=case.pk, case_type=casetype.CODE).count()
            assert after == before_log, "a refused move left a log entry"
            continue
        if skipped:
            continue
        case.refresh_from_db()
        assert case.status in allowed_states
        after = TransitionLog.objects.filter(object_id=case.pk, case_type=casetype.CODE).count()
        assert after > before_log, f"{role} {op} succeeded without a log entry"
    # Every logged move is a declared transition; a state change only ever happens through a logged move.
    entries = list(
        TransitionLog.objects.filter(object_id=case.pk, case_type=casetype.CODE).order_by("at", "id")
    )
    state = "draft"
    for entry in entries:
        assert entry.from_state == state
        if entry.step_task_id is None:
            assert (entry.action, entry.from_state, entry.to_state) in declared
        else:
            assert entry.from_state == entry.to_state
        state = entry.to_state
    case.refresh_from_db()
    assert case.status == state
    # A running approval exists only while the case is in review.
    running = CaseApproval.objects.filter(
        object_id=case.pk, case_type=casetype.CODE, state="running"
    ).exists()
    assert running == (case.status == "review" and _chain_exists())


def _chain_exists() -> bool:
    from meridian.workflow.models import ApprovalChain

    return ApprovalChain.objects.filter(case_type=casetype.CODE).exists()


def _partner_contact(org):
    from meridian.accounts.models import User
    from meridian.workflow.testing import partner_contact_user

    return User.objects.filter(username="partner-contact").first() or partner_contact_user(org)
