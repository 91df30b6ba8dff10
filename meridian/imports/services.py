"""Spreadsheet import: a dry run that reports; a commit that is all or nothing; uploads kept in between.

Which kinds exist (partners, agreements, …) and how their rows are read comes from the registry; reading a
file through a kind's row handler is ``meridian.core.tabular.runner.run_import``. A file of more than
``IMPORT_JOB_THRESHOLD`` rows is checked and imported as a background job (see ``meridian.imports.jobs``),
with the same report as a small one.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.registry import registry
from meridian.core.tabular.report import ImportReport
from meridian.core.tabular.runner import FileArg, Progress, count_rows, run_import
from meridian.imports.kinds import importer_class, kind_entry
from meridian.imports.permissions import can_import


def job_threshold() -> int:
    """Files with more data rows than this are checked and imported as background jobs."""
    return int(getattr(settings, "IMPORT_JOB_THRESHOLD", 1000))


def import_dry_run(*, kind: str, file: FileArg, actor, progress: Progress | None = None) -> ImportReport:
    """Validate every row and report what an import would create and update; nothing is written.

    ``kind`` is a registered import kind (``ValueError`` otherwise); ``actor`` None is the system.
    """
    return _run(kind=kind, file=file, actor=actor, commit=False, progress=progress)


def import_commit(*, kind: str, file: FileArg, actor, progress: Progress | None = None) -> ImportReport:
    """Validate again and apply every row in one transaction; if any row fails, nothing is written."""
    return _run(kind=kind, file=file, actor=actor, commit=True, progress=progress)


def _run(*, kind: str, file: FileArg, actor, commit: bool, progress: Progress | None) -> ImportReport:
    """The hub's gate around ``run_import``: the kind must be registered and ``actor`` may run it."""
    if kind not in registry.import_kinds:
        raise ValueError(f"unknown import kind {kind!r}")
    if actor is not None and not (can_import(actor) and kind_entry(kind).permission(actor)):
        report = ImportReport(kind=kind)
        report.problem(None, "", _("You may not import spreadsheets."))
        return report
    return run_import(
        importer=importer_class(kind), kind=kind, file=file, actor=actor, commit=commit, progress=progress
    )


# Uploaded files kept between the dry run and the commit ----------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _keep_upload(uploaded_file: Any) -> tuple[Path, str, int]:
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{secrets.token_hex(16)}.upload"
    digest = hashlib.sha256()
    size = 0
    with open(stored, "wb") as target:
        for chunk in uploaded_file.chunks():
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return stored, digest.hexdigest(), size


def batch_create(*, owner, kind: str, uploaded_file: Any) -> Any:
    """Keep an upload privately under a random name, run the dry run and store its report.

    A file of more than ``IMPORT_JOB_THRESHOLD`` data rows is checked by a background job instead: the batch
    is returned with status "checking" and its ``job``. Raises ``DomainError`` for an unknown or forbidden
    kind.
    """
    from meridian.imports.models import ImportBatch

    if kind not in registry.import_kinds:
        raise DomainError(_("Choose what to import."))
    if not (can_import(owner) and kind_entry(kind).permission(owner)):
        raise PermissionDeniedError(_("You may not import spreadsheets."))
    stored, sha256, size = _keep_upload(uploaded_file)
    batch = ImportBatch(
        owner=owner,
        kind=kind,
        original_name=str(getattr(uploaded_file, "name", ""))[:255],
        stored_name=stored.name,
        sha256=sha256,
        size=size,
    )
    if count_rows(stored, stop_after=job_threshold() + 1) > job_threshold():
        from meridian.imports.jobs import start_check

        with transaction.atomic():
            batch.background = True
            batch.status = ImportBatch.Status.CHECKING
            batch.save()
            start_check(batch=batch)
        return batch
    report = import_dry_run(kind=kind, file=stored, actor=owner)
    if not report.ok:
        stored.unlink(missing_ok=True)  # a refused file is never committed, so it is not kept
    batch.status = ImportBatch.Status.CHECKED if report.ok else ImportBatch.Status.REFUSED
    batch.report = report.to_dict()
    batch.save()
    return batch


def batch_commit(*, batch: Any, actor) -> ImportReport | None:
    """Commit a checked upload: the file is read and validated again, then applied all or nothing.

    Returns the report; for a large file (checked in the background) it starts the import as a job instead
    and returns None (the batch, now "importing", names the job). Raises ``PermissionDeniedError`` for anyone
    but the uploader, ``DomainError`` when the batch is not ready or its file is gone or changed.
    """
    from meridian.imports.models import ImportBatch

    if batch.owner_id != getattr(actor, "pk", None) or not can_import(actor):
        raise PermissionDeniedError(_("You may not import this file."))
    with transaction.atomic():
        # The lock makes a double click (or two tabs) import once: the second sees the new status.
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.CHECKED:
            raise DomainError(_("This file has already been imported or cannot be imported."))
        path = batch.stored_path
        if not path.exists() or sha256_of(path) != batch.sha256:
            raise DomainError(_("The uploaded file is no longer available; upload it again."))
        if batch.background:
            from meridian.imports.jobs import start_commit

            batch.status = ImportBatch.Status.IMPORTING
            batch.save(update_fields=["status"])
            start_commit(batch=batch)
            return None
    report = import_commit(kind=batch.kind, file=path, actor=actor)
    batch_record_outcome(batch=batch, report=report)
    path.unlink(missing_ok=True)
    return report


def batch_record_outcome(*, batch: Any, report: ImportReport) -> None:
    """Store a commit's report on the batch: committed, or refused (the file must be corrected first).

    The kept file is the caller's to remove (a job removes it only once its transaction has committed).
    """
    from meridian.imports.models import ImportBatch

    batch.report = report.to_dict()
    if report.committed:
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = timezone.now()
    else:
        # Something changed since the dry run (another record, a new rule): the file must be corrected first.
        batch.status = ImportBatch.Status.REFUSED
    batch.save(update_fields=["report", "status", "committed_at"])
