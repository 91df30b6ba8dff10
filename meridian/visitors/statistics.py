"""Report datasets and public figures of the visitors context.

Report datasets (listed on ``/reports/`` for CSV or XLSX download), each with only the figures of the cases
the user may count (``selectors.stats``):

- visitors by country, organisation, category, host unit and month of arrival, one row per year with visits,
  counting visits approved and later (``visits``, ``guests``, and ``hosted``: hosted or closed);
- foreign experts on staff by work-permit category, nationality and host unit, one row per year; their talent
  programmes with the programme funds recorded (CNY); work and residence permits expired or expiring within
  90 days (as of today).

Public figures (placeholders of the Global Vision pages; aggregates only, no names): guests received this
year, the countries they came from, and foreign experts on staff this year.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.core.registry import CacheWatch, PublicFigure, ReportDataset, registry
from meridian.visitors.permissions import can_see_expert_records, can_see_visit_stats
from meridian.visitors.selectors import stats

VISIT_COLUMNS = (
    ("visits", _("Visits")),
    ("guests", _("Guests")),
    ("hosted", _("Visits hosted or closed")),
)
VISIT_KEY_COLUMNS: dict[str, tuple[tuple[str, Any], ...]] = {
    "country": (("key", _("ISO code")), ("label", _("Country or territory"))),
    "organisation": (("label", _("Organisation")),),
    "category": (("key", _("Code")), ("label", _("Category"))),
    "unit": (("label", _("Host unit")),),
    "month": (("key", _("Month of arrival")), ("label", _("Month name"))),
}
EXPERT_TABLES = {
    "category": (stats.experts_by_category, _("Foreign experts on staff by work-permit category"),
                 (("key", _("Category")), ("label", _("Category name")))),
    "country": (stats.experts_by_country, _("Foreign experts on staff by nationality"),
                (("key", _("ISO code")), ("label", _("Country or territory")))),
    "unit": (stats.experts_by_unit, _("Foreign experts on staff by host unit"), (("label", _("Host unit")),)),
}  # fmt: skip
EXPIRY_COLUMNS = (
    ("number", _("Number")),
    ("name", _("Expert")),
    ("unit", _("Host unit")),
    ("permit", _("Permit")),
    ("expires_on", _("Valid until")),
    ("days_left", _("Days left")),
)
PROGRAMME_COLUMNS = (
    ("year", _("Year")),
    ("label", _("Talent programme or project")),
    ("experts", _("Experts")),
    ("funds", _("Programme funds spent (CNY)")),
)


def visit_rows(table: str, user) -> Iterator[dict]:
    """Rows of the visit table ``table`` for every year with visits, counting visits approved and later."""
    compute = stats.VISIT_TABLES[table][0]
    for year in stats.visit_years(user=user):
        visits = stats.stats_visits(user=user, year=year, states=stats.states_for(stats.DEFAULT_STATES))
        for row in compute(visits):
            if table == "month" and not row["visits"]:
                continue
            yield {"year": year, **row}


def expert_rows(table: str, user) -> Iterator[dict]:
    """Rows of the expert table ``table`` for every year with experts on staff."""
    compute = EXPERT_TABLES[table][0]
    scope = stats.scope_hirings(user=user)
    for year in stats.expert_years(user=user):
        yield from ({"year": year, **row} for row in compute(stats.on_staff(scope, year)))


def programme_rows(user) -> Iterator[dict]:
    scope = stats.scope_hirings(user=user)
    for year in stats.expert_years(user=user):
        yield from ({"year": year, **row} for row in stats.talent_programmes(stats.on_staff(scope, year)))


def expiry_rows(user) -> list[dict]:
    rows = stats.expiring_permits(stats.scope_hirings(user=user), today=timezone.localdate())
    return [
        {
            "number": r.number,
            "name": r.name,
            "unit": r.unit,
            "permit": r.permit_label,
            "expires_on": r.expires_on,
            "days_left": r.days_left,
        }
        for r in rows
    ]


# --- public figures: aggregates over every visit (never names) ----------------------------------------------


def guests_this_year() -> int:
    """Guest places of visits arriving this calendar year that are under way or over (arrived, hosted or
    closed)."""
    from meridian.visitors.choices import VisitState
    from meridian.visitors.models import VisitGuest

    received = (VisitState.ARRIVED, VisitState.HOSTED, VisitState.CLOSED)
    return VisitGuest.objects.filter(
        visit__state__in=received, visit__arrive_on__year=timezone.localdate().year
    ).count()


def guest_countries_this_year() -> int:
    """Countries and regions of those guests (by nationality, else the visit's country of the guests)."""
    from meridian.visitors.choices import VisitState
    from meridian.visitors.models import Visit

    visits = Visit.objects.filter(
        state__in=(VisitState.ARRIVED, VisitState.HOSTED, VisitState.CLOSED),
        arrive_on__year=timezone.localdate().year,
    )
    return sum(1 for row in stats.visits_by_country(visits) if row["key"])


def experts_this_year() -> int:
    """Foreign experts and teachers on staff this calendar year (``selectors.stats.on_staff``)."""
    from meridian.visitors.models import ExpertHiring

    return stats.on_staff(ExpertHiring.objects.all(), timezone.localdate().year).count()


def _register() -> None:
    for order, (table, (_compute, label)) in enumerate(stats.VISIT_TABLES.items()):
        registry.report_datasets.add(
            ReportDataset(
                key=f"visitors-by-{table}",
                label=label,
                columns=(("year", _("Year")), *VISIT_KEY_COLUMNS[table], *VISIT_COLUMNS),
                rows=partial(visit_rows, table),
                visible=can_see_visit_stats,
                order=70 + order,
            )
        )
    for order, (table, (_fn, label, key_columns)) in enumerate(EXPERT_TABLES.items()):
        registry.report_datasets.add(
            ReportDataset(
                key=f"foreign-experts-by-{table}",
                label=label,
                columns=(("year", _("Year")), *key_columns, ("experts", _("Experts"))),
                rows=partial(expert_rows, table),
                visible=can_see_expert_records,
                order=76 + order,
            )
        )
    registry.report_datasets.add(
        ReportDataset(
            key="foreign-experts-programmes",
            label=_("Foreign experts: talent programmes and funds"),
            columns=PROGRAMME_COLUMNS,
            rows=programme_rows,
            visible=can_see_expert_records,
            order=79,
        )
    )
    registry.report_datasets.add(
        ReportDataset(
            key="foreign-experts-expiring-permits",
            label=_("Foreign experts: permits expired or expiring within 90 days"),
            columns=EXPIRY_COLUMNS,
            rows=expiry_rows,
            visible=can_see_expert_records,
            order=80,
        )
    )
    figures = (
        ("visitors_guests", _("Foreign guests received this year"), guests_this_year,
         _("Guests of visits that arrived this calendar year (arrived, hosted or closed); a guest on two "
           "visits counts twice.")),
        ("visitors_countries", _("Countries and regions of this year's guests"), guest_countries_this_year,
         _("Number of countries and regions this year's guests came from (by nationality).")),
        ("foreign_experts", _("Foreign experts on staff this year"), experts_this_year,
         _("Foreign experts and teachers on staff this calendar year (arrived under their contract, or left "
           "during the year).")),
    )  # fmt: skip
    for order, (key, label, compute, description) in enumerate(figures):
        registry.public_figures.add(
            PublicFigure(key=key, label=label, compute=compute, description=description, order=70 + order)
        )

    # Guests are saved when they arrive (``services.arrivals``), which renews the public figures. Visits and
    # hiring cases are not watched: they carry ``updated_at``, which would add a query to every public page
    # (the directory's data version); the experts figure follows within the figures' cache time (a day).
    def _watched() -> list[Any]:
        from meridian.visitors.models import VisitGuest

        return [VisitGuest]

    registry.cache_watches.add(CacheWatch(key="visitors-figures", group="public", models=_watched))


_register()
