"""The overdue-step reminder: sent once to the people a step waits for."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from meridian.core.models import Notification
from meridian.workflow import services
from meridian.workflow.choices import AssigneeKind, TaskState
from meridian.workflow.models import StepTask
from meridian.workflow.tasks import overdue_steps_remind
from meridian.workflow.tests import casetype


def test_overdue_steps_are_reminded_once(org, people, make_trip, django_capture_on_commit_callbacks):
    services.chain_create(
        actor=people.admin,
        case_type=casetype.CODE,
        name="c",
        steps=[
            {
                "order": 1,
                "label": "Office",
                "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE,
                "due_amount": 2,
                "due_unit": "days",
            }
        ],
    )
    services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    assert overdue_steps_remind.call() == 0
    mail.outbox.clear()
    later = (timezone.now() + timedelta(days=3)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_steps_remind.call(later) == 1
        assert overdue_steps_remind.call(later) == 0
    reminder = Notification.objects.get(verb="workflow.overdue")
    assert (
        reminder.recipient == people.officer
        and "Overdue" in reminder.subject
        and "Office" in reminder.subject
    )
    assert [m.to for m in mail.outbox] == [["officer@meridian.example"]]
    task.refresh_from_db()
    assert task.overdue_notified_at is not None
