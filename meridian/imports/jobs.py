"""Large imports as background jobs: checking an upload, importing it, and importing a file from the shell.

Each runner works inside the job's transaction: when it fails, nothing it wrote stays, and the failure hook
marks the upload refused with the reason, so the upload page never waits forever. The report a job produces
is the same ``ImportReport`` the synchronous path makes; it is kept on the batch and on the job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError
from meridian.core.privatefiles import IMPORTS, PrivateFile, new_private_file
from meridian.core.tabular.report import ImportReport
from meridian.core.tabular.runner import Progress, ReadOptions
from meridian.imports.models import ImportBatch
from meridian.imports.services import (
    batch_mark_imported,
    batch_record_outcome,
    import_commit,
    import_dry_run,
    import_file,
    report_keeps_file,
    sha256_of,
)
from meridian.jobs.models import JobRun
from meridian.jobs.services import JobFailed, job_progress, job_start

RESULT_TEMPLATE = "imports/job_report.html"


def _progress(job: JobRun) -> Progress:
    def report(done: int, total: int, message: str) -> None:
        job_progress(job, done=done, total=total, message=message)

    return report


def _locked_batch(batch_id: int, status: str) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().select_related("owner").filter(pk=batch_id).first()
    if batch is None or batch.status != status:
        raise JobFailed(_("This upload is not waiting for this step any more."))
    return batch


def start_check(*, batch: ImportBatch) -> JobRun:
    """Start the background dry run of a large upload (status "checking"); the batch keeps the job."""
    job = job_start(
        kind="imports.check",
        label=_("Check %(file)s") % {"file": batch.original_name},
        actor=batch.owner,
        runner=check_upload,
        params={"batch_id": batch.pk},
        subject=batch,
        result_template=RESULT_TEMPLATE,
        on_failure=refuse_upload,
    )
    batch.job = job
    batch.save(update_fields=["job"])
    return job


def start_commit(*, batch: ImportBatch, decisions: dict[str, dict[str, str]] | None = None) -> JobRun:
    """Start the background import of a checked large upload (status "importing").

    The batch's reading options are used; ``decisions`` (the user's choices for conflicting values,
    ``{row: {field: "file" | "stored"}}``) travel with the job.
    """
    job = job_start(
        kind="imports.commit",
        label=_("Import %(file)s") % {"file": batch.original_name},
        actor=batch.owner,
        runner=commit_upload,
        params={"batch_id": batch.pk, "decisions": decisions or {}},
        subject=batch,
        result_template=RESULT_TEMPLATE,
        on_failure=refuse_upload,
    )
    batch.job = job
    batch.save(update_fields=["job"])
    return job


def check_upload(job: JobRun, *, batch_id: int) -> dict[str, Any]:
    """Runner: the dry run of a kept upload; the batch becomes "checked" or "refused" with the report.

    Runs outside a job-wide transaction (``job_atomic = False``): the dry run only reads and takes no write
    lock, so other users keep writing while a large file is checked; the batch is updated in one short
    transaction at the end.
    """
    with transaction.atomic():
        _locked_batch(batch_id, ImportBatch.Status.CHECKING)
    batch = ImportBatch.objects.get(pk=batch_id)
    report = import_dry_run(
        kind=batch.kind,
        file=batch.stored_path,
        actor=batch.owner,
        progress=_progress(job),
        options=batch.read_options,
    )
    with transaction.atomic():
        batch = _locked_batch(batch_id, ImportBatch.Status.CHECKING)
        batch.report = report.to_dict()
        batch.status = ImportBatch.Status.CHECKED if report.ok else ImportBatch.Status.REFUSED
        batch.save(update_fields=["report", "status"])
        if not report_keeps_file(report):
            path = batch.stored_path
            transaction.on_commit(lambda: path.unlink(missing_ok=True))
    job.message = report.summary()
    return report.to_dict()


check_upload.job_atomic = False  # type: ignore[attr-defined]


def commit_upload(
    job: JobRun, *, batch_id: int, decisions: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """Runner: import a checked upload all or nothing; fails (with the report's problems) if any row fails.

    The batch's reading options and the user's ``decisions`` for conflicting values are applied. Runs
    outside a job-wide transaction (``job_atomic = False``): the rows are read and checked without a write
    lock, then written in one short write transaction (see ``run_import``), in which the batch is marked
    imported too (``batch_mark_imported``): a worker stopped at any point leaves either the rows and the mark
    or neither. A refused or failed import writes nothing.
    """
    with transaction.atomic():
        batch = _locked_batch(batch_id, ImportBatch.Status.IMPORTING)
    path = batch.stored_path
    if not path.exists() or sha256_of(path) != batch.sha256:
        raise JobFailed(_("The uploaded file is no longer available; upload it again."))
    report = import_commit(
        kind=batch.kind,
        file=path,
        actor=batch.owner,
        progress=_progress(job),
        options=batch.read_options,
        decisions=decisions,
        inside_transaction=lambda done: _mark_imported(batch_id, done),
    )
    if not report.committed:
        raise JobFailed(report.summary(), result=report.to_dict())
    job.message = report.summary()
    return report.to_dict()


def _mark_imported(batch_id: int, report: ImportReport) -> None:
    try:
        batch_mark_imported(batch_id=batch_id, report=report, expected=ImportBatch.Status.IMPORTING)
    except DomainError as exc:
        raise JobFailed(_("This upload is not waiting for this step any more.")) from exc


commit_upload.job_atomic = False  # type: ignore[attr-defined]


def refuse_upload(job: JobRun, *, batch_id: int, **_params: Any) -> None:
    """Failure hook: the upload of a failed job is refused with the job's report or reason; its file goes."""
    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None or not batch.in_progress:
        return
    if job.result:
        report = ImportReport.from_dict(job.result)
    else:
        report = ImportReport(kind=batch.kind)
        report.problem(None, "", job.message)
    batch_record_outcome(batch=batch, report=report)
    path = batch.stored_path
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


# Imports started from the shell ---------------------------------------------------------------------------


def start_file_import(
    *,
    kind: str,
    source: Path,
    actor: Any,
    dry_run: bool,
    options: ReadOptions | None = None,
    take_file_values: bool = False,
) -> JobRun:
    """Copy ``source`` into private storage and import it (or only check it) as a background job.

    ``options`` (encoding, sheet, column mapping) and ``take_file_values`` (the file's value for every
    conflicting field) travel with the job, as for the shell's foreground import.
    """
    options = options or ReadOptions()
    stored = new_private_file(IMPORTS, ".upload")
    with open(source, "rb") as handle:
        stored.write_chunks(iter(lambda: handle.read(1024 * 1024), b""))
    label = _("Check %(file)s") if dry_run else _("Import %(file)s")
    return job_start(
        kind="imports.check" if dry_run else "imports.commit",
        label=label % {"file": source.name},
        actor=actor,
        runner=import_stored_file,
        params={
            "kind": kind,
            "stored_name": stored.name,
            "dry_run": dry_run,
            "encoding": options.encoding,
            "sheet": options.sheet,
            "mapping": dict(options.mapping),
            "take_file_values": take_file_values,
        },
        result_template=RESULT_TEMPLATE,
        on_failure=remove_stored_file,
    )


def _stored(stored_name: str) -> PrivateFile:
    return PrivateFile(IMPORTS, stored_name)


def import_stored_file(
    job: JobRun,
    *,
    kind: str,
    stored_name: str,
    dry_run: bool,
    encoding: str = "",
    sheet: str = "",
    mapping: dict[str, str] | None = None,
    take_file_values: bool = False,
) -> dict[str, Any]:
    """Runner: the shell's background import; fails with the report's problems when anything is wrong."""
    path = _stored(stored_name)
    if not path.exists():
        raise JobFailed(_("The uploaded file is no longer available; upload it again."))
    report = import_file(
        kind=kind,
        file=path,
        actor=job.actor,
        commit=not dry_run,
        options=ReadOptions(encoding=encoding, sheet=sheet, mapping=dict(mapping or {})),
        take_file_values=take_file_values,
        progress=_progress(job),
    )
    if report.problems:
        raise JobFailed(report.summary(), result=report.to_dict())
    path.unlink(missing_ok=True)
    job.message = report.summary()
    return report.to_dict()


# The import plans without a write lock and writes in its own short transaction (see ``run_import``).
import_stored_file.job_atomic = False  # type: ignore[attr-defined]


def remove_stored_file(job: JobRun, *, stored_name: str, **_params: Any) -> None:
    """Failure hook of the shell's background import: the copied file is not kept."""
    _stored(stored_name).unlink(missing_ok=True)
