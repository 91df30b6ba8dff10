"""Reading jobs: a user's own list, one job for its page, and its live progress."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Min, QuerySet
from django.http import Http404
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from meridian.accounts.permissions import is_administrator
from meridian.jobs.models import JobRun
from meridian.jobs.permissions import can_see_job
from meridian.jobs.services import progress_key


def jobs_for(user: Any, *, everyone: bool = False) -> QuerySet[JobRun]:
    """The jobs ``user`` started, newest first; with ``everyone`` an administrator gets all jobs."""
    queryset = JobRun.objects.select_related("actor").defer("params", "result", "error")
    if everyone and is_administrator(user):
        return queryset
    return queryset.filter(actor_id=user.pk)


def job_for(user: Any, pk: int) -> JobRun:
    """The job ``pk`` if ``user`` may see it; raises ``Http404`` otherwise (others must not learn of it)."""
    job = JobRun.objects.select_related("actor").filter(pk=pk).first()
    if job is None or not can_see_job(user, job):
        raise Http404
    return job


def job_with_live_progress(job: JobRun) -> JobRun:
    """Overlay the progress a running job reported (held in the cache until the job's transaction ends)."""
    if job.state == JobRun.State.RUNNING:
        live = cache.get(progress_key(job.pk))
        if live:
            job.done = live["done"]
            job.total = live["total"] if live["total"] is not None else job.total
            job.message = live["message"] or job.message
    return job


def task_queue_depth() -> dict[str, int]:
    """Background tasks in the database queue by status, lower-case (``ready``, ``running``, ``successful``,
    ``failed``; every status present, zero when none): one grouped count."""
    counts = dict(DBTaskResult.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status.lower(): counts.get(status, 0) for status in TaskResultStatus.values}


def task_queue_oldest_ready_seconds() -> float:
    """Seconds since the oldest task that is due to run now was enqueued (0.0 when none is waiting): a worker
    that stopped, or too few workers, show as a growing figure."""
    oldest = DBTaskResult.objects.ready().order_by().aggregate(oldest=Min("enqueued_at"))["oldest"]
    if oldest is None:
        return 0.0
    return max(0.0, (timezone.now() - oldest).total_seconds())
