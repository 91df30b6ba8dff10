"""End-date reminders, now run by the deadline clocks: ``send_due_reminders`` is the daily run in one call.

It lapses agreements past their end date and brings their renewal obligations in line with the data (see
deadlines.py), then runs the clock job, which sends every due reminder and escalation once (of agreements and
of every other case) and marks missed obligations. Safe to run twice: nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.utils import timezone

from meridian.agreements.deadlines import agreements_deadlines_sync
from meridian.clocks.services import clocks_run


def run_time(today: date | None) -> datetime:
    """Now, or the current clock time on ``today`` when another day is asked for (``--today``)."""
    now = timezone.localtime()
    if today is None or today == now.date():
        return now
    return timezone.make_aware(datetime.combine(today, now.time().replace(tzinfo=None)))


def send_due_reminders(*, today: date | None = None, report: Callable[[str], None] | None = None) -> int:
    """Run the agreements' daily sync and the clock job as of ``today``; returns the messages sent.

    A message is one reminder, escalation or end-date notice, e-mailed to each of its recipients (through
    ``meridian.core.notifications.notify``, after commit).
    """
    now = run_time(today)
    notices, _sync = agreements_deadlines_sync(today=now.date(), report=report)
    result = clocks_run(now=now)
    if report is not None:
        for line in result.lines:
            report(line)
    return notices + result.sent
