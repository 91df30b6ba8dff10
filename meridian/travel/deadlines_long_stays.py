"""Deadlines of long stays abroad (over 90 days) on the clock engine, opened and closed from the data.

- ``travel.long_stay.embassy``: a scholar who has departed registers with the embassy (or consulate) within
  10 calendar days of the departure (design note, "Official travel abroad": "registration with the embassy
  within 10 days"). Open while the stay is "departed"; met when the registration is recorded.
- ``travel.long_stay.progress``: while abroad, a progress report every quarter, due 3, 6, 9, … months after
  the departure ("quarterly progress notes"); one obligation per quarter (key ``Q<n>``), opened when the
  quarter begins, met when that quarter's report is filed. Quarters due on or after the planned return are
  covered by the summary instead.
- ``travel.long_stay.summary``: the summary within 30 calendar days of the return; open while the stay is
  "returned" without a summary.

Each ladder warns the scholar before the due date, then their unit's coordinators, then the International
Office after it; administrators change the ladders on the deadlines pages. The daily clock sync
(``clocks.sync``) runs these sources; the long-stay services also run them right after a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.clocks.choices import Audience
from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.services import SyncReport, clocks_sync
from meridian.clocks.sources import ClockSource, Wanted, sources
from meridian.travel.choices import LongStayState
from meridian.travel.models import LongStay
from meridian.travel.services.long_stays import ABROAD_STATES, add_months

EMBASSY = "travel.long_stay.embassy"
PROGRESS = "travel.long_stay.progress"
SUMMARY = "travel.long_stay.summary"
RULES = (EMBASSY, PROGRESS, SUMMARY)

EMBASSY_DAYS = 10
QUARTER_MONTHS = 3
SUMMARY_DAYS = 30


def _rows(states) -> Iterator[LongStay]:
    return (
        LongStay.objects.filter(state__in=states)
        .select_related("user", "unit", "person")
        .order_by("pk")
        .iterator(chunk_size=500)
    )


def _embassy_title(number: str):
    return lambda: _("Registration with the embassy for long stay %(number)s") % {"number": number}


def _progress_title(number: str, quarter: int):
    return lambda: (
        _("Progress report %(quarter)s of long stay %(number)s")
        % {
            "quarter": quarter,
            "number": number,
        }
    )


def _summary_title(number: str):
    return lambda: _("Summary of long stay %(number)s") % {"number": number}


def embassy_due(stay: LongStay) -> date | None:
    """The last day to register with the embassy: the departure plus 10 calendar days."""
    return stay.departed_on + timedelta(days=EMBASSY_DAYS) if stay.departed_on else None


def summary_due(stay: LongStay) -> date | None:
    """The last day for the summary: the return plus 30 calendar days."""
    return stay.returned_on + timedelta(days=SUMMARY_DAYS) if stay.returned_on else None


def wanted_embassy(today: date) -> Iterator[Wanted]:
    """Stays that have departed and whose embassy registration is not recorded yet."""
    for stay in _rows([LongStayState.DEPARTED]):
        due = embassy_due(stay)
        if due is None or stay.embassy_registered_on is not None:
            continue
        assert stay.departed_on is not None  # embassy_due() gave a date
        yield Wanted(
            subject=stay,
            key=stay.departed_on.isoformat(),
            title=_embassy_title(stay.number),
            due_on=due,
            responsible=stay.user,
            unit=stay.unit,
        )


def progress_quarters(stay: LongStay, today: date) -> list[tuple[int, date]]:
    """The quarters (number, due date) whose report is wanted ``today``: begun, due before the planned
    return (or any begun quarter once the stay runs past its planned return), not reported yet."""
    if stay.departed_on is None:
        return []
    reported = {r.quarter for r in stay.progress_reports.all()}
    overrun = today > stay.ends_on
    found = []
    quarter = 1
    while True:
        start = add_months(stay.departed_on, QUARTER_MONTHS * (quarter - 1))
        due = add_months(stay.departed_on, QUARTER_MONTHS * quarter)
        if start > today or (due >= stay.ends_on and not overrun):
            break
        if quarter not in reported:
            found.append((quarter, due))
        quarter += 1
    return found


def wanted_progress(today: date) -> Iterator[Wanted]:
    """One obligation per begun, unreported quarter of every stay abroad (departed or registered)."""
    rows = (
        LongStay.objects.filter(state__in=ABROAD_STATES, departed_on__isnull=False)
        .select_related("user", "unit", "person")
        .prefetch_related("progress_reports")
        .order_by("pk")
    )
    for stay in rows:
        for quarter, due in progress_quarters(stay, today):
            yield Wanted(
                subject=stay,
                key=f"Q{quarter}",
                title=_progress_title(stay.number, quarter),
                due_on=due,
                responsible=stay.user,
                unit=stay.unit,
            )


def wanted_summary(today: date) -> Iterator[Wanted]:
    """Stays that have returned and whose summary is not written yet."""
    for stay in _rows([LongStayState.RETURNED]):
        due = summary_due(stay)
        if due is None or stay.summary.strip():
            continue
        assert stay.returned_on is not None  # summary_due() gave a date
        yield Wanted(
            subject=stay,
            key=stay.returned_on.isoformat(),
            title=_summary_title(stay.number),
            due_on=due,
            responsible=stay.user,
            unit=stay.unit,
        )


def long_stay_clocks_sync(*, today: date | None = None) -> SyncReport:
    """Open and close the three long-stay clocks from the data (idempotent); returns the combined report."""
    today = today or timezone.localdate()
    total = SyncReport()
    for rule in RULES:
        result = clocks_sync(today=today, rule=rule)
        total.opened += result.opened
        total.met += result.met
    return total


def _ladder(before: int, unit_after: int, office_after: int) -> tuple[Step, ...]:
    """Warn the scholar ``before`` days ahead and on the day, the unit ``unit_after`` days late, the office
    ``office_after`` days late."""
    return (
        Step(-before, "days", Audience.RESPONSIBLE),
        Step(0, "days", Audience.RESPONSIBLE),
        Step(unit_after, "days", Audience.UNIT),
        Step(office_after, "days", Audience.OFFICE),
    )


clock_rules.register(
    ClockRule(
        code=EMBASSY,
        label=gettext_lazy("Long stay: registration with the embassy"),
        description=gettext_lazy("Within 10 days of the departure, the scholar registers with the embassy."),
        ladder=_ladder(3, 2, 7),
        grace_amount=30,
        grace_unit="days",
    )
)
clock_rules.register(
    ClockRule(
        code=PROGRESS,
        label=gettext_lazy("Long stay: quarterly progress report"),
        description=gettext_lazy("Every three months after the departure while abroad, a progress report."),
        ladder=_ladder(14, 7, 21),
        grace_amount=60,
        grace_unit="days",
    )
)
clock_rules.register(
    ClockRule(
        code=SUMMARY,
        label=gettext_lazy("Long stay: summary after return"),
        description=gettext_lazy(
            "Within 30 days of the return, the scholar submits the summary of the stay."
        ),
        ladder=_ladder(7, 3, 14),
        grace_amount=30,
        grace_unit="days",
    )
)
sources.register(
    ClockSource(rule=EMBASSY, wanted=wanted_embassy, met_note="The embassy registration was recorded.")
)
sources.register(
    ClockSource(
        rule=PROGRESS,
        wanted=wanted_progress,
        met_note="The quarter's progress report was filed, or the scholar returned.",
    )
)
sources.register(
    ClockSource(rule=SUMMARY, wanted=wanted_summary, met_note="The summary was submitted or accepted.")
)
