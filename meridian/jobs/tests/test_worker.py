"""The database worker drains the queue: tasks enqueued into the database backend run in `meridian worker`."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from meridian.jobs.models import JobRun, ScheduledRun
from meridian.jobs.services import job_start
from meridian.jobs.tests import runners

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The worker opens and closes its own transactions, so these tests run outside the per-test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(TASKS=DATABASE_TASKS)
def test_worker_runs_queued_jobs(people):
    done = job_start(
        kind="test", label="Works", actor=people.officer, runner=runners.succeed, params={"name": "a"}
    )
    failing = job_start(
        kind="test", label="Breaks", actor=people.officer, runner=runners.crash, params={"name": "b"}
    )
    # Queued in the database, not run yet.
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    assert set(JobRun.objects.values_list("state", flat=True)) == {"queued"}

    call_command("worker", "--batch", verbosity=0)

    done.refresh_from_db()
    failing.refresh_from_db()
    assert done.state == "succeeded" and done.result == {"name": "a"}
    assert failing.state == "failed" and failing.error == "RuntimeError: disk full"
    assert list(ScheduledRun.objects.values_list("key", flat=True)) == ["work-a"]
    # The failed job's task itself ended normally: the job recorded the failure, the queue is drained.
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


@override_settings(TASKS=DATABASE_TASKS)
def test_worker_stops_after_max_tasks(people):
    for name in "xyz":
        job_start(
            kind="test", label=name, actor=people.officer, runner=runners.succeed, params={"name": name}
        )
    call_command("worker", "--batch", "--max-tasks", "2", verbosity=0)
    assert JobRun.objects.filter(state="succeeded").count() == 2
    assert JobRun.objects.filter(state="queued").count() == 1


def test_worker_refuses_a_backend_without_database_queue():
    with pytest.raises(CommandError, match="not the database backend"):
        call_command("worker", "--batch", verbosity=0)
