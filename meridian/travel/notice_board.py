"""Start-up registration of the publicity notice board: the daily job that completes notices whose period has
run (``services.publicity.notices_complete_due``)."""

from __future__ import annotations

from datetime import date, time

from django_tasks import task

from meridian.core.registry import ScheduledJob, registry

JOB_KEY = "travel.notices_complete"


@task()
def notices_complete_task(today_iso: str | None = None) -> dict[str, int]:
    """Complete running publicity notices whose last day has passed; idempotent."""
    from meridian.travel.services.publicity import notices_complete_due

    completed = notices_complete_due(today=date.fromisoformat(today_iso) if today_iso else None)
    return {"completed": completed}


if JOB_KEY not in registry.scheduled_jobs:
    # Shortly after midnight: a notice ending on a day has run by the next morning.
    registry.scheduled_jobs.add(ScheduledJob(key=JOB_KEY, task=lambda: notices_complete_task, at=time(0, 10)))
