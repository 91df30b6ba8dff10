"""Working days under the Chinese public-holiday calendar, with the site's closures and extra working days.

The State Council publishes each year's public holidays and the weekend days worked in exchange (调休) late in
the year before; the ``chinesecalendar`` package carries them for the years it knows
(``calendar_supported_years()``). A site's ``CalendarDay`` entries override the package: a closure is never a
working day, an extra working day always is. Beyond the package's range the calendar falls back to Monday to
Friday plus the site's entries, and the deadlines page says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
from django.core.cache import cache
from django.utils import timezone

from meridian.clocks.choices import CalendarDayKind, DueUnit

SITE_CALENDAR_CACHE_KEY = "clocks:site-calendar"
# A working-day count never needs to look further than this many calendar days per working day asked for:
# the longest Chinese holiday block is 8 days, and a site would not close for longer without saying so.
_MAX_GAP_DAYS = 40


@lru_cache(maxsize=1)
def calendar_supported_years() -> tuple[int, int]:
    """First and last year for which the installed ``chinesecalendar`` knows the official schedule."""
    years = [d.year for d in chinese_calendar.holidays] + [d.year for d in chinese_calendar.workdays]
    return min(years), max(years)


def calendar_is_exact(year: int) -> bool:
    """Whether the official schedule of ``year`` is known (otherwise: weekends + site entries only)."""
    first, last = calendar_supported_years()
    return first <= year <= last


def site_calendar() -> dict[date, str]:
    """The site's own entries as {date: CalendarDayKind value}, cached until an entry changes."""
    entries = cache.get(SITE_CALENDAR_CACHE_KEY)
    if entries is None:
        from meridian.clocks.models import CalendarDay

        entries = dict(CalendarDay.objects.values_list("date", "kind"))
        cache.set(SITE_CALENDAR_CACHE_KEY, entries, None)
    return entries


def forget_site_calendar() -> None:
    """Drop the cached site entries (the calendar services call it after every change)."""
    cache.delete(SITE_CALENDAR_CACHE_KEY)


def is_working_day(d: date, *, site: Mapping[date, str] | None = None) -> bool:
    """True when ``d`` is a working day: site entry first, then the official schedule, then Monday–Friday."""
    entries = site_calendar() if site is None else site
    kind = entries.get(d)
    if kind == CalendarDayKind.CLOSURE:
        return False
    if kind == CalendarDayKind.WORKING:
        return True
    if calendar_is_exact(d.year):
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5


def add_working_days(start: date, n: int, *, site: Mapping[date, str] | None = None) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative); ``start`` is not counted.

    ``add_working_days(d, 0)`` is ``d`` itself, working day or not. Raises ``ValueError`` if no working day is
    found within a sane distance (a site calendar that closes everything).
    """
    if n == 0:
        return start
    entries = site_calendar() if site is None else site
    step = 1 if n > 0 else -1
    remaining = abs(n)
    current = start
    limit = remaining * _MAX_GAP_DAYS
    for _ in range(limit):
        current += timedelta(days=step)
        if is_working_day(current, site=entries):
            remaining -= 1
            if remaining == 0:
                return current
    raise ValueError(f"No {abs(n)} working days found within {limit} days of {start.isoformat()}.")


def working_days_between(start: date, end: date, *, site: Mapping[date, str] | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end == start:
        return 0
    entries = site_calendar() if site is None else site
    low, high, sign = (start, end, 1) if end > start else (end, start, -1)
    count = 0
    current = low
    while current < high:
        current += timedelta(days=1)
        count += is_working_day(current, site=entries)
    return sign * count


def day_end(d: date) -> datetime:
    """The last second of ``d`` in the site's time zone: a deadline "on" a date is due at its end."""
    return timezone.make_aware(datetime.combine(d, time(23, 59, 59)))


def day_start(d: date) -> datetime:
    """Midnight at the start of ``d`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(d, time(0, 0)))


def due_from(start: datetime, amount: int, unit: str, *, site: Mapping[date, str] | None = None) -> datetime:
    """A due time ``amount`` units after ``start`` (before it when negative).

    ``unit`` is ``"hours"`` (exact hours), ``"days"`` (calendar days, same local clock time) or
    ``"working_days"`` (the same local clock time on the n-th working day, see ``add_working_days``).
    Raises ``ValueError`` for another unit.
    """
    if unit == DueUnit.HOURS:
        return start + timedelta(hours=amount)
    local = timezone.localtime(start)
    if unit == DueUnit.DAYS:
        target = local.date() + timedelta(days=amount)
    elif unit == DueUnit.WORKING_DAYS:
        target = add_working_days(local.date(), amount, site=site)
    else:
        raise ValueError(f"Unknown due unit {unit!r}: use hours, days or working_days.")
    return timezone.make_aware(datetime.combine(target, local.time().replace(tzinfo=None)))


def step_time(
    due_at: datetime, offset: int, unit: str, *, site: Mapping[date, str] | None = None
) -> datetime:
    """When a ladder step falls due: ``offset`` hours from ``due_at``, or the start of the day ``offset``
    calendar or working days from the due date (so "30 days before" goes out on the morning of that day)."""
    if unit == DueUnit.HOURS:
        return due_at + timedelta(hours=offset)
    due_date = timezone.localtime(due_at).date()
    if unit == DueUnit.DAYS:
        return day_start(due_date + timedelta(days=offset))
    if unit == DueUnit.WORKING_DAYS:
        return day_start(add_working_days(due_date, offset, site=site))
    raise ValueError(f"Unknown due unit {unit!r}: use hours, days or working_days.")
