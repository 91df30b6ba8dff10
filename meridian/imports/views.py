"""Import pages: upload and dry run, the report, the commit, and blank template files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meridian.core.errors import DomainError
from meridian.core.spreadsheet import export_response
from meridian.imports.columns import KINDS, columns_for
from meridian.imports.forms import UploadForm
from meridian.imports.models import ImportBatch
from meridian.imports.permissions import can_import
from meridian.imports.report import ImportReport
from meridian.imports.services import batch_commit, batch_create, max_rows

RECENT_BATCHES = 10


def _require_importer(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied(_("Only International Office officers and administrators may import."))


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    # Someone else's upload answers 404: its existence is not for others to learn.
    return get_object_or_404(ImportBatch, pk=pk, owner=request.user)


@login_required
def start(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = batch_create(
            owner=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
        )
        return redirect("imports:batch", pk=batch.pk)
    recent = ImportBatch.objects.filter(owner=request.user).only(
        "id", "kind", "original_name", "status", "created_at"
    )[:RECENT_BATCHES]
    templates = [
        {"kind": kind, "label": ImportBatch.Kind(kind).label, "columns": columns_for(kind)} for kind in KINDS
    ]
    return render(
        request,
        "imports/start.html",
        {"form": form, "recent": recent, "templates": templates, "max_rows": max_rows()},
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    batch = _own_batch(request, pk)
    report = ImportReport.from_dict(batch.report)
    return render(request, "imports/report.html", {"batch": batch, "report": report})


@login_required
@require_POST
def batch_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    batch = _own_batch(request, pk)
    try:
        report = batch_commit(batch=batch, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:batch", pk=batch.pk)
    if report.committed:
        messages.success(request, report.summary())
    else:
        messages.error(request, report.summary())
    return redirect("imports:batch", pk=batch.pk)


@login_required
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A blank file with the column headers, in English or (lang=zh) Chinese."""
    _require_importer(request)
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    chinese = request.GET.get("lang") == "zh"
    headers = [column.header_zh if chinese else column.header_en for column in columns_for(kind)]
    filename = f"meridian-{kind}-template{'-zh' if chinese else ''}"
    return export_response(fmt=fmt, filename=filename, headers=headers, rows=[])
