from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from meridian.jobs.models import JobRun, ScheduledRun
from meridian.jobs.selectors import job_with_live_progress
from meridian.jobs.services import (
    job_claim,
    job_progress,
    job_run_now,
    job_start,
    jobs_housekeeping,
    progress_key,
)
from meridian.jobs.tests import runners

pytestmark = pytest.mark.django_db


def _start(people, runner, **extra):
    return job_start(
        kind="test.work",
        label="Test work",
        actor=people.officer,
        runner=runner,
        params={"name": "alpha"},
        **extra,
    )


def test_start_enqueues_after_commit_and_runs(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _start(people, runners.succeed)
    # Nothing runs before the caller's transaction commits.
    assert JobRun.objects.get(pk=job.pk).state == "queued"
    assert ScheduledRun.objects.count() == 0
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result == {"name": "alpha"}
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.task_id and job.started_at and job.finished_at
    assert job.result_path.read_bytes() == b"name\nalpha\n" and job.result_filename == "result.csv"
    assert ScheduledRun.objects.filter(key="work-alpha").exists()


def _result_files() -> set:
    from pathlib import Path

    from django.conf import settings

    return set((Path(settings.PRIVATE_STORAGE_ROOT) / "jobs").glob("*.result"))


def test_clean_failure_rolls_back_keeps_reason_and_result(people, django_capture_on_commit_callbacks):
    before = _result_files()
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(people, runners.fail_cleanly, on_failure=runners.note_failure)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.message == "Row 3 has no country." and job.result == {"problems": 1}
    # Its work is undone, its half-written file is gone, and the failure hook ran afterwards.
    assert not ScheduledRun.objects.filter(key="work-alpha").exists()
    assert job.result_file == "" and _result_files() == before
    assert ScheduledRun.objects.filter(key="failed-alpha").exists()


def test_a_runner_that_commits_item_by_item_keeps_the_items_done(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(people, runners.item_by_item)
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", "The second item failed.")
    assert ScheduledRun.objects.filter(key="work-alpha").exists()


def test_domain_error_message_is_the_reason(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(people, runners.refuse)
    job.refresh_from_db()
    assert (job.state, job.message, job.error) == ("failed", "The partner was merged meanwhile.", "")
    assert not ScheduledRun.objects.exists()


def test_unexpected_error_is_recorded_and_rolled_back(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(people, runners.crash)
    job.refresh_from_db()
    assert job.state == "failed"
    assert "nothing was changed" in job.message
    assert job.error == "RuntimeError: disk full"
    assert not ScheduledRun.objects.exists()


def test_a_job_runs_once(people):
    job = _start(people, runners.succeed)
    assert job_run_now(job=job).state == "succeeded"
    assert job_claim(job_id=job.pk) is None
    assert job_run_now(job=job).state == "succeeded"
    assert ScheduledRun.objects.filter(key="work-alpha").count() == 1


def test_runner_must_be_module_level(people):
    with pytest.raises(ValueError, match="module-level"):
        job_start(kind="x", label="x", actor=people.officer, runner=lambda job: None)


def test_running_progress_is_read_from_the_cache(people):
    job = _start(people, runners.succeed)
    JobRun.objects.filter(pk=job.pk).update(state="running")
    job_progress(job.pk, done=40, total=80, message="Saving rows")
    shown = job_with_live_progress(JobRun.objects.get(pk=job.pk))
    assert (shown.done, shown.total, shown.percent, shown.message) == (40, 80, 50, "Saving rows")
    cache.delete(progress_key(job.pk))


def test_housekeeping_fails_stuck_jobs_and_removes_old_ones(people):
    stuck = _start(people, runners.succeed)
    JobRun.objects.filter(pk=stuck.pk).update(state="running", started_at=timezone.now() - timedelta(days=1))
    old = _start(people, runners.succeed)
    job_run_now(job=old)
    path = JobRun.objects.get(pk=old.pk).result_path
    assert path is not None and path.exists()
    JobRun.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=60))
    fresh = _start(people, runners.succeed)

    counts = jobs_housekeeping()
    assert counts["stale"] == 1 and counts["removed"] == 1
    stuck.refresh_from_db()
    assert stuck.state == "failed" and "stopped without finishing" in stuck.message
    assert not JobRun.objects.filter(pk=old.pk).exists() and not path.exists()
    assert JobRun.objects.filter(pk=fresh.pk, state="queued").exists()
    # A second run finds nothing more to do.
    assert jobs_housekeeping() == {"stale": 0, "removed": 0, "scheduled": 0}
