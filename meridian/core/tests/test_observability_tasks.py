"""Background tasks log with their task id and the id of the request that enqueued them, whether they run at
once (the immediate backend) or later in the database worker, in another process."""

import logging

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django_tasks import task

from meridian.core.observability.context import bound, request_id_var, task_id_var
from meridian.core.observability.tasks import request_id_key
from meridian.core.tests.observability_helpers import captured_logs

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
logger = logging.getLogger("meridian.test.tasks")


@pytest.fixture(autouse=True)
def task_loggers_restored():
    """The database worker sets the levels of django-tasks' loggers from its verbosity; keep tests apart."""
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [one.level for one in loggers]
    for one in loggers:
        one.setLevel(logging.NOTSET)
    yield
    for one, level in zip(loggers, levels, strict=True):
        one.setLevel(level)


@task()
def say(word: str) -> str:
    logger.info("saying %s", word)
    return word


def test_a_task_run_at_once_logs_with_its_task_id_and_the_request_id():
    with captured_logs() as logs, bound(request_id="req-inline"):
        result = say.enqueue("hello")
        assert request_id_var.get() == "req-inline" and task_id_var.get() is None
    task_id = str(result.id)
    enqueued = next(r for r in logs.records() if r["logger"] == "meridian.tasks")
    assert enqueued["message"] == f"Task enqueued: {say.module_path}"
    assert enqueued["request_id"] == "req-inline" and enqueued["task_id"] == task_id
    inside = next(r for r in logs.records() if r["logger"] == "meridian.test.tasks")
    assert inside["message"] == "saying hello"
    assert inside["task_id"] == task_id and inside["task"] == say.module_path
    assert inside["request_id"] == "req-inline"
    # django-tasks' own start and finish lines carry the ids as well.
    own = [r for r in logs.records() if r["logger"] == "django_tasks"]
    assert own and all(r["task_id"] == task_id for r in own)
    assert cache.get(request_id_key(task_id)) is None


def test_a_task_enqueued_outside_a_request_has_no_request_id():
    with captured_logs() as logs:
        say.enqueue("alone")
    inside = next(r for r in logs.records() if r["logger"] == "meridian.test.tasks")
    assert inside["request_id"] is None and inside["task_id"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_logs_with_the_task_id_and_the_enqueuing_request_id():
    with bound(request_id="req-queued"):
        first = say.enqueue("one")
    second = say.enqueue("two")  # enqueued outside any request
    with captured_logs() as logs:
        call_command("db_worker", batch=True, startup_delay=False, verbosity=1)
    inside = {r["message"]: r for r in logs.records() if r["logger"] == "meridian.test.tasks"}
    assert inside["saying one"]["task_id"] == str(first.id)
    assert inside["saying one"]["request_id"] == "req-queued"
    assert inside["saying two"]["task_id"] == str(second.id)
    assert inside["saying two"]["request_id"] is None
    started = [r for r in logs.records() if r["logger"] == "django_tasks" and "RUNNING" in r["message"]]
    assert [r["task_id"] for r in started] == [str(first.id), str(second.id)]
    # Between tasks and after them, nothing stays bound.
    assert task_id_var.get() is None and request_id_var.get() is None
    assert cache.get(request_id_key(str(first.id))) is None
