"""Inbox reads: whose tasks, which cases, restricted to what the reader may see."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from meridian.workflow import selectors, services
from meridian.workflow.choices import AssigneeKind, TaskState
from meridian.workflow.models import Deputy, StepTask
from meridian.workflow.tests import casetype


def _submit(org, people, make_trip, **fields):
    trip = make_trip(unit=org.computing, applicant=people.staff, **fields)
    return services.case_move(case=trip, actor=people.staff, move="submit")


def _office_chain(admin):
    services.chain_create(
        actor=admin,
        case_type=casetype.CODE,
        name="Office",
        steps=[{"order": 1, "label": "Office", "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE}],
    )


def test_a_deputy_sees_the_tasks_only_within_the_dates(org, people, make_trip):
    _office_chain(people.admin)
    _submit(org, people, make_trip)
    today = timezone.localdate()
    Deputy.objects.create(
        principal=people.officer,
        deputy=people.coordinator,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=5),
    )
    assert not selectors.tasks_for(user=people.coordinator).exists()
    Deputy.objects.update(starts_on=today - timedelta(days=5), ends_on=today - timedelta(days=1))
    assert not selectors.tasks_for(user=people.coordinator).exists()
    Deputy.objects.update(ends_on=today)
    assert selectors.open_task_count(user=people.coordinator) == 1


def test_decided_and_cancelled_steps_leave_the_inbox(org, people, make_trip):
    _office_chain(people.admin)
    trip = _submit(org, people, make_trip)
    assert selectors.open_task_count(user=people.officer) == 1
    services.step_approve(task=StepTask.objects.get(state=TaskState.OPEN), actor=people.officer)
    assert selectors.open_task_count(user=people.officer) == 0
    trip.refresh_from_db()
    assert trip.status == "approved"


def test_approvers_may_read_the_cases_they_decide(org, people, make_trip):
    _office_chain(people.admin)
    trip = _submit(org, people, make_trip)
    from meridian.reference.models import Institution

    assert list(selectors.assigned_case_ids(user=people.officer, model=Institution)) == [trip.pk]
    assert list(selectors.assigned_case_ids(user=people.student, model=Institution)) == []


def test_rows_show_only_cases_the_reader_may_see(org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff, name="Visible")
    services.watch_set(case=trip, user=people.coordinator, watching=True)
    assert [r.title for r in selectors.watched_rows(user=people.coordinator)] == [f"Trip {trip.pk}: Visible"]
    # The coordinator moves to another unit: the case disappears from their list, the watch stays harmless.
    people.coordinator.memberships.update(unit=org.humanities)
    from meridian.accounts.permissions import forget_standing

    forget_standing(people.coordinator)
    assert selectors.watched_rows(user=people.coordinator) == []


def test_my_cases_filter_by_state(org, people, make_trip):
    _submit(org, people, make_trip, name="Submitted")
    make_trip(unit=org.computing, applicant=people.staff, name="Draft")
    titles = {r.title.split(": ")[1] for r in selectors.my_case_rows(user=people.staff)}
    assert titles == {"Submitted", "Draft"}
    drafts = selectors.my_case_rows(user=people.staff, state="draft")
    assert [r.state_label for r in drafts] == ["Draft"]
    assert selectors.my_case_rows(user=people.student) == []
