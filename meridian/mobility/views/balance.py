"""The exchange balance page (``mobility:balance``) and its CSV/XLSX export (``mobility:balance_export``),
for the office, leadership and schools' coordinators (``permissions.can_see_balance``).

Both read the same filter (``filters_balance.BalanceFilter``); an invalid filter value is reported on the
page (and answered 400 by the export) and nothing is counted for it, so that figures of another year or
partner never pass for the ones asked for.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.core.spreadsheet import export_response
from meridian.mobility import permissions
from meridian.mobility.filters_balance import BalanceFilter
from meridian.mobility.selectors.balance import (
    balance_years,
    current_academic_year,
    exchange_balance,
    export_headers,
    export_rows,
)

FORMATS = ("csv", "xlsx")


def _allowed(request: HttpRequest) -> None:
    if not permissions.can_see_balance(request.user):
        raise PermissionDenied(
            _("The exchange balance is for the office, leadership and schools' coordinators.")
        )


@login_required
@require_GET
def balance_page(request: HttpRequest) -> HttpResponse:
    """Partner-year totals with their agreement rows, alerts marked; filters year, partner, direction and
    alerts only."""
    _allowed(request)
    data = request.GET.copy()
    if "year" not in data:  # first visit: this academic year ("All years" sends an empty year)
        data["year"] = str(current_academic_year())
    balance_filter = BalanceFilter(data, request=request)
    valid = balance_filter.is_valid()
    balance = exchange_balance(user=request.user, **balance_filter.balance_kwargs()) if valid else None
    context = {
        "filter": balance_filter,
        "balance": balance,
        "query": balance_filter.query() if valid else "",
        "gap": settings.MOBILITY_BALANCE_GAP,
        "ratio": settings.MOBILITY_BALANCE_RATIO,
        "current_year": current_academic_year(),
        "years": [str(y) for y in balance_years(user=request.user)],
        "selected_year": data.get("year", ""),
    }
    return render(request, "mobility/balance/page.html", context)


@login_required
@require_GET
def balance_export(request: HttpRequest) -> HttpResponse:
    """The balance as CSV (``?format=csv``, the default) or XLSX, with the page's filters (no year: every
    year)."""
    _allowed(request)
    fmt = request.GET.get("format", "").strip() or "csv"
    balance_filter = BalanceFilter(request.GET, request=request)
    problems = []
    if fmt not in FORMATS:
        problems.append(_("Format: “%(value)s” is not CSV or XLSX.") % {"value": fmt})
    if not balance_filter.is_valid():
        for name, errors in balance_filter.form.errors.items():
            label = balance_filter.form.fields[name].label if name in balance_filter.form.fields else name
            problems.extend(f"{label}: {error}" for error in errors)
    if problems:
        return HttpResponse(
            _("The filters are not valid: %(errors)s") % {"errors": "; ".join(problems)},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    kwargs = balance_filter.balance_kwargs()
    balance = exchange_balance(user=request.user, **kwargs)
    year = kwargs["year"] or "all"
    return export_response(
        fmt=fmt,
        filename=f"exchange-balance-{year}-{timezone.localdate():%Y%m%d}",
        headers=export_headers(),
        rows=export_rows(balance),
    )
