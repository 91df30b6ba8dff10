"""Deadline clocks of official travel after return: passports and permits due back, trip reports due.

Both clocks follow from the data (``ClockSource``), so the daily ``clocks_sync`` opens and closes them. A
clock is closed at once, too, when the obligation is met: the custody services (return, cancel, lost) call
``passport_clock_meet`` and the report services (submit, accept) ``report_clock_meet``, so no page shows a
met deadline as overdue until the next sync.

- ``travel.passport_return``: one clock per passport or permit issued to its holder (keyed by the trip and
  issue date), due at the end of ``CustodyItem.due_back_on`` (planned return + ``passport_return
  .days_after_return`` days). Met when the document is back (or cancelled, or reported lost).
- ``travel.trip_report``: one clock per trip whose report is still a draft, due at the end of
  ``TripReport.due_on`` (return + ``trip_report.working_days`` working days); the applicant is responsible.
  Met when the report is submitted.

Default ladders follow the Guangdong provincial passport platform, which reminds a unit and after the third
reminder suspends its approvals (design note, "Official travel abroad"): warn the holder (or applicant) first,
then the unit's foreign-affairs secretary, then the International Office, before the suspension's grace
period (``unit_suspension.grace_days``, 14 days) runs out:

- passport: holder 2 days before it is due, the unit's coordinators on the due day, the office 3 days after;
- report: applicant 3 working days before it is due, the unit's coordinators the day after, the office
  5 working days after.

Each rung goes out once (the clock engine logs it). Administrators change the ladders on the deadlines pages.
The clock is marked missed 14 days after the due time, when the item starts counting toward suspension.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.sources import ClockSource, Wanted, sources
from meridian.travel.choices import CustodyState, ReportState
from meridian.travel.models import CustodyItem, Trip, TripReport

PASSPORT_RULE = "travel.passport_return"
REPORT_RULE = "travel.trip_report"
GRACE_DAYS = 14

PASSPORT_LADDER = (
    Step(-2, "days", "responsible"),
    Step(0, "days", "unit"),
    Step(3, "days", "office"),
)
REPORT_LADDER = (
    Step(-3, "working_days", "responsible"),
    Step(1, "days", "unit"),
    Step(5, "working_days", "office"),
)


PASSPORT_MET_NOTE = "The document is back in custody, cancelled or reported lost."
REPORT_MET_NOTE = "The trip report was submitted."


def passport_clock_meet(item: CustodyItem) -> int:
    """Mark met, now, the open passport clock(s) of ``item`` (called once the document is back, cancelled or
    lost; the daily sync would do the same). Returns how many were closed."""
    from meridian.clocks.services import obligations_meet_for

    return obligations_meet_for(subject=item, rule=PASSPORT_RULE, note=PASSPORT_MET_NOTE)


def report_clock_meet(trip: Trip) -> int:
    """Mark met, now, the open report clock of ``trip`` (called when its report is submitted or accepted).
    Returns how many were closed."""
    from meridian.clocks.services import obligations_meet_for

    return obligations_meet_for(subject=trip, rule=REPORT_RULE, note=REPORT_MET_NOTE)


def _passport_title(item: CustodyItem):
    kind = item.document.kind
    holder = item.holder.latin_name

    def title() -> str:
        from meridian.people.choices import DocumentType

        return _("Return the %(kind)s of %(holder)s to the office") % {
            "kind": str(DocumentType(kind).label).lower(),
            "holder": holder,
        }

    return title


def _report_title(report: TripReport):
    number = report.trip.number
    return lambda: _("Submit the trip report of %(number)s") % {"number": number}


def wanted_passports(today) -> Iterator[Wanted]:
    """Issued documents with a due-back date: the holder (their sign-in account) is responsible."""
    rows = (
        CustodyItem.objects.filter(state=CustodyState.ISSUED, due_back_on__isnull=False)
        .select_related("holder", "holder__user", "unit", "document")
        .order_by("due_back_on", "pk")
    )
    for item in rows.iterator(chunk_size=500):
        yield Wanted(
            subject=item,
            key=f"{item.trip_id or 0}:{item.issued_on.isoformat() if item.issued_on else ''}",
            title=_passport_title(item),
            due_on=item.due_back_on,
            responsible=item.holder.user,
            unit=item.unit,
        )


def wanted_reports(today) -> Iterator[Wanted]:
    """Draft reports with a due date; the clock's subject is the trip (the report lives on its page)."""
    rows = (
        TripReport.objects.filter(state=ReportState.DRAFT, due_on__isnull=False)
        .select_related("trip", "trip__applicant", "trip__unit")
        .order_by("due_on", "pk")
    )
    for report in rows.iterator(chunk_size=500):
        yield Wanted(
            subject=report.trip,
            key="report",
            title=_report_title(report),
            due_on=report.due_on,
            responsible=report.trip.applicant,
            unit=report.trip.unit,
        )


clock_rules.register(
    ClockRule(
        code=PASSPORT_RULE,
        label=gettext_lazy("Official passport or permit due back"),
        description=gettext_lazy(
            "Due a set number of days after the planned return: the holder, then the unit's secretary, then "
            "the International Office are reminded before the unit's approvals are suspended."
        ),
        ladder=PASSPORT_LADDER,
        grace_amount=GRACE_DAYS,
        grace_unit="days",
    )
)
clock_rules.register(
    ClockRule(
        code=REPORT_RULE,
        label=gettext_lazy("Trip report due"),
        description=gettext_lazy(
            "Due a set number of working days after return: the applicant, then the unit's secretary, then "
            "the International Office are reminded."
        ),
        ladder=REPORT_LADDER,
        grace_amount=GRACE_DAYS,
        grace_unit="days",
    )
)
sources.register(
    ClockSource(
        rule=PASSPORT_RULE,
        wanted=wanted_passports,
        met_note=PASSPORT_MET_NOTE,
    )
)
sources.register(ClockSource(rule=REPORT_RULE, wanted=wanted_reports, met_note=REPORT_MET_NOTE))
