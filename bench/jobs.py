"""Job queue drain rate: how many trivial tasks one database worker runs per second.

N tasks (2,000; 500 with ``--quick``) that do nothing are enqueued into the database backend on a queue of
their own, then one worker (the same ``Worker`` that ``meridian worker`` runs, in this process) drains it. The
rate measures the queue's own overhead per task — claim with a row lock, run, record the result — which bounds
how many small jobs (notification e-mails, reminders) a worker gets through.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.test import override_settings

QUEUE = "bench"
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", QUEUE]}}
SIZES = {"full": 2000, "quick": 500}


@dataclass
class DrainRate:
    tasks: int
    enqueue_s: float
    drain_s: float

    @property
    def enqueue_rate(self) -> float:
        return self.tasks / self.enqueue_s if self.enqueue_s else float("inf")

    @property
    def drain_rate(self) -> float:
        return self.tasks / self.drain_s if self.drain_s else float("inf")


def measure_drain(tasks: int) -> DrainRate:
    """Enqueue ``tasks`` no-op tasks, drain them with one worker, and return the timings.

    Raises ``RuntimeError`` when the worker leaves any task undone or failed.
    """
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from meridian.jobs.runtime import connections_kept_open
    from meridian.jobs.tasks import noop

    with override_settings(TASKS=TASKS), connections_kept_open():  # as `meridian worker` runs
        DBTaskResult.objects.filter(queue_name=QUEUE).delete()  # what an interrupted run left behind
        task = noop.using(queue_name=QUEUE)
        begin = time.perf_counter()
        with transaction.atomic():
            for number in range(tasks):
                task.enqueue(number)
        enqueued = time.perf_counter() - begin
        worker = Worker(
            queue_names=[QUEUE],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="bench-drain",
            excluded_queue_names=[],
        )
        begin = time.perf_counter()
        worker.run()
        drained = time.perf_counter() - begin
        done = DBTaskResult.objects.filter(queue_name=QUEUE, status="SUCCESSFUL").count()
        DBTaskResult.objects.filter(queue_name=QUEUE).delete()
    if done != tasks:
        raise RuntimeError(f"the worker finished {done} of {tasks} tasks")
    return DrainRate(tasks=tasks, enqueue_s=enqueued, drain_s=drained)


def report_drain(size_name: str, *, say: Callable[[str], None]) -> DrainRate:
    """Measure and print the drain rate for the data-set size (``full`` or ``quick``)."""
    tasks = SIZES[size_name]
    say(f"Job queue: enqueuing {tasks:,} no-op tasks into the database backend ...")
    rate = measure_drain(tasks)
    say(
        f"Job queue: enqueued {rate.tasks:,} tasks in {rate.enqueue_s:.2f} s ({rate.enqueue_rate:,.0f}/s); "
        f"one worker drained them in {rate.drain_s:.2f} s: {rate.drain_rate:,.0f} tasks/s"
    )
    return rate
