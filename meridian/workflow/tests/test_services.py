"""The engine's moves, approval runs and step actions, on the throw-away trip case type."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.core.models import Notification
from meridian.workflow import services
from meridian.workflow.choices import ApprovalState, AssigneeKind, PostKind, TaskState, UnitFunctionCode
from meridian.workflow.declaration import CaseType, Transition
from meridian.workflow.models import ApprovalChain, CaseApproval, StepTask, TransitionLog, UnitPost
from meridian.workflow.registry import case_types
from meridian.workflow.selectors import history_for, tasks_for
from meridian.workflow.tests import casetype

PDF = b"%PDF-1.4\n%test\n"


def _chain(admin, steps, unit=None, name="Trips"):
    return services.chain_create(actor=admin, case_type=casetype.CODE, name=name, steps=steps, unit=unit)


def _steps(*kinds, **extra):
    return [
        {"order": i + 1, "label": f"Step {i + 1}", "assignee_kind": k, **extra} for i, k in enumerate(kinds)
    ]


# --- declaration and registry -----------------------------------------------------------------------------


def test_can_methods_are_installed_from_the_declaration(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    assert trip.can_submit(people.staff) is True
    assert trip.can_submit(people.student) is False
    assert trip.can_activate(people.officer) is False  # wrong state


def test_registry_refuses_undeclared_states_and_hand_written_can_methods():
    with pytest.raises(ImproperlyConfigured, match="undeclared state"):
        CaseType(
            code="x",
            model="reference.Country",
            label="x",
            states=[("a", "A")],
            initial="a",
            transitions=[Transition(name="go", label="Go", sources={"a"}, target="b")],
        )
    with pytest.raises(ImproperlyConfigured, match="defined by hand"):
        from meridian.reference.models import Country

        setattr(Country, "can_go", lambda self, user: True)  # noqa: B010 - a hand-written can_ method
        try:
            case_types.register(
                CaseType(
                    code="country",
                    model=Country,
                    label="x",
                    states=[("a", "A")],
                    initial="a",
                    state_field="name_en",
                    transitions=[Transition(name="go", label="Go", sources={"a"}, target="a")],
                )
            )
        finally:
            delattr(Country, "can_go")  # noqa: B043


def test_moves_for_lists_available_moves_and_explains_the_others(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    trip.status = "approved"
    trip.save()
    moves = {m.name: m for m in services.moves_for(case=trip, user=people.officer)}
    assert set(moves) == {"activate"}
    assert moves["activate"].available is False
    assert "Activate needs ECHE start." in moves["activate"].reasons
    assert "Activate needs a signed copy." in moves["activate"].reasons
    # A student sees no move at all: none is theirs to take.
    assert services.moves_for(case=trip, user=people.student) == []


# --- moves -------------------------------------------------------------------------------------------------


def test_move_sets_state_logs_runs_effects_and_notifies(
    org, people, make_trip, django_capture_on_commit_callbacks
):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    services.watch_set(case=trip, user=people.leadership, watching=True)
    with django_capture_on_commit_callbacks(execute=True):
        trip = services.case_move(case=trip, actor=people.officer, move="submit", comment="Please look")
    assert trip.status == "review"
    entry = history_for(case=trip).get()
    assert (entry.action, entry.from_state, entry.to_state, entry.actor) == (
        "submit",
        "draft",
        "review",
        people.officer,
    )
    assert casetype.SETUP.effects == [("submit", "draft", "review")]
    told = set(
        Notification.objects.filter(verb="workflow.submit").values_list("recipient__username", flat=True)
    )
    assert told == {"staff", "leader"}
    assert {m.to[0] for m in mail.outbox} == {"staff@meridian.example", "leader@meridian.example"}


def test_refused_moves_say_why_and_change_nothing(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    with pytest.raises(PermissionDeniedError, match="You may not submit"):
        services.case_move(case=trip, actor=people.student, move="submit")
    with pytest.raises(TransitionError, match="possible only when it is “Active”"):
        services.case_move(case=trip, actor=people.officer, move="close")
    with pytest.raises(TransitionError, match="not a move"):
        services.case_move(case=trip, actor=people.officer, move="fly")
    with pytest.raises(ValidationError):
        services.case_move(case=trip, actor=people.staff, move="withdraw", comment="  ")
    trip.refresh_from_db()
    assert trip.status == "draft"
    assert not TransitionLog.objects.exists()


def test_move_inputs_fill_required_fields_and_guards_block_with_reasons(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    trip.status = "approved"
    trip.save()
    with pytest.raises(TransitionError, match="Activate needs ECHE start. Activate needs a signed copy."):
        services.case_move(case=trip, actor=people.officer, move="activate")
    casetype.SETUP.documents.add(trip.pk)
    with pytest.raises(ValidationError):
        services.case_move(
            case=trip, actor=people.officer, move="activate", data={"eche_start": "not a date"}
        )
    with pytest.raises(ValidationError):
        services.case_move(case=trip, actor=people.officer, move="activate", data={"name": "x"})
    trip = services.case_move(
        case=trip, actor=people.officer, move="activate", data={"eche_start": "2026-03-01"}
    )
    assert trip.status == "active" and trip.eche_start == date(2026, 3, 1)


def test_system_only_move(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    trip.status = "active"
    trip.save()
    assert "expire" not in {m.name for m in services.moves_for(case=trip, user=people.admin)}
    with pytest.raises(PermissionDeniedError):
        services.case_move(case=trip, actor=people.admin, move="expire")
    assert services.case_move(case=trip, actor=None, move="expire").status == "closed"


def test_files_are_attached_checked_and_bad_files_keep_nothing(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    bad = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    with pytest.raises(DomainError, match="not a PDF"):
        services.case_move(case=trip, actor=people.staff, move="submit", files=[bad])
    trip.refresh_from_db()
    assert trip.status == "draft" and not TransitionLog.objects.exists()
    good = SimpleUploadedFile("../../plan.pdf", PDF, content_type="application/pdf")
    services.case_move(case=trip, actor=people.staff, move="submit", files=[good])
    attached = history_for(case=trip).get().files.get()
    assert attached.original_name == "plan.pdf" and attached.content_type == "application/pdf"
    assert attached.file.read() == PDF


def test_acting_on_behalf_of_an_applicant(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.student)
    # The coordinator of engineering reaches computing and acts for the student.
    trip = services.case_move(
        case=trip, actor=people.coordinator, move="withdraw", comment="ill", on_behalf_of=people.student
    )
    entry = history_for(case=trip).get()
    assert entry.actor == people.coordinator and entry.on_behalf_of == people.student
    other = make_trip(unit=org.computing, applicant=people.student)
    with pytest.raises(PermissionDeniedError, match="coordinator or the foreign-affairs secretary"):
        services.case_move(
            case=other, actor=people.other_coordinator, move="submit", on_behalf_of=people.student
        )
    secretary = user_create(username="secretary", email="s@meridian.example", password="pw-secretary-1")
    membership_grant(user=secretary, unit=org.engineering, role=Role.STAFF)
    UnitPost.objects.create(unit=org.engineering, user=secretary, post=PostKind.SECRETARY)
    other = services.case_move(case=other, actor=secretary, move="submit", on_behalf_of=people.student)
    assert other.status == "review"


# --- approval chains --------------------------------------------------------------------------------------


def test_without_a_chain_review_moves_stay_manual(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    trip = services.case_move(case=trip, actor=people.staff, move="submit")
    assert not CaseApproval.objects.exists()
    assert trip.can_approve(people.officer)
    assert services.case_move(case=trip, actor=people.officer, move="approve").status == "approved"


def test_sequential_chain_runs_step_by_step_and_fires_approved(org, people, make_trip):
    _chain(
        people.admin,
        _steps(
            AssigneeKind.UNIT_COORDINATOR, AssigneeKind.INTERNATIONAL_OFFICE, AssigneeKind.UNIVERSITY_LEADER
        ),
    )
    trip = make_trip(unit=org.computing, applicant=people.staff)
    trip = services.case_move(case=trip, actor=people.staff, move="submit")
    first = StepTask.objects.get(state=TaskState.OPEN)
    assert list(first.assignees.all()) == [people.coordinator]
    assert list(tasks_for(user=people.coordinator)) == [first]
    assert not tasks_for(user=people.officer).exists()
    # While the chain runs the officer cannot approve by hand and is told why.
    option = next(m for m in services.moves_for(case=trip, user=people.officer) if m.name == "approve")
    assert option.available is False and option.reasons == ["Waiting for the approval steps: Step 1."]
    with pytest.raises(PermissionDeniedError):
        services.step_approve(task=first, actor=people.officer)
    services.step_approve(task=first, actor=people.coordinator, comment="fine")
    second = StepTask.objects.get(state=TaskState.OPEN)
    assert list(second.assignees.all()) == [people.officer]
    services.step_approve(task=second, actor=people.officer)
    third = StepTask.objects.get(state=TaskState.OPEN)
    assert list(third.assignees.all()) == [people.leadership]
    services.step_approve(task=third, actor=people.leadership)
    trip.refresh_from_db()
    assert trip.status == "approved"
    assert CaseApproval.objects.get().state == ApprovalState.APPROVED
    actions = [e.action for e in history_for(case=trip).order_by("at", "id")]
    assert actions == ["submit", "step_approve", "step_approve", "step_approve", "approve"]
    with pytest.raises(DomainError, match="already been decided"):
        services.step_approve(task=third, actor=people.leadership)


def test_recording_a_past_decision_opens_no_chain(org, people, make_trip):
    """Imports of past records take the review moves without starting the configured chain."""
    _chain(people.admin, _steps(AssigneeKind.UNIT_COORDINATOR, AssigneeKind.INTERNATIONAL_OFFICE))
    trip = make_trip(unit=org.computing, applicant=people.staff)
    trip = services.case_move(case=trip, actor=people.officer, move="submit", start_approval=False)
    assert not CaseApproval.objects.exists()
    trip = services.case_move(case=trip, actor=people.officer, move="approve", start_approval=False)
    assert trip.status == "approved"
    assert [e.action for e in history_for(case=trip).order_by("at", "id")] == ["submit", "approve"]


def test_parallel_group_waits_for_every_step(org, people, make_trip):
    steps = [
        {"order": 1, "label": "Office", "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE},
        {"order": 1, "label": "Leader", "assignee_kind": AssigneeKind.UNIVERSITY_LEADER},
    ]
    _chain(people.admin, steps)
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    office, leader = StepTask.objects.filter(state=TaskState.OPEN).order_by("id")
    services.step_approve(task=office, actor=people.officer)
    trip.refresh_from_db()
    assert trip.status == "review"
    services.step_approve(task=leader, actor=people.leadership)
    trip.refresh_from_db()
    assert trip.status == "approved"


def test_conditions_add_steps_only_when_they_hold(org, people, make_trip):
    steps = [
        {"order": 1, "label": "Office", "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE},
        {
            "order": 2,
            "label": "HR",
            "assignee_kind": AssigneeKind.FUNCTION,
            "function": UnitFunctionCode.HR,
            "conditions": "duration_days >= 30",
        },
        {
            "order": 3,
            "label": "Legal",
            "assignee_kind": AssigneeKind.PERSON,
            "person": people.admin,
            "conditions": 'languages == "en"',
        },
    ]
    _chain(people.admin, steps)
    short = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff, established=10, types="zh"),
        actor=people.staff,
        move="submit",
    )
    states = dict(StepTask.objects.filter(approval__object_id=short.pk).values_list("label", "state"))
    assert states == {"Office": TaskState.OPEN, "HR": TaskState.SKIPPED, "Legal": TaskState.SKIPPED}
    # A long trip needs HR; with no HR office assigned the submission is refused and nothing is kept.
    long = make_trip(unit=org.computing, applicant=people.staff, established=45, types="en")
    with pytest.raises(DomainError, match="Nobody can decide the approval step “HR”"):
        services.case_move(case=long, actor=people.staff, move="submit")
    long.refresh_from_db()
    assert long.status == "draft"
    services.unit_function_set(actor=people.admin, code=UnitFunctionCode.HR, unit=org.humanities)
    services.case_move(case=long, actor=people.staff, move="submit")
    hr = StepTask.objects.get(approval__object_id=long.pk, label="HR")
    assert list(hr.assignees.all()) == [people.other_coordinator]


def test_return_sends_back_for_correction_and_resubmission_keeps_the_chain_version(org, people, make_trip):
    chain = _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE))
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    with pytest.raises(ValidationError):
        services.step_return(task=task, actor=people.officer, comment="")
    services.step_return(
        task=task, actor=people.officer, comment="Fix it", field_comments={"duration_days": "Too long"}
    )
    trip.refresh_from_db()
    assert trip.status == "draft"
    log = history_for(case=trip)[0]
    assert (log.action, log.field_comments) == ("send_back", {"duration_days": "Too long"})
    # The administrator publishes version 2 with an extra step; the returned case keeps version 1.
    services.chain_version_publish(
        chain=chain,
        actor=people.admin,
        steps=_steps(AssigneeKind.INTERNATIONAL_OFFICE, AssigneeKind.UNIVERSITY_LEADER),
    )
    services.case_move(case=trip, actor=people.staff, move="submit")
    run = CaseApproval.objects.filter(object_id=trip.pk).order_by("-round")[0]
    assert (run.round, run.chain_version.number, run.tasks.count()) == (2, 1, 1)
    fresh = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    assert CaseApproval.objects.get(object_id=fresh.pk).chain_version.number == 2


def test_reject_ends_the_case(org, people, make_trip):
    _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE))
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    services.step_reject(task=task, actor=people.officer, comment="No budget")
    trip.refresh_from_db()
    assert trip.status == "rejected"


def test_most_specific_unit_chain_wins(org, people, make_trip):
    _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE), name="Everyone")
    _chain(people.admin, _steps(AssigneeKind.UNIT_COORDINATOR), unit=org.engineering, name="Engineering")
    services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    assert CaseApproval.objects.get().chain_version.chain.name == "Engineering"
    services.case_move(
        case=make_trip(unit=org.humanities, applicant=people.staff), actor=people.staff, move="submit"
    )
    assert CaseApproval.objects.order_by("-id")[0].chain_version.chain.name == "Everyone"


def test_unit_leader_post_and_deputy_acting_on_behalf(org, people, make_trip):
    dean = user_create(username="dean", email="dean@meridian.example", password="pw-dean-123")
    membership_grant(user=dean, unit=org.engineering, role=Role.STAFF)
    services.unit_post_add(actor=people.admin, unit=org.engineering, user=dean, post=PostKind.LEADER)
    _chain(people.admin, _steps(AssigneeKind.UNIT_LEADER))
    services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    assert list(task.assignees.all()) == [dean]
    today = date.today()
    with pytest.raises(PermissionDeniedError):
        services.deputy_create(
            actor=people.staff, principal=dean, deputy=people.coordinator, starts_on=today, ends_on=today
        )
    services.deputy_create(
        actor=dean,
        principal=dean,
        deputy=people.coordinator,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=3),
    )
    assert list(tasks_for(user=people.coordinator)) == [task]
    services.step_approve(task=task, actor=people.coordinator)
    task.refresh_from_db()
    assert (task.acted_by, task.on_behalf_of) == (people.coordinator, dean)
    entry = TransitionLog.objects.get(step_task=task)
    assert (entry.actor, entry.on_behalf_of) == (people.coordinator, dean)


def test_delegate_hands_the_step_to_another_member_of_staff(org, people, make_trip):
    _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE))
    services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    with pytest.raises(ValidationError):
        services.step_delegate(task=task, actor=people.officer, to_user=people.student)
    services.step_delegate(
        task=task, actor=people.officer, to_user=people.coordinator, comment="You know them"
    )
    assert list(task.assignees.all()) == [people.coordinator]
    assert not tasks_for(user=people.officer).exists()
    assert (
        TransitionLog.objects.filter(action="step_delegate")
        .get()
        .comment.startswith("Delegated to coordinator.")
    )


def test_withdrawing_during_review_cancels_the_run(org, people, make_trip):
    _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE))
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    services.case_move(case=trip, actor=people.staff, move="withdraw", comment="Not going")
    assert CaseApproval.objects.get().state == ApprovalState.CANCELLED
    assert StepTask.objects.get().state == TaskState.CANCELLED
    assert not tasks_for(user=people.officer).exists()


def test_chain_configuration_is_for_administrators_and_validated(org, people, trip_type):
    with pytest.raises(PermissionDeniedError):
        _chain(people.officer, _steps(AssigneeKind.INTERNATIONAL_OFFICE))
    with pytest.raises(ValidationError) as exc:
        _chain(
            people.admin,
            [
                {"label": "", "assignee_kind": "function"},
                {"label": "x", "assignee_kind": "person", "conditions": "budget_cny > lots"},
            ],
        )
    messages = exc.value.messages
    assert "Step 1: give the step a name." in messages
    assert "Step 1: choose the office that decides." in messages
    assert "Step 2: choose the person who decides." in messages
    assert any("“lots” is not a valid value for budget_cny" in m for m in messages)
    _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE))
    with pytest.raises(DomainError, match="exists already"):
        _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE))


def test_a_due_time_beyond_a_year_is_refused(org, people, trip_type):
    """99999999999 calendar days once overflowed at submission; the chain editor now refuses it."""
    with pytest.raises(ValidationError) as exc:
        _chain(
            people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE, due_amount=99999999999, due_unit="days")
        )
    assert exc.value.messages == ["Step 1: the due time must be a whole number from 1 to 365 (a year)."]
    with pytest.raises(ValidationError):
        _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE, due_amount=8761, due_unit="hours"))
    assert not ApprovalChain.objects.exists()
    _chain(people.admin, _steps(AssigneeKind.INTERNATIONAL_OFFICE, due_amount=8760, due_unit="hours"))


def test_step_due_time_in_hours_and_working_days(org, people, make_trip):
    _chain(
        people.admin,
        [
            {
                "order": 1,
                "label": "Office",
                "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE,
                "due_amount": 48,
                "due_unit": "hours",
            }
        ],
    )
    services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    assert task.due_at is not None and task.opened_at is not None
    assert task.due_at - task.opened_at == timedelta(hours=48)


def test_working_day_due_times_skip_the_national_day_holiday(db, settings):
    from zoneinfo import ZoneInfo

    from meridian.workflow.chains import due_at

    tz = ZoneInfo(settings.TIME_ZONE)
    opened = datetime(2025, 9, 30, 10, 0, tzinfo=tz)  # the day before the 1–8 October 2025 holiday
    due = due_at(opened=opened, amount=2, unit="working_days")
    # 1–8 October are holidays; 9 and 10 October are the first two working days.
    assert timezone.localtime(due).replace(tzinfo=None) == datetime(2025, 10, 10, 10, 0)
    assert due_at(opened=opened, amount=3, unit="days") == opened + timedelta(days=3)
    assert due_at(opened=opened, amount=None, unit="days") is None


def test_the_applicant_hears_of_each_approval(org, people, make_trip, django_capture_on_commit_callbacks):
    _chain(people.admin, _steps(AssigneeKind.UNIT_COORDINATOR, AssigneeKind.INTERNATIONAL_OFFICE))
    services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.step_approve(task=StepTask.objects.get(state=TaskState.OPEN), actor=people.coordinator)
    subjects = {(m.to[0], m.subject) for m in mail.outbox}
    assert any(
        to == "staff@meridian.example" and "“Step 1” approved by coordinator" in s for to, s in subjects
    )
    assert any(
        to == "officer@meridian.example" and s.startswith("Your decision is needed") for to, s in subjects
    )
