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
from meridian.core.tabular.report import ImportReport
from meridian.core.tabular.runner import max_rows
from meridian.imports.forms import UploadForm
from meridian.imports.kinds import columns_for, import_kinds
from meridian.imports.models import ImportBatch
from meridian.imports.permissions import can_use_imports
from meridian.imports.services import batch_commit, batch_create, job_threshold
from meridian.jobs.selectors import job_with_live_progress
from meridian.jobs.views import POLL_SECONDS

RECENT_BATCHES = 10


def _require_importer(request: HttpRequest) -> None:
    if not can_use_imports(request.user):
        raise PermissionDenied(_("Only International Office officers and administrators may import."))


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    # Someone else's upload answers 404: its existence is not for others to learn.
    return get_object_or_404(ImportBatch.objects.select_related("job"), pk=pk, owner_id=request.user.pk)


@login_required
def start(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = batch_create(
                owner=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
            )
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc
        return redirect("imports:batch", pk=batch.pk)
    recent = ImportBatch.objects.filter(owner_id=request.user.pk).only(
        "id", "kind", "original_name", "status", "created_at"
    )[:RECENT_BATCHES]
    templates = [
        {"kind": kind.key, "label": kind.label, "columns": columns_for(kind.key)}
        for kind in import_kinds(request.user)
    ]
    return render(
        request,
        "imports/start.html",
        {
            "form": form,
            "recent": recent,
            "templates": templates,
            "max_rows": max_rows(),
            "job_threshold": job_threshold(),
        },
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    batch = _own_batch(request, pk)
    report = ImportReport.from_dict(batch.report) if batch.report else None
    job = job_with_live_progress(batch.job) if batch.job is not None else None
    return render(
        request,
        "imports/report.html",
        {"batch": batch, "report": report, "job": job, "poll": POLL_SECONDS},
    )


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
    if report is None:
        messages.info(request, _("The import runs in the background; this page shows its progress."))
    elif report.committed:
        messages.success(request, report.summary())
    else:
        messages.error(request, report.summary())
    return redirect("imports:batch", pk=batch.pk)


@login_required
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A blank file with the column headers, in English or (lang=zh) Chinese."""
    _require_importer(request)
    if kind not in {entry.key for entry in import_kinds(request.user)} or fmt not in ("csv", "xlsx"):
        raise Http404
    chinese = request.GET.get("lang") == "zh"
    headers = [column.header_zh if chinese else column.header_en for column in columns_for(kind)]
    filename = f"meridian-{kind}-template{'-zh' if chinese else ''}"
    return export_response(fmt=fmt, filename=filename, headers=headers, rows=[])
