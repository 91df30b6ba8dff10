"""Spreadsheet import of partners and agreements: a dry run that reports; a commit that is all or nothing."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.imports import columns as c
from meridian.imports.engine import PlannedRow, RowImporter
from meridian.imports.permissions import can_import
from meridian.imports.readers import ImportFileError, open_table
from meridian.imports.report import CREATE, UPDATE, ImportReport, RowOutcome

DEFAULT_MAX_ROWS = 20000

FileArg = str | Path | IO[bytes]


class _Rollback(Exception):
    """Raised inside the commit transaction to undo every row once any row failed."""


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def import_dry_run(*, kind: str, file: FileArg, actor) -> ImportReport:
    """Validate every row and report what an import would create and update; nothing is written."""
    return _run(kind=kind, file=file, actor=actor, commit=False)


def import_commit(*, kind: str, file: FileArg, actor) -> ImportReport:
    """Validate again and apply every row in one transaction; if any row fails, nothing is written."""
    return _run(kind=kind, file=file, actor=actor, commit=True)


@contextlib.contextmanager
def _binary(file: FileArg) -> Iterator[IO[bytes]]:
    if isinstance(file, (str, Path)):
        with open(file, "rb") as handle:
            yield handle
        return
    opened = getattr(file, "open", None)
    if getattr(file, "closed", False) and callable(opened):
        opened("rb")  # a Django File that was closed after upload
    yield file  # type: ignore[misc]


def _importer_class(kind: str) -> type[RowImporter]:
    from meridian.imports.agreement_rows import AgreementImporter
    from meridian.imports.partner_rows import PartnerImporter

    return PartnerImporter if kind == c.PARTNERS else AgreementImporter


def _read(stream: IO[bytes], report: ImportReport) -> tuple[dict[int, c.Column], dict[str, str], list] | None:
    """Read the header and rows; None (with problems reported) when the file cannot be imported at all."""
    try:
        table = open_table(stream)
        report.file_format = table.format
        found, ignored, repeated = c.match_headers(report.kind, table.headers)
        report.ignored_columns = ignored
        for header in repeated:
            report.problem(table.header_row, header, _("this column appears more than once"))
        present = {column.field for column in found.values()}
        for column in c.columns_for(report.kind):
            if column.required and column.field not in present:
                report.problem(
                    table.header_row,
                    f"{column.header_en} / {column.header_zh}",
                    _("this required column is missing"),
                )
        if report.problems:
            return None
        limit = max_rows()
        rows: list[tuple[int, list[object]]] = []
        for number, values in table.rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(rows) >= limit:
                raise ImportFileError(
                    _(
                        "The file has more than %(limit)s rows, the most one import accepts; "
                        "split it into smaller files."
                    )
                    % {"limit": f"{limit:,}"}
                )
            rows.append((number, values))
    except ImportFileError as exc:
        report.problem(None, "", exc.message)
        return None
    if not rows:
        report.problem(None, "", _("The file has a header row but no data rows."))
        return None
    headers = {column.field: str(table.headers[index]).strip() for index, column in found.items()}
    return found, headers, rows


def _plan(importer: RowImporter, rows: list) -> list[PlannedRow]:
    importer.prepare(rows)
    plans = []
    for number, raw in rows:
        values = importer.read_cells(number, raw)
        if values is None:
            continue
        planned = importer.plan(number, values)
        if planned is not None:
            plans.append(planned)
    return plans


def _run(*, kind: str, file: FileArg, actor, commit: bool) -> ImportReport:
    if kind not in c.KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    report = ImportReport(kind=kind)
    if actor is not None and not can_import(actor):
        report.problem(None, "", _("You may not import spreadsheets."))
        return report
    with _binary(file) as stream:
        read = _read(stream, report)
    if read is None:
        return report
    columns, headers, rows = read
    importer = _importer_class(kind)(actor=actor, report=report, columns=columns, headers=headers)
    try:
        # A dry run goes through the very same services as a commit and is then rolled back, so that it finds
        # every problem a commit would meet.
        with transaction.atomic():
            plans = _plan(importer, rows)
            _record(report, plans)
            if report.problems:
                raise _Rollback
            _apply(importer, plans, report)
            if report.problems or not commit:
                raise _Rollback
            report.committed = True
    except _Rollback:
        for outcome in report.rows:
            if outcome.action == CREATE:
                outcome.object_id = None
    return report


def _apply(importer: RowImporter, plans: list[PlannedRow], report: ImportReport) -> None:
    outcomes = {outcome.row: outcome for outcome in report.rows}
    for planned in plans:
        if planned.action not in (CREATE, UPDATE):
            continue
        try:
            with transaction.atomic():
                saved = importer.apply(planned)
        except (DomainError, ValidationError, DatabaseError) as exc:
            importer.report_error(planned.row, exc)
            continue
        outcomes[planned.row].object_id = saved.pk


def _record(report: ImportReport, plans: list[PlannedRow]) -> None:
    report.rows = [
        RowOutcome(
            row=planned.row,
            action=planned.action,
            label=planned.label,
            changes=planned.changes,
            object_id=getattr(planned.instance, "pk", None),
        )
        for planned in plans
    ]


# Uploaded files kept between the dry run and the commit ----------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def batch_create(*, owner, kind: str, uploaded_file: Any) -> Any:
    """Keep an upload privately under a random name, run the dry run and store its report."""
    from meridian.imports.models import ImportBatch

    if kind not in c.KINDS:
        raise DomainError(_("Choose what to import."))
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
    report = import_dry_run(kind=kind, file=stored, actor=owner)
    if not report.ok:
        stored.unlink(missing_ok=True)  # a refused file is never committed, so it is not kept
    return ImportBatch.objects.create(
        owner=owner,
        kind=kind,
        original_name=str(getattr(uploaded_file, "name", ""))[:255],
        stored_name=stored.name,
        sha256=digest.hexdigest(),
        size=size,
        status=ImportBatch.Status.CHECKED if report.ok else ImportBatch.Status.REFUSED,
        report=report.to_dict(),
    )


def batch_commit(*, batch: Any, actor) -> ImportReport:
    """Commit a checked upload: the file is read and validated again, then applied all or nothing."""
    from meridian.imports.models import ImportBatch

    if batch.owner_id != getattr(actor, "pk", None) or not can_import(actor):
        raise PermissionDeniedError(_("You may not import this file."))
    if batch.status != ImportBatch.Status.CHECKED:
        raise DomainError(_("This file has already been imported or cannot be imported."))
    path = batch.stored_path
    if not path.exists() or _sha256(path) != batch.sha256:
        raise DomainError(_("The uploaded file is no longer available; upload it again."))
    report = import_commit(kind=batch.kind, file=path, actor=actor)
    batch.report = report.to_dict()
    if report.committed:
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = timezone.now()
    else:
        # Something changed since the dry run (another record, a new rule): the file must be corrected first.
        batch.status = ImportBatch.Status.REFUSED
    path.unlink(missing_ok=True)
    batch.save(update_fields=["report", "status", "committed_at"])
    return report
