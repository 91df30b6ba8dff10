"""The statistics page of visitors (``visitors:stats``) and the annual records of foreign experts
(``visitors:expert_records``), each table exportable as CSV or XLSX with the same filters.

An invalid filter value is reported on the page (and answered 400 by the exports); nothing is counted for
it, so that figures of another year or state never pass for the ones asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.core.spreadsheet import export_response
from meridian.visitors.permissions import can_see_expert_records, can_see_visit_stats
from meridian.visitors.selectors import stats

YEARS = range(2000, 2101)
FORMATS = ("csv", "xlsx")
Errors = list[tuple[str, str]]


def _year(request: HttpRequest, *, label: str, default: int, allow_all: bool) -> tuple[int | None, Errors]:
    """The chosen year (None for "all" where allowed; ``default`` when not given) and the error of an invalid
    value (then ``default`` is returned, but callers count nothing)."""
    value = request.GET.get("year", "").strip()
    if not value:
        return default, []
    if allow_all and value == "all":
        return None, []
    if value.isdigit() and int(value) in YEARS:
        return int(value), []
    message = _("“%(value)s” is not a year from %(first)s to %(last)s.") % {
        "value": value,
        "first": YEARS[0],
        "last": YEARS[-1],
    }
    return default, [(label, message)]


def _visit_filters(request: HttpRequest) -> tuple[int | None, str, Errors]:
    """Year of arrival (default this year; "all" for every year), the state filter (default: approved and
    later) and (filter label, message) for each invalid value."""
    year, errors = _year(
        request, label=_("Year of arrival"), default=timezone.localdate().year, allow_all=True
    )
    state = request.GET.get("state", "").strip() or stats.DEFAULT_STATES
    if not stats.is_state_choice(state):
        errors.append((_("State"), _("“%(value)s” is not one of the choices.") % {"value": state}))
        state = stats.DEFAULT_STATES
    return year, state, errors


def _format(request: HttpRequest) -> tuple[str, Errors]:
    """The export format (``csv`` by default, or ``xlsx``) and the error of any other value."""
    fmt = request.GET.get("format", "").strip() or "csv"
    if fmt not in FORMATS:
        return "csv", [(_("Format"), _("“%(value)s” is not CSV or XLSX.") % {"value": fmt})]
    return fmt, []


def _invalid(errors: Errors) -> HttpResponse:
    return HttpResponse(
        _("The filters are not valid: %(errors)s")
        % {"errors": "; ".join(f"{label}: {message}" for label, message in errors)},
        status=400,
        content_type="text/plain; charset=utf-8",
    )


# --- visitors -----------------------------------------------------------------------------------------------


def _allowed_stats(request: HttpRequest) -> None:
    if not can_see_visit_stats(request.user):
        raise PermissionDenied(
            _("Statistics of visitors are for the office, leadership and unit secretaries.")
        )


def _tables(figures: stats.VisitStats) -> list[dict[str, Any]]:
    """The page's tables: key, title, the first column's heading and rows (month rows with a bar width)."""
    headings = {
        "country": _("Country or territory"),
        "organisation": _("Organisation"),
        "category": _("Category"),
        "unit": _("Host unit"),
        "month": _("Month of arrival"),
    }
    tables = []
    for key, (_compute, title) in stats.VISIT_TABLES.items():
        rows = figures.tables[key]
        if key == "month":
            top = max((r["visits"] for r in rows), default=0) or 1
            rows = [{**r, "width": round(100 * r["visits"] / top)} for r in rows]
        tables.append({"key": key, "title": title, "heading": headings[key], "rows": rows})
    return tables


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    _allowed_stats(request)
    year, state, errors = _visit_filters(request)
    figures = None if errors else stats.visit_stats(user=request.user, year=year, state=state)
    context = {
        "figures": figures,
        "tables": _tables(figures) if figures is not None else [],
        "filter_errors": errors,
        "year": year,
        "state": state,
        "years": sorted({*stats.visit_years(user=request.user), *([year] if year else [])}, reverse=True),
        "state_choices": stats.state_choices(),
        "query": f"year={year or 'all'}&state={state}",
        "can_see_experts": can_see_expert_records(request.user),
    }
    return render(request, "visitors/stats/index.html", context)


def _visit_table(table: str, figures: stats.VisitStats) -> tuple[list[str], Sequence[Sequence[object]]]:
    first: dict[str, list[str]] = {
        "country": [_("ISO code"), _("Country or territory")],
        "organisation": [_("Organisation")],
        "category": [_("Code"), _("Category")],
        "unit": [_("Host unit")],
        "month": [_("Month of arrival"), _("Month name")],
    }
    keyed = len(first[table]) == 2
    headers = [*first[table], _("Visits"), _("Guests"), _("Visits hosted or closed")]
    rows = [
        [*([r["key"]] if keyed else []), r["label"], r["visits"], r["guests"], r["hosted"]]
        for r in figures.tables[table]
    ]
    return headers, rows


@login_required
@require_GET
def stats_export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the statistics page as CSV (``?format=csv``, the default) or XLSX, same filters."""
    _allowed_stats(request)
    if table not in stats.VISIT_TABLES:
        raise Http404
    fmt, format_errors = _format(request)
    year, state, errors = _visit_filters(request)
    errors += format_errors
    if errors:
        return _invalid(errors)
    figures = stats.visit_stats(user=request.user, year=year, state=state)
    headers, rows = _visit_table(table, figures)
    return export_response(
        fmt=fmt, filename=f"visitors-{table}-{year or 'all'}-{state}", headers=headers, rows=rows
    )


# --- foreign experts ----------------------------------------------------------------------------------------


def _allowed_records(request: HttpRequest) -> None:
    if not can_see_expert_records(request.user):
        raise PermissionDenied(
            _("The records of foreign experts are for the office, leadership and unit secretaries.")
        )


def _records_year(request: HttpRequest) -> tuple[int, Errors]:
    year, errors = _year(request, label=_("Year"), default=timezone.localdate().year, allow_all=False)
    return year or timezone.localdate().year, errors


@login_required
@require_GET
def expert_records(request: HttpRequest) -> HttpResponse:
    _allowed_records(request)
    year, errors = _records_year(request)
    records = None if errors else stats.expert_records(user=request.user, year=year)
    context = {
        "records": records,
        "filter_errors": errors,
        "year": year,
        "years": sorted({*stats.expert_years(user=request.user), year}, reverse=True),
        "windows": [(d, records.expiry[str(d)]) for d in stats.EXPIRY_WINDOWS] if records else [],
        "query": f"year={year}",
        "can_see_stats": can_see_visit_stats(request.user),
    }
    return render(request, "visitors/stats/experts.html", context)


EXPERT_TABLES = ("category", "country", "unit", "programmes", "expiring")


def _records_table(table: str, records: stats.ExpertRecords) -> tuple[list[str], Sequence[Sequence[object]]]:
    if table == "category":
        return [_("Category"), _("Category name"), _("Experts")], [
            [r["key"], r["label"], r["experts"]] for r in records.categories
        ]
    if table == "country":
        return [_("ISO code"), _("Country or territory"), _("Experts")], [
            [r["key"], r["label"], r["experts"]] for r in records.countries
        ]
    if table == "unit":
        return [_("Host unit"), _("Experts")], [[r["label"], r["experts"]] for r in records.units]
    if table == "programmes":
        return [_("Talent programme or project"), _("Experts"), _("Programme funds spent (CNY)")], [
            # A number in the spreadsheet (Decimal would be written as text).
            [r["label"], r["experts"], float(r["funds"])]
            for r in records.programmes
        ]
    return [
        _("Number"), _("Expert"), _("Host unit"), _("Permit"), _("Valid until"), _("Days left"),
    ], [
        [r.number, r.name, r.unit, r.permit_label, r.expires_on, r.days_left] for r in records.expiring
    ]  # fmt: skip


@login_required
@require_GET
def expert_records_export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the expert records as CSV (default) or XLSX (``?format=xlsx``), for the same year."""
    _allowed_records(request)
    if table not in EXPERT_TABLES:
        raise Http404
    fmt, format_errors = _format(request)
    year, errors = _records_year(request)
    errors += format_errors
    if errors:
        return _invalid(errors)
    records = stats.expert_records(user=request.user, year=year)
    headers, rows = _records_table(table, records)
    return export_response(fmt=fmt, filename=f"foreign-experts-{table}-{year}", headers=headers, rows=rows)


urlpatterns = [
    path("statistics/", stats_page, name="stats"),
    path("statistics/<slug:table>/export/", stats_export, name="stats_export"),
    path("experts/records/", expert_records, name="expert_records"),
    path("experts/records/<slug:table>/export/", expert_records_export, name="expert_records_export"),
]
