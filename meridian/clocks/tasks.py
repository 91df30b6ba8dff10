"""Background tasks of the clocks: the reminder run (hourly) and the sync from data (daily)."""

from __future__ import annotations

from datetime import date, datetime

from django_tasks import task

from meridian.clocks import services


@task()
def clocks_run_task(now_iso: str | None = None) -> dict[str, int]:
    """Send due reminders and escalations once each and mark missed obligations; safe to run twice."""
    result = services.clocks_run(now=datetime.fromisoformat(now_iso) if now_iso else None)
    return {"sent": result.sent, "skipped": result.skipped, "missed": result.missed}


@task()
def clocks_sync_task(today_iso: str | None = None) -> dict[str, int]:
    """Open and close the obligations that follow from data (every registered source); idempotent."""
    result = services.clocks_sync(today=date.fromisoformat(today_iso) if today_iso else None)
    return {"opened": result.opened, "met": result.met}
