"""Import pages: upload and dry run, the report (read differently, map columns), the commit, saved mappings,
and blank template files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meridian.core.errors import DomainError
from meridian.core.spreadsheet import export_response
from meridian.core.tabular.report import ImportReport
from meridian.core.tabular.runner import ReadOptions, max_rows
from meridian.imports.forms import ReadingForm, UploadForm, decisions_from
from meridian.imports.kinds import columns_for, import_kinds
from meridian.imports.models import ImportBatch
from meridian.imports.permissions import can_change_mapping, can_use_imports
from meridian.imports.selectors import mappings_for
from meridian.imports.services import (
    batch_commit,
    batch_create,
    batch_recheck,
    job_threshold,
    keep_days,
    mapping_delete,
    mapping_misses,
    mapping_save,
)
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
        options = ReadOptions(
            encoding=form.cleaned_data["encoding"],
            sheet=form.cleaned_data["sheet"].strip(),
            mapping=form.cleaned_data["mapping"],
        )
        try:
            batch = batch_create(
                owner=request.user,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                options=options,
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
            "mappings": [
                (mapping, can_change_mapping(request.user, mapping))
                for mapping in mappings_for(user=request.user)
            ],
        },
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of an upload; ``?show=conflicts`` lists only the rows with conflicts to decide."""
    _require_importer(request)
    batch = _own_batch(request, pk)
    report = ImportReport.from_dict(batch.report) if batch.report else None
    reading = ReadingForm(batch=batch, report=report) if _can_reread(batch) else None
    return _report_page(request, batch, report, reading)


def _can_reread(batch: ImportBatch) -> bool:
    """A kept upload that is checked or refused may be read again with other options."""
    ready = batch.status in (ImportBatch.Status.CHECKED, ImportBatch.Status.REFUSED)
    return ready and batch.stored_path.exists()


def _report_page(
    request: HttpRequest, batch: ImportBatch, report: ImportReport | None, reading: ReadingForm | None
) -> HttpResponse:
    job = job_with_live_progress(batch.job) if batch.job is not None else None
    # A mapping (saved, or chosen for other headers) that does not fit the file is said, never ignored.
    missing = mapping_misses(mapping=batch.mapping or {}, headers=report.headers) if report else []
    mapped = [header for header, field_name in (batch.mapping or {}).items() if field_name]
    return render(
        request,
        "imports/report.html",
        {
            "batch": batch,
            "report": report,
            "job": job,
            "poll": POLL_SECONDS,
            "reading": reading,
            "decide": batch.status == ImportBatch.Status.CHECKED,
            "only_conflicts": request.GET.get("show") == "conflicts",
            "mapping_missing": missing,
            "mapping_unused": bool(missing) and len(missing) == len(mapped),
            "keep_days": keep_days(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_reread(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the upload again with the encoding, sheet and column mapping chosen on the report page.

    A form with errors is shown again here (the choices kept, the field marked); a success redirects to
    the report. A GET (a reload, a bookmark, a language switch after an error) goes to the report.
    """
    _require_importer(request)
    batch = _own_batch(request, pk)
    if request.method == "GET":
        query = request.GET.urlencode()
        return redirect(reverse("imports:batch", args=[batch.pk]) + (f"?{query}" if query else ""))
    report = ImportReport.from_dict(batch.report) if batch.report else None
    if not _can_reread(batch):
        messages.error(request, _("This file cannot be checked again; upload it again."))
        return redirect("imports:batch", pk=batch.pk)
    reading = ReadingForm(request.POST, batch=batch, report=report)
    if not reading.is_valid():
        return _report_page(request, batch, report, reading)
    mapping = reading.mapping()
    save_as = reading.cleaned_data["save_as"].strip()
    replaced = False
    if save_as:
        from meridian.imports.models import ColumnMapping

        replaced = ColumnMapping.objects.filter(kind=batch.kind, name=" ".join(save_as.split())).exists()
        try:
            saved = mapping_save(actor=request.user, kind=batch.kind, name=save_as, mapping=mapping)
        except DomainError as exc:
            # A taken name, an empty mapping: the name field says so, and nothing is checked again yet.
            reading.add_error("save_as", exc.message)
            return _report_page(request, batch, report, reading)
    try:
        batch_recheck(
            batch=batch,
            actor=request.user,
            encoding=reading.cleaned_data["encoding"],
            sheet=reading.cleaned_data["sheet"],
            mapping=mapping,
        )
    except DomainError as exc:
        reading.add_error(None, exc.message)
        return _report_page(request, batch, report, reading)
    if save_as and replaced:
        messages.success(
            request, _("The column mapping “%(name)s” was replaced by these choices.") % {"name": saved.name}
        )
    elif save_as:
        messages.success(request, _("The column mapping was saved."))
    return redirect("imports:batch", pk=batch.pk)


@login_required
@require_POST
def batch_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    batch = _own_batch(request, pk)
    checked = ImportReport.from_dict(batch.report) if batch.report else None
    try:
        report = batch_commit(
            batch=batch, actor=request.user, decisions=decisions_from(checked, request.POST)
        )
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


@login_required
@require_POST
def mapping_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a saved column mapping (the person who saved it, or an administrator)."""
    _require_importer(request)
    mapping = get_object_or_404(mappings_for(user=request.user), pk=pk)
    if not can_change_mapping(request.user, mapping):
        raise PermissionDenied(_("Only the person who saved this mapping or an administrator may delete it."))
    mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, _("The mapping “%(name)s” was deleted.") % {"name": mapping.name})
    return redirect("imports:start")
