"""The reports page: every dataset the user may download, each as CSV or XLSX."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.core.registry import registry
from meridian.core.spreadsheet import export_response
from meridian.reports.permissions import can_download, datasets_for
from meridian.reports.selectors import dataset_headers, dataset_rows


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    datasets = datasets_for(request.user)
    if not datasets:
        raise PermissionDenied(_("You have no reports to download."))
    rows = [
        {"key": d.key, "label": d.label, "columns": [str(label) for _key, label in d.columns]}
        for d in datasets
    ]
    return render(request, "reports/list.html", {"datasets": rows})


@login_required
@require_GET
def report_download(request: HttpRequest, key: str) -> HttpResponse:
    """One dataset as CSV (default) or XLSX (``?format=xlsx``); 404 for a dataset the user may not have."""
    if not can_download(request.user, key):
        raise Http404
    dataset = registry.report_datasets.get(key)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    filename = f"{key}-{timezone.localdate():%Y%m%d}"
    return export_response(
        fmt=fmt,
        filename=filename,
        headers=dataset_headers(dataset),
        rows=dataset_rows(dataset, user=request.user),
    )
