"""Spreadsheet import: a dry run that reports; a commit that is all or nothing; uploads kept in between.

Which kinds exist (partners, agreements, …) and how their rows are read comes from the registry; reading a
file through a kind's row handler is ``meridian.core.tabular.runner.run_import``. A file of more than
``IMPORT_JOB_THRESHOLD`` rows is checked and imported as a background job (see ``meridian.imports.jobs``),
with the same report as a small one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.privatefiles import IMPORTS, PrivateFile, new_private_file, private_files
from meridian.core.registry import registry
from meridian.core.tabular.columns import header_key
from meridian.core.tabular.report import ImportReport
from meridian.core.tabular.runner import FileArg, Progress, ReadOptions, count_rows, run_import
from meridian.imports.kinds import columns_for, importer_class, kind_entry
from meridian.imports.permissions import can_change_mapping, can_import, can_import_kind, can_use_mapping


def job_threshold() -> int:
    """Files with more data rows than this are checked and imported as background jobs."""
    return int(getattr(settings, "IMPORT_JOB_THRESHOLD", 1000))


Decisions = dict[str, dict[str, str]]


def import_dry_run(
    *,
    kind: str,
    file: FileArg,
    actor,
    progress: Progress | None = None,
    options: ReadOptions | None = None,
    decisions: Decisions | None = None,
) -> ImportReport:
    """Validate every row and report what an import would create and update; nothing is written.

    ``kind`` is a registered import kind (``ValueError`` otherwise); ``actor`` None is the system.
    ``options``: how to read the file (encoding, sheet, column mapping; empty parts are detected).
    ``decisions``: ``{row number as text: {field: "file" | "stored"}}`` for conflicting values; without a
    decision the stored value is kept and only blank stored fields are filled.
    """
    return _run(
        kind=kind,
        file=file,
        actor=actor,
        commit=False,
        progress=progress,
        options=options,
        decisions=decisions,
    )


def import_commit(
    *,
    kind: str,
    file: FileArg,
    actor,
    progress: Progress | None = None,
    options: ReadOptions | None = None,
    decisions: Decisions | None = None,
    inside_transaction: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Validate again and apply every row in one transaction; if any row fails, nothing is written.

    ``options`` and ``decisions`` as for ``import_dry_run``. ``inside_transaction(report)`` runs inside the
    import's write transaction once every row is applied (the report is ``committed``): what it writes is
    kept with the rows or not at all, and when it raises, nothing of the import is kept (the error
    propagates). It is not called when the import writes nothing.
    """
    return _run(
        kind=kind,
        file=file,
        actor=actor,
        commit=True,
        progress=progress,
        options=options,
        decisions=decisions,
        inside_transaction=inside_transaction,
    )


def import_file(
    *,
    kind: str,
    file: FileArg,
    actor,
    commit: bool,
    options: ReadOptions | None = None,
    take_file_values: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Dry run or commit, optionally taking the file's value for every conflicting field (the shell's way).

    With ``take_file_values`` the file is first checked to learn its conflicts, then run again with the
    decision "file" for each of them; a file with problems is reported after the first pass.
    """
    decisions: Decisions = {}
    if take_file_values:
        first = import_dry_run(kind=kind, file=file, actor=actor, progress=progress, options=options)
        decisions = decisions_taking_file(first)
        if not first.ok or (not commit and not decisions):
            return first
    run = import_commit if commit else import_dry_run
    return run(kind=kind, file=file, actor=actor, progress=progress, options=options, decisions=decisions)


def decisions_taking_file(report: ImportReport) -> Decisions:
    """The decision "take the file's value" for every conflict of a dry run's ``report``."""
    return {
        str(row.row): {conflict["field"]: "file" for conflict in row.conflicts}
        for row in report.rows
        if row.conflicts
    }


def _run(
    *,
    kind: str,
    file: FileArg,
    actor,
    commit: bool,
    progress: Progress | None,
    options: ReadOptions | None = None,
    decisions: Decisions | None = None,
    inside_transaction: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """The hub's gate around ``run_import``: the kind must be registered and ``actor`` may run it."""
    if kind not in registry.import_kinds:
        raise ValueError(f"unknown import kind {kind!r}")
    if actor is not None and not (can_import(actor) and kind_entry(kind).permission(actor)):
        report = ImportReport(kind=kind)
        report.problem(None, "", _("You may not import spreadsheets."))
        return report
    report = run_import(
        importer=importer_class(kind),
        kind=kind,
        file=file,
        actor=actor,
        commit=commit,
        progress=progress,
        options=options,
        decisions=decisions,
        inside_transaction=inside_transaction,
    )
    return report


# Uploaded files kept between the dry run and the commit ----------------------------------------------------


def sha256_of(path: Path | PrivateFile) -> str:
    """The SHA-256 (hex) of a local file or of a kept upload in the private store."""
    if isinstance(path, PrivateFile):
        return path.sha256()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _keep_upload(uploaded_file: Any) -> tuple[PrivateFile, str, int]:
    """Keep an upload in the private store under a random name; returns it, its SHA-256 and its size."""
    stored = new_private_file(IMPORTS, ".upload")
    sha256, size = stored.write_chunks(uploaded_file.chunks())
    return stored, sha256, size


def batch_create(*, owner, kind: str, uploaded_file: Any, options: ReadOptions | None = None) -> Any:
    """Keep an upload privately under a random name, run the dry run and store its report.

    ``options`` (encoding, sheet, column mapping; empty parts are detected) are kept on the batch and used
    for its commit. A file of more than ``IMPORT_JOB_THRESHOLD`` data rows is checked by a background job
    instead: the batch is returned with status "checking" and its ``job``. Raises ``DomainError`` for an
    unknown kind, ``PermissionDeniedError`` for a kind ``owner`` may not import.
    """
    from meridian.imports.models import ImportBatch

    if kind not in registry.import_kinds:
        raise DomainError(_("Choose what to import."))
    if not (can_import(owner) and kind_entry(kind).permission(owner)):
        raise PermissionDeniedError(_("You may not import spreadsheets."))
    options = options or ReadOptions()
    if options.mapping:
        mapping_check(kind=kind, mapping=options.mapping)
    stored, sha256, size = _keep_upload(uploaded_file)
    batch = ImportBatch(
        owner=owner,
        kind=kind,
        original_name=str(getattr(uploaded_file, "name", ""))[:255],
        stored_name=stored.name,
        sha256=sha256,
        size=size,
        encoding=options.encoding,
        sheet=options.sheet,
        mapping=dict(options.mapping),
    )
    _check(batch)
    return batch


def batch_recheck(
    *, batch: Any, actor, encoding: str = "", sheet: str = "", mapping: dict[str, str] | None = None
) -> Any:
    """Check a kept upload again with other reading options: the encoding, the sheet and the column mapping.

    This is the report page's "read the file differently" and column-mapping step. ``mapping`` is file
    header → field of the kind (``""`` ignores the column). The batch must be checked or refused and its
    file still kept; the new report replaces the old one (a large file is checked again in the background).
    Raises ``PermissionDeniedError`` for anyone but the uploader, ``DomainError`` when the batch cannot be
    checked again or the mapping names an unknown field.
    """
    from meridian.imports.models import ImportBatch

    if batch.owner_id != getattr(actor, "pk", None) or not can_import_kind(actor, batch.kind):
        raise PermissionDeniedError(_("You may not import this file."))
    mapping = dict(mapping or {})
    if mapping:
        mapping_check(kind=batch.kind, mapping=mapping)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportBatch.Status.CHECKED, ImportBatch.Status.REFUSED):
            raise DomainError(_("This file has already been imported or cannot be checked again now."))
        path = batch.stored_path
        if not path.exists() or sha256_of(path) != batch.sha256:
            raise DomainError(_("The uploaded file is no longer available; upload it again."))
        batch.encoding = encoding
        batch.sheet = sheet
        batch.mapping = mapping
        batch.save(update_fields=["encoding", "sheet", "mapping"])
    _check(batch)
    return batch


def report_keeps_file(report: ImportReport) -> bool:
    """Whether a refused upload is kept: only when reading it differently may help.

    That is when a required column was not recognised (the mapping step), or a problem concerns the whole
    file or its header row (another encoding, sheet or mapping). A file refused for its rows must be
    corrected and uploaded again, so it is not kept.
    """
    if report.ok or report.needs_mapping:
        return True
    return any(problem.row is None or problem.row == report.header_row for problem in report.problems)


def _check(batch: Any) -> None:
    """Run (or start in the background) the dry run of a kept upload with its options; save the batch."""
    from meridian.imports.models import ImportBatch

    stored = batch.stored_path
    if count_rows(stored, stop_after=job_threshold() + 1, options=batch.read_options) > job_threshold():
        from meridian.imports.jobs import start_check

        with transaction.atomic():
            batch.background = True
            batch.status = ImportBatch.Status.CHECKING
            batch.save()
            start_check(batch=batch)
        return
    report = import_dry_run(kind=batch.kind, file=stored, actor=batch.owner, options=batch.read_options)
    batch.background = False
    if not report_keeps_file(report):
        stored.unlink(missing_ok=True)  # a file refused for its rows is never committed, so it is not kept
    batch.status = ImportBatch.Status.CHECKED if report.ok else ImportBatch.Status.REFUSED
    batch.report = report.to_dict()
    batch.save()


def batch_commit(*, batch: Any, actor, decisions: Decisions | None = None) -> ImportReport | None:
    """Commit a checked upload: the file is read and validated again, then applied all or nothing.

    The batch's reading options are used again; ``decisions`` are the user's choices for conflicting
    values (``{row number as text: {field: "file" | "stored"}}``; the default keeps stored values and fills
    blanks only).

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
            start_commit(batch=batch, decisions=decisions)
            return None
    report = import_commit(
        kind=batch.kind,
        file=path,
        actor=actor,
        options=batch.read_options,
        decisions=decisions,
        inside_transaction=lambda done: batch_mark_imported(
            batch_id=batch.pk, report=done, expected=ImportBatch.Status.CHECKED
        ),
    )
    if not report.committed:
        batch_record_outcome(batch=batch, report=report)
    batch.refresh_from_db()
    path.unlink(missing_ok=True)
    return report


def batch_mark_imported(*, batch_id: int, report: ImportReport, expected: str) -> Any:
    """Record a committed import on its upload, inside the import's own write transaction.

    Called as the commit's ``inside_transaction`` hook, so that the rows and the upload's "imported" mark
    are kept together or not at all: a process stopped halfway never leaves imported rows behind an upload
    that still offers to import them. The upload must still be in status ``expected`` (a second click, a
    second tab or an expiry in between raises ``DomainError``, which undoes the import). The kept file is
    removed once the transaction has committed. Returns the batch.
    """
    from meridian.imports.models import ImportBatch

    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None or batch.status != expected:
        raise DomainError(_("This file has already been imported or cannot be imported."))
    batch_record_outcome(batch=batch, report=report)
    path = batch.stored_path
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return batch


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


# Kept uploads that nobody imported ---------------------------------------------------------------------


DEFAULT_KEEP_DAYS = 14


def keep_days() -> int:
    """How many days an upload's file is kept for its import (setting ``IMPORT_KEEP_DAYS``, default 14)."""
    return int(getattr(settings, "IMPORT_KEEP_DAYS", DEFAULT_KEEP_DAYS))


def uploads_expire(*, now: datetime | None = None, days: int | None = None) -> dict[str, int]:
    """Delete the files of uploads kept longer than ``days`` (default ``keep_days()``) and never imported.

    Such an upload (checked, or refused but kept to be read differently) becomes "expired": its report
    stays, and its page says to upload the file again. Files in the imports folder that no upload or
    unfinished job names and that are as old are deleted too (a shell import stopped halfway). Uploads being
    checked or imported are left alone. Idempotent, for the daily scheduler. Returns
    ``{"expired": uploads marked, "orphans": stray files deleted}``. Raises ``ValueError`` for ``days`` < 1.
    """
    from meridian.imports.models import ImportBatch
    from meridian.jobs.models import JobRun

    now = now or timezone.now()
    days = keep_days() if days is None else days
    if days < 1:
        raise ValueError("uploads are kept for at least one day")
    before = now - timedelta(days=days)
    waiting = (ImportBatch.Status.CHECKED, ImportBatch.Status.REFUSED)
    expired = 0
    old = ImportBatch.objects.filter(status__in=waiting, created_at__lt=before)
    for pk in old.values_list("pk", flat=True):
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().filter(pk=pk, status__in=waiting).first()
            # A refused upload whose file is gone already (refused for its rows) has nothing to expire.
            if batch is None:
                continue
            if batch.status == ImportBatch.Status.REFUSED and not batch.stored_path.exists():
                continue
            batch.status = ImportBatch.Status.EXPIRED
            batch.save(update_fields=["status"])
            path = batch.stored_path
            transaction.on_commit(lambda path=path: path.unlink(missing_ok=True))
            expired += 1
    orphans = 0
    kept = private_files(IMPORTS, ".upload")
    if kept:
        named = set(
            ImportBatch.objects.exclude(
                status__in=[ImportBatch.Status.COMMITTED, ImportBatch.Status.EXPIRED]
            ).values_list("stored_name", flat=True)
        )
        unfinished = JobRun.objects.filter(state__in=[JobRun.State.QUEUED, JobRun.State.RUNNING])
        named |= {str((job.params or {}).get("stored_name", "")) for job in unfinished.only("params")}
        for stored in kept:
            if stored.name in named:
                continue
            written = stored.modified_at()
            if written is not None and written < before:
                stored.unlink(missing_ok=True)
                orphans += 1
    return {"expired": expired, "orphans": orphans}


# Saved column mappings -------------------------------------------------------------------------------------


MAPPING_NAME_MAX = 100


def mapping_check(*, kind: str, mapping: dict[str, str]) -> None:
    """Refuse a mapping (file header → field, ``""`` to ignore) that names a field the kind does not have.

    Two file columns may not be mapped to the same field. Raises ``DomainError`` with a message for people.
    """
    fields = {column.field for column in columns_for(kind)}
    used: set[str] = set()
    for header, field_name in mapping.items():
        if not isinstance(header, str) or not isinstance(field_name, str):
            raise DomainError(_("The column mapping is not valid."))
        if not field_name:
            continue
        if field_name not in fields:
            raise DomainError(_("Unknown field in the column mapping: %(field)s") % {"field": field_name})
        if field_name in used:
            raise DomainError(
                _("Two columns of the file are mapped to the same field: %(field)s") % {"field": field_name}
            )
        used.add(field_name)


def mapping_misses(*, mapping: dict[str, str], headers: list[str]) -> list[str]:
    """The headers of ``mapping`` (file header → field) that map to a field but are not among ``headers``.

    ``headers`` are a report's header cells as read. Headers are compared as the reader matches them:
    as written, then ignoring case, width and spaces. Columns the mapping ignores ("") do not count:
    their absence changes nothing. An empty ``headers`` (the file could not be read) misses nothing: there
    is no header row to compare with.
    """
    if not headers:
        return []
    present = {str(header).strip() for header in headers} | {header_key(header) for header in headers}
    return [
        header
        for header, field_name in mapping.items()
        if field_name and header.strip() not in present and header_key(header) not in present
    ]


def mapping_save(*, actor, kind: str, name: str, mapping: dict[str, str]) -> Any:
    """Save ``mapping`` (file header → field, ``""`` ignores the column) under ``name`` for the kind ``kind``.

    A mapping of the same name and kind is replaced when ``actor`` saved it or is an administrator. Raises
    ``PermissionDeniedError`` when ``actor`` may not import ``kind``, ``DomainError`` for an empty name, an
    invalid mapping or a name another person's mapping already has.
    """
    from meridian.imports.models import ColumnMapping

    if not can_import_kind(actor, kind):
        raise PermissionDeniedError(_("You may not import spreadsheets."))
    name = " ".join(str(name).split())
    if not name:
        raise DomainError(_("Give the mapping a name."))
    if len(name) > MAPPING_NAME_MAX:
        raise DomainError(_("The name is longer than %(limit)s characters.") % {"limit": MAPPING_NAME_MAX})
    mapping_check(kind=kind, mapping=mapping)
    if not any(mapping.values()):
        raise DomainError(_("The mapping maps no column to a field; there is nothing to save."))
    with transaction.atomic():
        existing = ColumnMapping.objects.select_for_update().filter(kind=kind, name=name).first()
        if existing is not None:
            if not can_change_mapping(actor, existing):
                raise DomainError(
                    _("A mapping called “%(name)s” already exists; choose another name.") % {"name": name}
                )
            existing.mapping = dict(mapping)
            existing.save(update_fields=["mapping", "updated_at"])
            return existing
        saved = ColumnMapping(kind=kind, name=name, mapping=dict(mapping), owner=actor)
        saved.full_clean()
        saved.save()
        return saved


def mapping_delete(*, actor, mapping: Any) -> None:
    """Delete a saved mapping; only the person who saved it or an administrator may."""
    if not can_change_mapping(actor, mapping):
        raise PermissionDeniedError(_("You may not delete this mapping."))
    mapping.delete()


def mapping_named(*, actor, kind: str, name: str) -> Any:
    """The saved mapping ``name`` of the kind ``kind`` that ``actor`` may use (None: the system may use any).

    Raises ``DomainError`` naming the saved mappings of the kind when there is none of that name.
    """
    from meridian.imports.models import ColumnMapping

    found = ColumnMapping.objects.filter(kind=kind, name=" ".join(str(name).split())).first()
    if found is not None and (actor is None or can_use_mapping(actor, found)):
        return found
    names = list(ColumnMapping.objects.filter(kind=kind).values_list("name", flat=True))
    if names:
        raise DomainError(
            _("No saved mapping called “%(name)s”. Saved mappings: %(names)s")
            % {"name": name, "names": ", ".join(names)}
        )
    raise DomainError(_("No saved mapping called “%(name)s”; none is saved yet.") % {"name": name})
