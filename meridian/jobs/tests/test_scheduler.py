from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from meridian.core.registry import ScheduledJob, registry
from meridian.jobs import scheduler
from meridian.jobs.models import ScheduledRun
from meridian.jobs.scheduler import due_slot, scheduler_tick

pytestmark = pytest.mark.django_db


def _counting_task():
    from meridian.jobs.tasks import noop

    return noop


def _broken_task():
    raise ImportError("no such task")


QUARTER = ScheduledJob(key="test.quarter", task=_counting_task, every=timedelta(minutes=15))
DAILY = ScheduledJob(key="test.daily", task=_counting_task, at=time(2, 0))


def _at(hour: int, minute: int, day: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, 3, day, hour, minute))


def test_every_slots_are_aligned_periods():
    assert due_slot(QUARTER, _at(9, 7)) == _at(9, 0)
    assert due_slot(QUARTER, _at(9, 15)) == _at(9, 15)
    assert due_slot(QUARTER, _at(9, 29)) == _at(9, 15)


def test_daily_slot_is_today_once_its_time_has_passed():
    assert due_slot(DAILY, _at(1, 59)) is None
    assert due_slot(DAILY, _at(2, 0)) == _at(2, 0)
    assert due_slot(DAILY, _at(23, 0)) == _at(2, 0)
    # Local time: 02:00 in Shanghai is 18:00 UTC the day before.
    slot = due_slot(DAILY, _at(3, 0))
    assert slot is not None and slot.astimezone(UTC).hour == 18


def test_entry_without_period_is_refused():
    with pytest.raises(ValueError, match="neither"):
        due_slot(ScheduledJob(key="test.none", task=_counting_task), _at(9, 0))


def test_two_passes_in_one_slot_enqueue_once():
    entries = [QUARTER, DAILY]
    assert scheduler_tick(now=_at(9, 1), entries=entries) == ["test.quarter", "test.daily"]
    # A second scheduler (or a restart) in the same slots enqueues nothing.
    assert scheduler_tick(now=_at(9, 14), entries=entries) == []
    assert ScheduledRun.objects.count() == 2
    # The next quarter hour is a new slot for the quarter-hourly job only.
    assert scheduler_tick(now=_at(9, 15), entries=entries) == ["test.quarter"]
    # The next day, the daily job is due again.
    assert scheduler_tick(now=_at(2, 30, day=11), entries=entries) == ["test.quarter", "test.daily"]
    assert all(run.task_id for run in ScheduledRun.objects.all())


def test_a_concurrent_scheduler_that_won_the_slot_is_respected(monkeypatch):
    # The other process inserted the slot between our check and our insert: the unique constraint wins.
    ScheduledRun.objects.create(key="test.quarter", slot=_at(9, 0))
    monkeypatch.setattr(scheduler.ScheduledRun.objects, "filter", lambda **kw: ScheduledRun.objects.none())
    assert scheduler_tick(now=_at(9, 5), entries=[QUARTER]) == []
    monkeypatch.undo()
    assert ScheduledRun.objects.filter(key="test.quarter").count() == 1


def test_one_broken_entry_does_not_stop_the_others():
    broken = ScheduledJob(key="test.broken", task=_broken_task, every=timedelta(hours=1))
    assert scheduler_tick(now=_at(9, 0), entries=[broken, QUARTER]) == ["test.quarter"]
    assert not ScheduledRun.objects.filter(key="test.broken").exists()


def test_command_once_enqueues_registered_jobs(capsys):
    registry.scheduled_jobs.add(
        ScheduledJob(key="test.registered", task=_counting_task, every=timedelta(hours=1))
    )
    try:
        call_command("scheduler", "--once")
        call_command("scheduler", "--once")
    finally:
        registry.scheduled_jobs.remove("test.registered")
    assert capsys.readouterr().out.count("Enqueued test.registered") == 1
    assert ScheduledRun.objects.filter(key="test.registered").count() == 1


def test_housekeeping_is_scheduled_daily():
    entry = registry.scheduled_jobs.get("jobs.housekeeping")
    assert entry.at == time(3, 30)
    assert entry.task().name == "housekeeping"
