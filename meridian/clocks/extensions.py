"""What the clocks register in the extension registry: the navigation entry, the dashboard tile, the jobs."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meridian.core.registry import DashboardTile, MetricGauge, NavEntry, ScheduledJob, registry


def _visible(user) -> bool:
    from meridian.clocks.permissions import can_view_deadlines

    return can_view_deadlines(user)


def _overdue(user) -> int | None:
    from meridian.clocks.selectors import obligation_overdue_count

    return obligation_overdue_count(user=user) or None


def _tile(user) -> dict[str, Any]:
    from meridian.clocks.selectors import obligation_counts

    counts = obligation_counts(user=user)
    return {"counts": counts, "deadlines_url": reverse("clocks:list")}


def _run_task():
    from meridian.clocks.tasks import clocks_run_task

    return clocks_run_task


def _sync_task():
    from meridian.clocks.tasks import clocks_sync_task

    return clocks_sync_task


def _open_by_rule() -> list[tuple[tuple[str, ...], float]]:
    from meridian.clocks.selectors import obligation_open_counts_by_rule

    return [((rule,), opened) for rule, (opened, _overdue) in obligation_open_counts_by_rule().items()]


def _overdue_by_rule() -> list[tuple[tuple[str, ...], float]]:
    from meridian.clocks.selectors import obligation_open_counts_by_rule

    return [((rule,), overdue) for rule, (_opened, overdue) in obligation_open_counts_by_rule().items()]


def register() -> None:
    registry.nav.add(
        NavEntry(
            key="deadlines",
            label=_("Deadlines"),
            url_name="clocks:list",
            visible=_visible,
            order=60,
            active_apps=("clocks",),
            count=_overdue,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="deadlines",
            title=_("Deadlines"),
            template="clocks/tile.html",
            context=_tile,
            visible=_visible,
            order=20,
        )
    )
    registry.scheduled_jobs.add(ScheduledJob(key="clocks.run", task=_run_task, every=timedelta(hours=1)))
    registry.scheduled_jobs.add(ScheduledJob(key="clocks.sync", task=_sync_task, at=time(1, 0)))
    registry.metric_gauges.add(
        MetricGauge(
            key="obligations_open",
            help="Open deadline clocks (obligations), by rule.",
            labels=("rule",),
            samples=_open_by_rule,
        )
    )
    registry.metric_gauges.add(
        MetricGauge(
            key="obligations_overdue",
            help="Open deadline clocks (obligations) past their due time, by rule.",
            labels=("rule",),
            samples=_overdue_by_rule,
        )
    )
