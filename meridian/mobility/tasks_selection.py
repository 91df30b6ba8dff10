"""Scheduled job of selection: expire the offers not answered in time, then bring the offer-answer clocks
up to date (``deadlines_selection``). Runs every hour; idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django_tasks import task

from meridian.core.registry import ScheduledJob, registry


def offers_expire(today: date | None = None) -> dict[str, int]:
    """Expire every offer of a published call whose answer deadline lies before ``today`` (default: the
    mobility evaluation date), which releases its place to the waiting list (``services.allocation``), and
    open or close the offer-answer clocks. Returns ``{"expired", "opened", "met"}``."""
    from meridian.clocks.services import clocks_sync
    from meridian.mobility import casework
    from meridian.mobility.deadlines_selection import OFFER_RULE
    from meridian.mobility.services.allocation import offers_expire as expire

    today = today or casework.today()
    expired = expire(today=today)
    sync = clocks_sync(today=today, rule=OFFER_RULE)
    return {"expired": len(expired), "opened": sync.opened, "met": sync.met}


@task()
def offers_expire_task(today_iso: str | None = None) -> dict[str, int]:
    """Background form of ``offers_expire``."""
    return offers_expire(date.fromisoformat(today_iso) if today_iso else None)


registry.scheduled_jobs.add(
    ScheduledJob(key="mobility.offers_expire", task=lambda: offers_expire_task, every=timedelta(hours=1))
)
