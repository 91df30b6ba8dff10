"""Running a spreadsheet through a ``RowImporter``: a dry run that reports, or an all-or-nothing commit.

This is the part of an import that knows no kind, no upload and no permission: the import hub finds the kind
in the registry, checks who may run it and keeps uploads, then calls ``run_import``. The number of data rows
one file may have is the ``IMPORT_MAX_ROWS`` setting.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError
from meridian.core.tabular import columns as c
from meridian.core.tabular.engine import PlannedRow, RowImporter
from meridian.core.tabular.readers import ImportFileError, open_table
from meridian.core.tabular.report import CREATE, UPDATE, ImportReport, RowOutcome

DEFAULT_MAX_ROWS = 20000

FileArg = str | Path | IO[bytes]
# progress(done, total, message): how far a long import got (the background job shows it).
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ReadOptions:
    """How the user asked for a file to be read; empty values mean "detect it".

    ``encoding``: a Python codec name for a CSV file. ``sheet``: a workbook sheet's name. ``mapping``: file
    header → field name of the kind (``""`` ignores that column), as chosen in the column-mapping step or
    saved as a named mapping.
    """

    encoding: str = ""
    sheet: str = ""
    mapping: dict[str, str] = field(default_factory=dict)


class _Rollback(Exception):
    """Raised inside the commit transaction to undo every row once any row failed."""


def max_rows() -> int:
    """The most data rows one file may have (setting ``IMPORT_MAX_ROWS``, default 20,000)."""
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def run_import(
    *,
    importer: type[RowImporter],
    file: FileArg,
    actor: Any,
    commit: bool,
    kind: str = "",
    progress: Progress | None = None,
    options: ReadOptions | None = None,
    decisions: dict[str, dict[str, str]] | None = None,
) -> ImportReport:
    """Read ``file`` (a path or a binary stream, CSV or XLSX) row by row through ``importer``.

    Every row is validated and applied through the importer's services inside one transaction. With
    ``commit=False`` (a dry run) the transaction is always rolled back, so the dry run meets every problem
    a commit would; with ``commit=True`` it is kept only when no row has a problem (all or nothing).
    ``actor`` is passed to the importer (None: the system); who may import is the caller's check.
    ``kind`` names the report (default ``importer.kind``); ``progress(done, total, message)`` is called
    once per row while checking and while saving. ``options`` are the user's overrides of how the file is
    read (encoding, sheet, column mapping); ``decisions`` their choices for conflicting values
    (``{row: {field: "file" | "stored"}}``, see ``RowImporter.decisions``).

    Returns the ``ImportReport``: rows to create, update or leave unchanged, and every problem (a file that
    cannot be read, a missing required column, a bad cell, a refused row). It raises nothing for bad input.
    """
    report = ImportReport(kind=kind or importer.kind)
    with open_file(file) as stream:
        read = _read(stream, report, importer.declared_columns(), options or ReadOptions())
    if read is None:
        return report
    columns, headers, rows = read
    row_importer = importer(actor=actor, report=report, columns=columns, headers=headers, decisions=decisions)
    try:
        # A dry run goes through the very same services as a commit and is then rolled back, so that it finds
        # every problem a commit would meet.
        with transaction.atomic():
            plans = _plan(row_importer, rows, progress)
            _record(report, plans)
            if report.problems:
                raise _Rollback
            _apply(row_importer, plans, report, progress)
            if report.problems or not commit:
                raise _Rollback
            report.committed = True
    except _Rollback:
        for outcome in report.rows:
            if outcome.action == CREATE:
                outcome.object_id = None
    return report


def count_rows(file: FileArg, *, stop_after: int | None = None) -> int:
    """Non-blank data rows in a file, counting no further than ``stop_after``; 0 when unreadable."""
    try:
        with open_file(file) as stream:
            table = open_table(stream)
            count = 0
            for _number, values in table.rows:
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                    count += 1
                    if stop_after is not None and count >= stop_after:
                        table.rows.close()  # type: ignore[attr-defined]
                        break
            return count
    except ImportFileError:
        return 0


@contextlib.contextmanager
def open_file(file: FileArg) -> Iterator[IO[bytes]]:
    """A binary stream for ``file``: a path is opened (and closed after), a closed Django File is reopened."""
    if isinstance(file, (str, Path)):
        with open(file, "rb") as handle:
            yield handle
        return
    opened = getattr(file, "open", None)
    if getattr(file, "closed", False) and callable(opened):
        opened("rb")  # a Django File that was closed after upload
    yield file  # type: ignore[misc]


def _read(
    stream: IO[bytes], report: ImportReport, declared: list[c.Column], options: ReadOptions
) -> tuple[dict[int, c.Column], dict[str, str], list] | None:
    """Read the header and rows; None (with problems reported) when the file cannot be imported at all."""
    try:
        table = open_table(stream)
        report.file_format = table.format
        found, ignored, repeated = c.match_headers(declared, table.headers)
        report.ignored_columns = ignored
        for header in repeated:
            report.problem(table.header_row, header, _("this column appears more than once"))
        present = {column.field for column in found.values()}
        for column in declared:
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


def _plan(importer: RowImporter, rows: list, progress: Progress | None) -> list[PlannedRow]:
    importer.prepare(rows)
    plans = []
    message = _("Checking rows")
    for done, (number, raw) in enumerate(rows, 1):
        if progress is not None:
            progress(done, len(rows), message)
        values = importer.read_cells(number, raw)
        if values is None:
            continue
        planned = importer.plan(number, values)
        if planned is not None:
            plans.append(planned)
    return plans


def _apply(
    importer: RowImporter, plans: list[PlannedRow], report: ImportReport, progress: Progress | None
) -> None:
    outcomes = {outcome.row: outcome for outcome in report.rows}
    changing = [planned for planned in plans if planned.action in (CREATE, UPDATE)]
    message = _("Saving rows")
    for done, planned in enumerate(changing, 1):
        if progress is not None:
            progress(done, len(changing), message)
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
            conflicts=planned.conflicts,
            possible_duplicates=planned.possible_duplicates,
            matched=planned.matched,
        )
        for planned in plans
    ]
