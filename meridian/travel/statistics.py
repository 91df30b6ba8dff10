"""Report datasets of official travel, listed on ``/reports/`` for CSV or XLSX download.

Trips are counted from approval by the university onwards (approved, externally approved, travelling,
returned, closed), by year of departure; the statistics page (``travel:stats``) filters by other states.
Each dataset shows only figures of the trips the user may see (``selectors.stats``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from django.utils.translation import gettext_lazy as _

from meridian.core.registry import ReportDataset, registry
from meridian.travel.selectors import stats

COUNT_COLUMNS = {
    "country": (("year", _("Year")), ("code", _("ISO code")), ("country", _("Country or territory")),
                ("trips", _("Trips"))),
    "unit": (("year", _("Year")), ("unit", _("Unit")), ("trips", _("Trips")),
             ("travellers", _("Travellers"))),
    "purpose": (("year", _("Year")), ("label", _("Purpose")), ("trips", _("Trips"))),
    "month": (("year", _("Year")), ("month", _("Month of departure")), ("trips", _("Trips"))),
}  # fmt: skip
LEAD_COLUMNS = (
    ("number", _("Number")),
    ("title", _("Title")),
    ("unit", _("Unit")),
    ("submitted", _("Submitted for approval")),
    ("approved", _("Approved by the university")),
    ("authorised", _("External approval recorded")),
    ("days_to_approval", _("Days to university approval")),
    ("days_to_external", _("Days to external approval")),
)
OVERDUE_COLUMNS = (
    ("unit", _("Unit")),
    ("reports", _("Trip reports overdue")),
    ("passports", _("Passports and permits overdue")),
)
TABLES: dict[str, Callable] = {
    "country": stats.by_country,
    "unit": stats.by_unit,
    "purpose": stats.by_purpose,
    "month": stats.by_month,
}


def yearly_rows(table: str, user) -> Iterator[dict]:
    """Rows of ``table`` for every year with trips, trips approved by the university and later."""
    compute = TABLES[table]
    for year in stats.stats_years(user=user):
        trips = stats.stats_trips(user=user, year=year, states=stats.states_for(stats.DEFAULT_STATES))
        for row in compute(trips):
            if table == "month" and not row["trips"]:
                continue
            yield {"year": year, **row}


def lead_time_rows(user) -> list[dict]:
    trips = stats.stats_trips(user=user, year=None, states=None)
    return stats.lead_times(trips).rows


def overdue_rows(user) -> list[dict]:
    return stats.overdue(user=user).rows


_LABELS = {
    "country": _("Official trips by country"),
    "unit": _("Official trips by unit"),
    "purpose": _("Official trips by purpose"),
    "month": _("Official trips by month of departure"),
}


def _register() -> None:
    for order, (table, label) in enumerate(_LABELS.items()):
        registry.report_datasets.add(
            ReportDataset(
                key=f"travel-trips-by-{table}",
                label=label,
                columns=COUNT_COLUMNS[table],
                rows=partial(yearly_rows, table),
                visible=stats.can_see_stats,
                order=60 + order,
            )
        )
    registry.report_datasets.add(
        ReportDataset(
            key="travel-lead-times",
            label=_("Official trips: approval lead times"),
            columns=LEAD_COLUMNS,
            rows=lead_time_rows,
            visible=stats.can_see_stats,
            order=65,
        )
    )
    registry.report_datasets.add(
        ReportDataset(
            key="travel-overdue",
            label=_("Official trips: overdue reports and passports"),
            columns=OVERDUE_COLUMNS,
            rows=overdue_rows,
            visible=stats.can_see_stats,
            order=66,
        )
    )


_register()
