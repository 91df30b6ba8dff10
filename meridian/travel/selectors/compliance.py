"""Compliance after return: overdue trip reports and the unit suspension rule, read by the rule pack.

Guangdong's provincial passport platform reminds a unit whose official passports are not returned or whose
trip reports are late, and after the third reminder suspends the unit's approvals and passport processing
(South China Agricultural University's notice on the provincial platform, 2016; design note "Official travel
abroad"). Meridian applies it as: a unit is suspended while it has a passport or permit issued and not back
more than ``unit_suspension.grace_days`` calendar days (default 14) after its ``due_back_on``, or a trip
report still a draft more than that many days after its ``due_on``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils.translation import ngettext

from meridian.travel.choices import CustodyState, ReportState
from meridian.travel.models import CustodyItem, TripMember, TripReport
from meridian.travel.selectors.outcomes import partner_trip_outcomes  # noqa: F401 - re-exported

DEFAULT_GRACE_DAYS = 14


def suspension_grace_days() -> int:
    """``unit_suspension.grace_days`` of the rule set (calendar days); 14 where the rule set lacks it."""
    from meridian.travel.rules import parameter

    try:
        return int(parameter("unit_suspension", "grace_days"))
    except (KeyError, TypeError, ValueError):
        return DEFAULT_GRACE_DAYS


def overdue_reports(*, today: date) -> QuerySet[TripReport]:
    """Trip reports not yet submitted (draft) whose due date has passed, with trip and unit loaded."""
    return (
        TripReport.objects.filter(state=ReportState.DRAFT, due_on__lt=today)
        .select_related("trip", "trip__unit", "trip__applicant")
        .order_by("due_on", "pk")
    )


def overdue_custody(*, today: date) -> QuerySet[CustodyItem]:
    """Passports and permits issued and not back by their ``due_back_on``, with holder, unit and trip."""
    return (
        CustodyItem.objects.filter(state=CustodyState.ISSUED, due_back_on__lt=today)
        .select_related("holder", "unit", "trip", "document")
        .order_by("due_back_on", "pk")
    )


def persons_with_overdue_reports(*, person_ids: Iterable[int], today: date) -> set[int]:
    """Of ``person_ids``, those who travelled on a trip whose report is still a draft past its ``due_on``.

    The rule pack refuses new applications of these people (overdue reports block the same person).
    """
    ids = [int(p) for p in person_ids if p is not None]
    if not ids:
        return set()
    overdue = TripReport.objects.filter(state=ReportState.DRAFT, due_on__lt=today).values("trip_id")
    return set(
        TripMember.objects.filter(person_id__in=ids, trip_id__in=overdue).values_list("person_id", flat=True)
    )


def unit_suspension_reasons(*, unit_id: int, today: date) -> list[str]:
    """Why the unit's approvals are suspended (translated sentences, one per overdue item); [] when not.

    Counts the unit's own records (``CustodyItem.unit``, ``Trip.unit``), not those of its subunits.
    """
    grace = suspension_grace_days()
    limit = today - timedelta(days=grace)
    reasons: list[str] = []
    items = (
        CustodyItem.objects.filter(unit_id=unit_id, state=CustodyState.ISSUED, due_back_on__lt=limit)
        .select_related("holder", "document")
        .order_by("due_back_on", "pk")
    )
    for item in items:
        due_back = item.due_back_on or today  # the query selects only rows with a date
        late = (today - due_back).days
        reasons.append(
            ngettext(
                "The %(kind)s of %(holder)s was due back on %(date)s (%(days)s day ago).",
                "The %(kind)s of %(holder)s was due back on %(date)s (%(days)s days ago).",
                late,
            )
            % {
                "kind": item.document.get_kind_display().lower(),
                "holder": item.holder,
                "date": due_back.isoformat(),
                "days": late,
            }
        )
    reports = (
        TripReport.objects.filter(trip__unit_id=unit_id, state=ReportState.DRAFT, due_on__lt=limit)
        .select_related("trip")
        .order_by("due_on", "pk")
    )
    for report in reports:
        due = report.due_on or today  # the query selects only rows with a date
        late = (today - due).days
        reasons.append(
            ngettext(
                "The report of trip %(number)s was due on %(date)s (%(days)s day ago).",
                "The report of trip %(number)s was due on %(date)s (%(days)s days ago).",
                late,
            )
            % {"number": report.trip.number, "date": due.isoformat(), "days": late}
        )
    return reasons
