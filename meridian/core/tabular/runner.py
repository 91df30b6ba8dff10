"""Running a spreadsheet through a ``RowImporter``: a dry run that reports, or an all-or-nothing commit.

This is the part of an import that knows no kind, no upload and no permission: the import hub finds the kind
in the registry, checks who may run it and keeps uploads, then calls ``run_import``. The number of data rows
one file may have is the ``IMPORT_MAX_ROWS`` setting.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from meridian.core import bulk
from meridian.core.errors import DomainError
from meridian.core.privatefiles import PrivateFile
from meridian.core.tabular import columns as c
from meridian.core.tabular import readers
from meridian.core.tabular.engine import BulkRowError, PlannedRow, RowImporter
from meridian.core.tabular.readers import ImportFileError, open_table
from meridian.core.tabular.report import CREATE, UPDATE, ImportReport, RowOutcome

DEFAULT_MAX_ROWS = 200_000

FileArg = str | Path | PrivateFile | IO[bytes]
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
    """The most data rows one file may have (setting ``IMPORT_MAX_ROWS``, default 200,000)."""
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
    inside_transaction: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Read ``file`` (a path or a binary stream, CSV or XLSX) row by row through ``importer``.

    Every row is read, planned and checked first, outside any transaction (only reads). For an importer
    that plans in memory (``RowImporter.plans_in_memory``) that is the whole dry run (``commit=False``):
    it writes nothing and takes no write lock, so other users keep working. A commit then applies the rows
    in one short write transaction, through the bulk form of the services when the importer has one
    (``RowImporter.apply_bulk``), else row by row; it is kept only when no row has a problem (all or
    nothing), and per-record cache invalidation is sent once per changed model at the end
    (``meridian.core.bulk``). An importer without in-memory planning is dry-run through its services
    inside a transaction that is rolled back.
    ``actor`` is passed to the importer (None: the system); who may import is the caller's check.
    ``kind`` names the report (default ``importer.kind``); ``progress(done, total, message)`` is called
    while checking and while saving (per row, or per batch for a bulk write). ``options`` are the user's
    overrides of how the file is
    read (encoding, sheet, column mapping); ``decisions`` their choices for conflicting values
    (``{row: {field: "file" | "stored"}}``, see ``RowImporter.decisions``). ``inside_transaction(report)``
    runs inside the write transaction once every row of a commit is applied: what it writes (the upload
    marked as imported, for example) is kept with the rows or not at all; if it raises, nothing is written
    and the error propagates.

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
    if row_importer.plans_in_memory:
        # Planning only reads, so it runs before (and outside) the write transaction.
        plans = _plan(row_importer, rows, progress)
        _record(report, plans)
        if report.problems or not commit:
            return report
        _stage(row_importer, plans)
        if report.problems:
            return report
    try:
        with transaction.atomic(), bulk.one_signal_per_model():
            if not row_importer.plans_in_memory:
                # This importer's dry run goes through its services and is then rolled back.
                plans = _plan(row_importer, rows, progress)
                _record(report, plans)
                if report.problems:
                    raise _Rollback
            _apply(row_importer, plans, report, progress)
            if report.problems or not commit:
                raise _Rollback
            report.committed = True
            if inside_transaction is not None:
                inside_transaction(report)
    except _Rollback:
        for outcome in report.rows:
            if outcome.action == CREATE:
                outcome.object_id = None
    return report


def count_rows(file: FileArg, *, stop_after: int | None = None, options: ReadOptions | None = None) -> int:
    """Non-blank data rows in a file, counting no further than ``stop_after``; 0 when unreadable.

    ``options`` give the encoding and sheet to read (the column mapping does not matter here).
    """
    options = options or ReadOptions()
    try:
        with open_file(file) as stream:
            table = open_table(stream, encoding=options.encoding, sheet=options.sheet)
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
    """A binary stream for ``file``: a path or a file of the private store is opened (and closed after), a
    closed Django File is reopened."""
    if isinstance(file, (str, Path)):
        with open(file, "rb") as handle:
            yield handle
        return
    if isinstance(file, PrivateFile):
        with file.open() as handle:
            yield handle
        return
    opened = getattr(file, "open", None)
    if getattr(file, "closed", False) and callable(opened):
        opened("rb")  # a Django File that was closed after upload
    yield file  # type: ignore[misc]


def _read(
    stream: IO[bytes], report: ImportReport, declared: list[c.Column], options: ReadOptions
) -> tuple[dict[int, c.Column], dict[str, str], list] | None:
    """Read the header and rows; None (with problems reported) when the file cannot be imported at all.

    ``options`` override the detected encoding and sheet and map file headers to fields. The report says how
    the file was read (format, encoding, sheet and the other sheets, header row, the file's headers, the
    mapping used and a sample of decoded names); a required column still not found is a problem and marks
    the report ``needs_mapping`` so that the user can be asked which column holds it.
    """
    try:
        table = open_table(
            stream,
            encoding=options.encoding,
            sheet=options.sheet,
            header_score=functools.partial(c.header_score, declared),
        )
        _describe(report, table)
        found, ignored, repeated = c.match_headers_with_mapping(declared, table.headers, options.mapping)
        report.ignored_columns = ignored
        report.mapping = {_header_text(table.headers[index]): column.field for index, column in found.items()}
        for header in repeated:
            report.problem(table.header_row, header, _("this column appears more than once"))
        present = {column.field for column in found.values()}
        for column in declared:
            if column.required and column.field not in present and not present.intersection(column.fallbacks):
                report.needs_mapping = True
                report.problem(
                    table.header_row,
                    f"{column.header_en} / {column.header_zh}",
                    _("this required column is missing"),
                )
        if report.problems:
            report.sample = _sample(found, _first_rows(table.rows, SAMPLE_NAMES), fallback=0)
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
    report.sample = _sample(found, rows)
    headers = {column.field: _header_text(table.headers[index]) for index, column in found.items()}
    return found, headers, rows


SAMPLE_NAMES = 5


def _header_text(header: object) -> str:
    return str(header if header is not None else "").strip()


def _describe(report: ImportReport, table: readers.Table) -> None:
    """Record on the report how the file was read, so that the user can check it and choose otherwise."""
    report.file_format = table.format
    report.encoding = table.encoding or ""
    report.sheet = table.sheet or ""
    report.sheets = [str(name) for name in (table.sheets or [])]
    report.header_row = table.header_row
    report.headers = [_header_text(header) for header in table.headers]


def _first_rows(rows: Iterator[tuple[int, list[object]]], count: int) -> list[tuple[int, list[object]]]:
    """Up to ``count`` non-blank rows; the rest of the stream is closed (a workbook is released)."""
    first: list[tuple[int, list[object]]] = []
    try:
        for number, values in rows:
            if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                first.append((number, values))
                if len(first) >= count:
                    break
    finally:
        close = getattr(rows, "close", None)
        if callable(close):
            close()
    return first


def _sample(
    found: dict[int, c.Column], rows: list[tuple[int, list[object]]], *, fallback: int | None = None
) -> list[str]:
    """The first few values of the name column (else the first text column), decoded as read.

    A wrong text encoding shows at once in names ("MÃ¼nchen", "澶у"), which is why these are shown.
    ``fallback``: the file column to sample when no text column was recognised (None: no sample).
    """
    text_columns = [index for index, column in sorted(found.items()) if column.parse == c.TEXT]
    named = [index for index, column in found.items() if column.field == "name"]
    candidates: list[int | None] = [*named, *text_columns, fallback]
    position = candidates[0]
    if position is None:
        return []
    sample: list[str] = []
    for _number, values in rows:
        value = values[position] if position < len(values) else None
        if isinstance(value, str) and value.strip():
            sample.append(value.strip())
            if len(sample) >= SAMPLE_NAMES:
                break
    return sample


# Rows are read and then planned in chunks of this many, so that an importer can read the stored records a
# chunk matches in one go (``RowImporter.prefetch``).
PLAN_CHUNK = 1000


def _plan(importer: RowImporter, rows: list, progress: Progress | None) -> list[PlannedRow]:
    importer.prepare(rows)
    plans = []
    message = _("Checking rows")
    total = len(rows)
    for start in range(0, total, PLAN_CHUNK):
        chunk = []
        for offset, (number, raw) in enumerate(rows[start : start + PLAN_CHUNK]):
            values = importer.read_cells(number, raw)
            if values is not None:
                chunk.append((start + offset + 1, number, values))
        importer.prefetch([(number, values) for _done, number, values in chunk])
        for done, number, values in chunk:
            if progress is not None:
                progress(done, total, message)
            planned = importer.plan(number, values)
            if planned is not None and (planned.action not in (CREATE, UPDATE) or importer.check(planned)):
                plans.append(planned)
    if progress is not None and total:
        progress(total, total, message)
    return plans


def _apply(
    importer: RowImporter, plans: list[PlannedRow], report: ImportReport, progress: Progress | None
) -> None:
    outcomes = {outcome.row: outcome for outcome in report.rows}
    changing = [planned for planned in plans if planned.action in (CREATE, UPDATE)]
    message = _("Saving rows")
    if changing and _apply_bulk(importer, changing, outcomes, progress, message):
        return
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


def _stage(importer: RowImporter, plans: list[PlannedRow]) -> None:
    """The bulk form's read-only preparation, before the write transaction (problems go to the report)."""
    try:
        importer.stage_bulk([planned for planned in plans if planned.action in (CREATE, UPDATE)])
    except BulkRowError as exc:
        importer.report_error(exc.row, exc.error)
    except (DomainError, ValidationError) as exc:
        importer.report_error(None, exc)


def _apply_bulk(
    importer: RowImporter,
    changing: list[PlannedRow],
    outcomes: dict[int, RowOutcome],
    progress: Progress | None,
    message: str,
) -> bool:
    """Apply every row through the importer's bulk form; False when it has none (apply row by row)."""

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total, message)

    try:
        with transaction.atomic():
            saved = importer.apply_bulk(changing, step)
    except BulkRowError as exc:
        importer.report_error(exc.row, exc.error)
        return True
    except (DomainError, ValidationError, DatabaseError) as exc:
        importer.report_error(None, exc)  # not tied to one row
        return True
    if saved is None:
        return False
    for row, pk in saved.items():
        outcomes[row].object_id = pk
    return True


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
