"""The statistics page of official travel and the CSV export of each of its tables."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.core.spreadsheet import csv_response
from meridian.travel.selectors import stats

YEARS = range(2000, 2101)


def _filters(request: HttpRequest) -> tuple[int | None, str, list[tuple[str, str]]]:
    """The chosen year (None: all years; default this year), the state filter (default: approved onwards)
    and (filter label, message) for each invalid value: an invalid value is never replaced by the default."""
    errors: list[tuple[str, str]] = []
    value = request.GET.get("year", "").strip()
    year: int | None
    if value == "all":
        year = None
    elif value.isdigit() and int(value) in YEARS:
        year = int(value)
    else:
        year = stats.stats_years(user=request.user)[0]
        if value:
            errors.append(
                (
                    _("Year of departure"),
                    _("“%(value)s” is not a year from %(first)s to %(last)s.")
                    % {"value": value, "first": YEARS[0], "last": YEARS[-1]},
                )
            )
    state = request.GET.get("state", "").strip() or stats.DEFAULT_STATES
    if state not in stats.STATE_GROUPS and state not in dict(stats.state_choices()):
        errors.append((_("State"), _("“%(value)s” is not one of the choices.") % {"value": state}))
        state = stats.DEFAULT_STATES
    return year, state, errors


def _allowed(request: HttpRequest) -> None:
    if not stats.can_see_stats(request.user):
        raise PermissionDenied(
            _("Statistics of official travel are for the office, leadership and unit coordinators.")
        )


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    year, state, errors = _filters(request)
    # With an invalid filter nothing is counted: figures of another year or state would pass for the asked.
    figures = None if errors else stats.trip_stats(user=request.user, year=year, state=state)
    context = {
        "figures": figures,
        "filter_errors": errors,
        "year": year,
        "state": state,
        "years": sorted({*stats.stats_years(user=request.user), *([year] if year else [])}, reverse=True),
        "state_choices": stats.state_choices(),
        "query": f"year={year or 'all'}&state={state}",
        "months": _months(figures) if figures is not None else [],
    }
    return render(request, "travel/stats/index.html", context)


def _months(figures: stats.TripStats) -> list[dict]:
    """Months with their name and the bar width (percent of the busiest month)."""
    top = max((m["trips"] for m in figures.months), default=0) or 1
    return [
        {**m, "label": MONTHS[m["month"]], "width": round(100 * m["trips"] / top)} for m in figures.months
    ]


def _table(table: str, figures: stats.TripStats) -> tuple[list[str], list[list[object]]]:
    if table == "country":
        return [_("ISO code"), _("Country or territory"), _("Trips")], [
            [r["code"], r["country"], r["trips"]] for r in figures.countries
        ]
    if table == "unit":
        return [_("Unit"), _("Trips"), _("Travellers")], [
            [r["unit"], r["trips"], r["travellers"]] for r in figures.units
        ]
    if table == "purpose":
        return [_("Purpose"), _("Trips")], [[r["label"], r["trips"]] for r in figures.purposes]
    if table == "month":
        return [_("Month of departure"), _("Trips")], [[r["month"], r["trips"]] for r in figures.months]
    if table == "lead":
        return [
            _("Number"), _("Title"), _("Unit"), _("Submitted for approval"), _("Approved by the university"),
            _("External approval recorded"), _("Days to university approval"), _("Days to external approval"),
        ], [
            [r["number"], r["title"], r["unit"], r["submitted"], r["approved"], r["authorised"],
             r["days_to_approval"], r["days_to_external"]]
            for r in figures.lead.rows
        ]  # fmt: skip
    if table == "overdue":
        return [_("Unit"), _("Trip reports overdue"), _("Passports and permits overdue")], [
            [r["unit"], r["reports"], r["passports"]] for r in figures.overdue.rows
        ]
    raise Http404


TABLES = ("country", "unit", "purpose", "month", "lead", "overdue")


@login_required
@require_GET
def stats_export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the statistics page as CSV, for the same year and state filter."""
    _allowed(request)
    if table not in TABLES:
        raise Http404
    year, state, errors = _filters(request)
    if errors:
        return HttpResponse(
            _("The filters are not valid: %(errors)s")
            % {"errors": "; ".join(f"{label}: {message}" for label, message in errors)},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    figures = stats.trip_stats(user=request.user, year=year, state=state)
    headers, rows = _table(table, figures)
    return csv_response(filename=f"travel-{table}-{year or 'all'}-{state}", headers=headers, rows=rows)


urlpatterns = [
    path("statistics/", stats_page, name="stats"),
    path("statistics/<slug:table>.csv", stats_export, name="stats_export"),
]
