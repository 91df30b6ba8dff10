"""The clock job: each reminder and escalation once, in ladder order, then missed; safe to run twice."""

from datetime import date, timedelta

import pytest
from django.core import mail

from meridian.clocks import calendar, services
from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.tasks import clocks_run_task
from meridian.clocks.tests.conftest import NOW


def run(capture, at):
    with capture(execute=True):
        return services.clocks_run(now=at)


def recipients() -> list[str]:
    return [m.to[0] for m in mail.outbox]


def test_the_ladder_reminds_the_person_then_the_unit_then_the_office(
    open_clock, django_capture_on_commit_callbacks
):
    clock = open_clock(due_in=timedelta(days=20))
    due = clock.due_at
    capture = django_capture_on_commit_callbacks
    assert run(capture, NOW).sent == 0
    assert run(capture, due - timedelta(days=10)).sent == 1
    assert recipients() == ["staff@meridian.example"]
    assert mail.outbox[0].subject == "Reminder: Filing deadline — Department of Computing"
    assert run(capture, due - timedelta(days=3)).sent == 1
    assert recipients()[1:] == ["coordinator@meridian.example"]  # the unit's coordinator
    assert mail.outbox[1].subject.startswith("Escalation: ")
    assert run(capture, due + timedelta(days=1)).sent == 1
    assert recipients()[2:] == ["officer@meridian.example"]  # then the International Office
    assert "was due at" in mail.outbox[2].body
    clock.refresh_from_db()
    assert clock.state == "open"  # two days' grace
    assert list(clock.events.values_list("kind", flat=True)) == ["reminder", "escalation", "escalation"]


def test_running_twice_sends_each_email_once(open_clock, django_capture_on_commit_callbacks):
    open_clock(due_in=timedelta(days=2))
    open_clock(due_in=timedelta(days=9), key="second")
    first = run(django_capture_on_commit_callbacks, NOW)
    second = run(django_capture_on_commit_callbacks, NOW)
    # First clock: the person and the unit (both steps due); second: the person.
    assert (first.sent, second.sent) == (3, 0)
    assert sorted(recipients()) == [
        "coordinator@meridian.example",
        "staff@meridian.example",
        "staff@meridian.example",
    ]


def test_a_late_run_sends_only_the_latest_step_for_each_audience(
    rule, open_clock, people, django_capture_on_commit_callbacks
):
    clock_rules.unregister(rule)
    clock_rules.register(
        ClockRule(
            code=rule,
            label="Test deadline",
            ladder=(
                Step(-30, "days", "responsible"),
                Step(-7, "days", "responsible"),
                Step(-1, "days", "unit"),
            ),
        )
    )
    clock = open_clock(due_in=timedelta(days=5))
    assert run(django_capture_on_commit_callbacks, NOW).sent == 1
    assert list(clock.events.values_list("kind", "step_key")) == [
        ("skipped", "-30days:responsible"),
        ("reminder", "-7days:responsible"),
    ]


def test_an_overdue_clock_is_marked_missed_after_its_grace(open_clock, django_capture_on_commit_callbacks):
    clock = open_clock(due_in=timedelta(days=1))
    result = run(django_capture_on_commit_callbacks, clock.due_at + timedelta(days=2))
    clock.refresh_from_db()
    assert clock.state == "missed"
    assert result.missed == 1
    # Every step still due went out before it was marked missed: person, unit, office.
    assert sorted(recipients()) == [
        "coordinator@meridian.example",
        "officer@meridian.example",
        "staff@meridian.example",
    ]
    mail.outbox.clear()
    again = run(django_capture_on_commit_callbacks, clock.due_at + timedelta(days=30))
    assert (again.sent, again.missed, mail.outbox) == (0, 0, [])


def test_closed_clocks_send_nothing(open_clock, people, django_capture_on_commit_callbacks):
    clock = open_clock(due_in=timedelta(days=1))
    services.obligation_waive(obligation=clock, actor=people.officer, reason="Cancelled trip")
    assert run(django_capture_on_commit_callbacks, NOW).sent == 0
    assert mail.outbox == []


def test_without_a_responsible_person_the_unit_coordinators_are_reminded(
    open_clock, django_capture_on_commit_callbacks
):
    open_clock(due_in=timedelta(days=9), responsible=None)
    run(django_capture_on_commit_callbacks, NOW)
    assert recipients() == ["coordinator@meridian.example"]


def test_working_day_steps_follow_the_holiday_calendar(rule, open_clock, django_capture_on_commit_callbacks):
    clock_rules.unregister(rule)
    clock_rules.register(
        ClockRule(code=rule, label="Test", ladder=(Step(-2, "working_days", "responsible"),))
    )
    # Due on Thursday 9 October 2025, the first working day after the National Day holiday: two working days
    # before is Monday 29 September, not a day in the holiday.
    clock = open_clock(due_at=calendar.day_end(date(2025, 10, 9)))
    assert run(django_capture_on_commit_callbacks, calendar.day_end(date(2025, 9, 28))).sent == 0
    assert run(django_capture_on_commit_callbacks, calendar.day_start(date(2025, 9, 29))).sent == 1
    assert clock.events.get().step_key == "-2working_days:responsible"


def test_the_background_task_runs_the_job(open_clock, django_capture_on_commit_callbacks):
    open_clock(due_in=timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        result = clocks_run_task.enqueue(NOW.isoformat())
    assert result.return_value == {"sent": 1, "skipped": 0, "missed": 0}
    assert recipients() == ["staff@meridian.example"]


@pytest.mark.parametrize("key", ["clocks.run", "clocks.sync"])
def test_the_jobs_are_scheduled(key):
    from meridian.core.registry import registry

    job = registry.scheduled_jobs.get(key)
    assert job.task() is not None
    assert job.every is not None or job.at is not None


def test_a_clock_is_read_again_only_when_its_next_step_comes(
    open_clock, people, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    clock = open_clock(due_in=timedelta(days=20))
    assert clock.next_action_at is None  # worked out by the first run
    run(django_capture_on_commit_callbacks, NOW)
    clock.refresh_from_db()
    assert clock.next_action_at == calendar.step_time(clock.due_at, -10, "days")
    # Until then a run only asks which clocks have work: the rules, the ladder and the (empty) candidates.
    with django_assert_max_num_queries(4):
        assert services.clocks_run(now=NOW + timedelta(days=1)).sent == 0
    # A changed ladder (or site calendar) has every open clock of the rule worked out again.
    services.ladder_update(
        ladder=services.ladder_for(clock.rule),
        actor=people.admin,
        grace_amount=0,
        grace_unit="days",
        steps=[(-19, "days", "responsible")],
    )
    clock.refresh_from_db()
    assert clock.next_action_at is None
    assert run(django_capture_on_commit_callbacks, NOW + timedelta(days=1)).sent == 1
