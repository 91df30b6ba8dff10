"""The scheduler: enqueue each registered periodic task once per due slot.

A slot is the start of the period a run belongs to: for ``every=timedelta(minutes=15)`` the quarter hours
(counted from 2000-01-01 00:00 UTC, so every process agrees), for ``at=time(2, 0)`` today's 02:00 local time
once that has passed. A row per (job key, slot) with a unique constraint records the enqueue in the same
transaction, so two scheduler processes, a restart or a second pass never enqueue one slot twice. A daily run
missed while the scheduler was down happens when it comes back the same day.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from meridian.core.registry import ScheduledJob, registry
from meridian.jobs.models import ScheduledRun

logger = logging.getLogger(__name__)

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def due_slot(entry: ScheduledJob, now: datetime) -> datetime | None:
    """The slot of ``entry`` that is due at ``now`` (aware), or None when nothing is due yet today.

    Raises ``ValueError`` for an entry with neither ``every`` nor ``at``, or a period shorter than a second.
    """
    if entry.at is not None:
        local = timezone.localtime(now)
        today = timezone.make_aware(datetime.combine(local.date(), entry.at))
        return today if now >= today else None
    if entry.every is None:
        raise ValueError(f"scheduled job {entry.key!r} has neither 'every' nor 'at'")
    period = int(entry.every.total_seconds())
    if period < 1:
        raise ValueError(f"scheduled job {entry.key!r} runs more often than once a second")
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % period)


def scheduler_tick(*, now: datetime | None = None, entries: Any = None) -> list[str]:
    """Enqueue every registered scheduled job whose current slot has not been enqueued; returns their keys.

    Safe to call any number of times and from several processes at once (idempotent per slot).
    """
    now = now or timezone.now()
    enqueued = []
    for entry in entries if entries is not None else registry.scheduled_jobs:
        slot = due_slot(entry, now)
        if slot is None or ScheduledRun.objects.filter(key=entry.key, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                # The insert takes the unique slot first: a second scheduler blocks here, then fails.
                run = ScheduledRun.objects.create(key=entry.key, slot=slot)
                result = entry.task().enqueue()
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue
        except Exception:
            # One broken task (an unreachable queue, an import error) must not stop the others.
            logger.exception("Could not enqueue scheduled job %s", entry.key)
            continue
        logger.info("Enqueued scheduled job %s for %s", entry.key, slot.isoformat())
        enqueued.append(entry.key)
    return enqueued
