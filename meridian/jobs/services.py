"""Starting, running and finishing background jobs.

A job's work is a module-level function (its *runner*) called as ``runner(job, **params)`` inside one
database transaction: when it raises, everything it wrote is rolled back and the job is recorded as failed
with the reason, so a failed job changes nothing. Jobs are started after the caller's transaction commits
(the row the job works on must exist for the worker) and run by the task backend's worker
(``meridian worker``); in tests the immediate backend runs them at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError
from meridian.core.privatefiles import JOBS, new_private_file
from meridian.jobs.models import JobRun

logger = logging.getLogger(__name__)

PROGRESS_CACHE_SECONDS = 24 * 3600
# Progress is written at most this often (seconds), plus always at the end, so that a tight loop stays fast.
PROGRESS_INTERVAL = 0.5


class JobFailed(DomainError):
    """Raised by a runner to fail its job with a message for the user; ``result`` (JSON) is kept anyway."""

    def __init__(self, message: str, *, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result


def _dotted(func: Callable[..., Any]) -> str:
    module, name = getattr(func, "__module__", ""), getattr(func, "__qualname__", "")
    if not module or not name or "<" in name:
        raise ValueError("A job runner must be a module-level function.")
    return f"{module}.{name}"


def progress_key(job_id: int) -> str:
    return f"jobs:progress:{job_id}"


def job_start(
    *,
    kind: str,
    label: str,
    actor: Any,
    runner: Callable[..., Any],
    params: dict[str, Any] | None = None,
    subject: models.Model | None = None,
    result_template: str = "",
    on_failure: Callable[..., Any] | None = None,
) -> JobRun:
    """Record a queued job and enqueue it after the current transaction commits.

    ``runner(job, **params)`` does the work (a module-level function; ``params`` must be JSON-serialisable);
    ``on_failure(job, **params)``, when given, runs in its own transaction after a failed run was rolled back.
    ``result_template`` is included on the job page with ``job`` and ``result``. The job runs in the language
    active now, so that its messages read in the actor's language. Raises ``ValueError`` for a runner that is
    not a module-level function.
    """
    job = JobRun(
        kind=kind,
        label=str(label)[:255],
        actor=actor if getattr(actor, "pk", None) else None,
        runner=_dotted(runner),
        params=params or {},
        on_failure=_dotted(on_failure) if on_failure else "",
        result_template=result_template,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    if subject is not None:
        job.subject_type = ContentType.objects.get_for_model(subject)
        job.subject_id = str(subject.pk)
    job.full_clean(exclude=["actor", "subject_type"])
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from meridian.jobs.tasks import run_job

    result = run_job.enqueue(job_id)
    # The immediate backend has already run (and finished) the job; a queued job learns its task id.
    JobRun.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def job_progress(job: JobRun | int, *, done: int, total: int | None = None, message: str = "") -> None:
    """Report how far a running job got: ``done`` of ``total`` items (``total`` None: unknown).

    Called from a runner, whose writes stay invisible until it commits, so the live figures go to the cache,
    which the job page reads; the row gets them when the job ends. Writes at most every half second.
    """
    job_id = job if isinstance(job, int) else job.pk
    now = time.monotonic()
    if isinstance(job, JobRun):
        job.done, job.message = done, message[:500]
        if total is not None:
            job.total = total
        final = total is not None and done >= total
        # The instance remembers its last write (an id alone is always written).
        if not final and now - getattr(job, "_progress_written_at", 0.0) < PROGRESS_INTERVAL:
            return
        job._progress_written_at = now  # type: ignore[attr-defined]
    cache.set(
        progress_key(job_id),
        {"done": done, "total": total, "message": message[:500]},
        PROGRESS_CACHE_SECONDS,
    )


def job_attach_file(job: JobRun, *, filename: str, content: bytes, content_type: str) -> None:
    """Keep ``content`` privately as the job's result file, offered for download as ``filename``.

    The file is removed again when the job fails. Replaces an earlier file of the same job. It lives in the
    private store (``jobs/<random name>.result``: on object storage when configured, and in backups).
    """
    stored = new_private_file(JOBS, ".result")
    stored.write_bytes(content)
    _remove_file(job)
    job.result_file = stored.name
    job.result_filename = Path(filename).name[:255]
    job.result_content_type = content_type[:100]


def _remove_file(job: JobRun) -> None:
    path = job.result_path
    if path is not None:
        path.unlink(missing_ok=True)
    job.result_file = ""
    job.result_filename = ""
    job.result_content_type = ""


def job_claim(*, job_id: int) -> JobRun | None:
    """Move a queued job to running; None when it is not queued (already run, or gone): never run twice."""
    with transaction.atomic():
        job = JobRun.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != JobRun.State.QUEUED:
            return None
        job.state = JobRun.State.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["state", "started_at"])
    return job


def job_finish(*, job: JobRun, result: dict[str, Any] | None = None, message: str = "") -> JobRun:
    """Mark a running job succeeded, keeping its result (JSON), result file and last progress."""
    job.state = JobRun.State.SUCCEEDED
    job.result = result or {}
    if job.total is not None:
        job.done = job.total
    job.message = (message or job.message)[:500]
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "state",
            "result",
            "done",
            "total",
            "message",
            "result_file",
            "result_filename",
            "result_content_type",
            "finished_at",
        ]
    )
    cache.delete(progress_key(job.pk))
    return job


def job_fail(*, job: JobRun, message: str, error: str = "", result: dict[str, Any] | None = None) -> JobRun:
    """Mark a job failed with ``message`` (for the user) and ``error`` (details); drops its result file."""
    _remove_file(job)
    job.state = JobRun.State.FAILED
    job.message = message[:500]
    job.error = error
    job.result = result or {}
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "state",
            "message",
            "error",
            "result",
            "done",
            "total",
            "result_file",
            "result_filename",
            "result_content_type",
            "finished_at",
        ]
    )
    cache.delete(progress_key(job.pk))
    return job


def job_execute(*, job: JobRun) -> JobRun:
    """Run a claimed (running) job's work in one transaction and record the outcome; never raises for it.

    A runner marked ``job_atomic = False`` (a read-only export, a batch whose items stand alone) runs outside
    the job-wide transaction and commits item by item: a long job must not hold SQLite's single write lock for
    minutes, which would refuse every other write (sign-ins included) meanwhile.
    """
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            runner = import_string(job.runner)
            if getattr(runner, "job_atomic", True):
                with transaction.atomic():
                    result = runner(job, **job.params)
            else:
                result = runner(job, **job.params)
        except JobFailed as exc:
            job_fail(job=job, message=exc.message, result=exc.result)
        except DomainError as exc:
            job_fail(job=job, message=exc.message)
        except Exception as exc:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            job_fail(
                job=job,
                message=_("An unexpected error stopped the job; nothing was changed."),
                error=f"{type(exc).__name__}: {exc}",
            )
        else:
            return job_finish(job=job, result=result if isinstance(result, dict) else None)
        _after_failure(job)
    return job


def _after_failure(job: JobRun) -> None:
    if not job.on_failure:
        return
    try:
        hook = import_string(job.on_failure)
        with transaction.atomic():
            hook(job, **job.params)
    except Exception:
        # The job is already recorded as failed; a broken clean-up must not hide that.
        logger.exception("The failure hook of job %s failed", job.pk)


def job_run_now(*, job: JobRun) -> JobRun:
    """Run a queued job in this process (the command line's ``--wait``, tests); returns it refreshed."""
    claimed = job_claim(job_id=job.pk)
    if claimed is not None:
        job_execute(job=claimed)
    job.refresh_from_db()
    return job


def jobs_housekeeping(*, now: Any = None) -> dict[str, int]:
    """Fail jobs stuck running past ``JOB_TIMEOUT_HOURS`` (their worker died) and delete finished jobs, their
    files and scheduler records older than ``JOB_RESULT_DAYS``. Idempotent. Returns counts by what was done.
    """
    from datetime import timedelta

    from meridian.jobs.models import ScheduledRun

    now = now or timezone.now()
    stale_before = now - timedelta(hours=settings.JOB_TIMEOUT_HOURS)
    stale = 0
    for job in JobRun.objects.filter(state=JobRun.State.RUNNING, started_at__lt=stale_before):
        job_fail(
            job=job, message=_("The job stopped without finishing (its worker was stopped); run it again.")
        )
        _after_failure(job)
        stale += 1
    old_before = now - timedelta(days=settings.JOB_RESULT_DAYS)
    old = JobRun.objects.filter(
        state__in=[JobRun.State.SUCCEEDED, JobRun.State.FAILED], finished_at__lt=old_before
    )
    removed = 0
    for job in old.only("pk", "result_file"):
        _remove_file(job)
        job.delete()
        removed += 1
    scheduled, _details = ScheduledRun.objects.filter(slot__lt=old_before).delete()
    return {"stale": stale, "removed": removed, "scheduled": scheduled}
