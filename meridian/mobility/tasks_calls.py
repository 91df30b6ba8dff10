"""Start-up registration of the job that closes calls whose application deadline has passed
(``services.calls.calls_close_due``), every quarter of an hour."""

from __future__ import annotations

from datetime import datetime, timedelta

from django_tasks import task

from meridian.core.registry import ScheduledJob, registry

JOB_KEY = "mobility.calls_close"


@task()
def calls_close_task(now_iso: str | None = None) -> dict[str, int]:
    """Close open calls past their deadline (as of ``now_iso``, an ISO 8601 time; default now); idempotent."""
    from meridian.mobility.services.calls import calls_close_due

    closed = calls_close_due(now=datetime.fromisoformat(now_iso) if now_iso else None)
    return {"closed": closed}


if JOB_KEY not in registry.scheduled_jobs:
    # Students can no longer submit once the deadline has passed (the submit move's guard); the job only
    # moves the call on to selection, so a quarter of an hour is soon enough.
    registry.scheduled_jobs.add(
        ScheduledJob(key=JOB_KEY, task=lambda: calls_close_task, every=timedelta(minutes=15))
    )
