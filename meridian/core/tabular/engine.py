"""What every import kind shares: reading a row's cells through its columns and turning errors into problems.

Each kind subclasses ``RowImporter`` in its own context (for example the partners app's ``import_rows``) and
registers it as an ``ImportKind`` in the registry; the import pages and services find kinds only there.
``meridian.core.tabular.runner.run_import`` reads a file through a ``RowImporter``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from meridian.core.bulk import BulkRowError
from meridian.core.errors import DomainError, DuplicateError
from meridian.core.tabular import columns as c
from meridian.core.tabular import parsing as p
from meridian.core.tabular.report import ImportReport
from meridian.core.text import clean_spaces

# Cell kinds every importer reads the same way; any other kind is resolved by the importer itself.
CELL_PARSERS = {
    c.TEXT: p.parse_text,
    c.DATE: p.parse_date,
    c.BOOL: p.parse_bool,
    c.INT: p.parse_int,
    c.DECIMAL: p.parse_decimal,
    c.LIST: p.parse_list,
    c.WEBSITE: p.parse_website,
    c.ROR: p.parse_ror,
    c.LANGUAGES: p.parse_languages,
}


# progress(done, total): rows written so far by a bulk write.
BulkProgress = Callable[[int, int], None]
__all__ = ["BulkProgress", "BulkRowError", "PlannedRow", "RowImporter", "differs"]


@dataclass
class PlannedRow:
    """One row after validation: what to do and with which values."""

    row: int
    action: str
    label: str
    instance: Any = None
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    possible_duplicates: list[dict] = field(default_factory=list)
    matched: str = ""


class RowImporter(ABC):
    """Base class: subclasses resolve look-up columns, plan a row and apply a plan through the services."""

    kind: str = ""

    def __init__(
        self,
        *,
        actor,
        report: ImportReport,
        columns: dict[int, c.Column],
        headers: dict[str, str],
        decisions: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.actor = actor
        # The user's choices for conflicting values: {row number as text: {field: "file" | "stored"}}.
        # Without a choice the stored value is kept and only blank stored fields are filled.
        self.decisions = decisions or {}
        self.report = report
        self.columns = columns
        # field → header as written in the file, so that problems name the column the user sees.
        self.headers = headers

    @classmethod
    @abstractmethod
    def declared_columns(cls) -> list[c.Column]:
        """Every column this kind understands (English and Chinese headers, synonyms, how cells are read)."""

    def header(self, field_name: str) -> str:
        if field_name in self.headers:
            return self.headers[field_name]
        for column in self.declared_columns():
            if column.field == field_name:
                return column.header_en
        return ""

    def prepare(self, rows: list[tuple[int, list[object]]]) -> None:  # noqa: B027 - optional hook
        """Load what look-ups need in a few queries before the rows are planned (optional)."""

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:  # noqa: B027 - optional hook
        """Called with the next rows' read cells (``(row number, values)``, up to ``PLAN_CHUNK`` rows) before
        they are planned: an importer reads the stored records they match here, in one go."""

    @abstractmethod
    def resolve(self, column: c.Column, value: object) -> Any:
        """Turn one cell into the value the service expects (raise ValueError with a reason)."""

    @abstractmethod
    def plan(self, number: int, values: dict[str, Any]) -> PlannedRow | None:
        """Decide whether row `number` creates, updates or leaves a record unchanged."""

    @abstractmethod
    def apply(self, planned: PlannedRow) -> models.Model:
        """Write one planned row through the services."""

    # Optional bulk form ------------------------------------------------------------------------------------

    # True when ``plan`` and ``check`` find everything the services would refuse, so that a dry run plans in
    # memory only (no service runs, nothing is written, no write lock is taken). An importer that leaves it
    # False is dry-run through its services inside a transaction that is rolled back.
    plans_in_memory: bool = False

    def check(self, planned: PlannedRow) -> bool:
        """Validate a planned row the way its service would, without writing (optional; True: no problem).

        Called for every row that creates or updates a record, in the dry run and before a commit; report
        each problem with ``self.report.problem`` (or ``report_validation``) and return False.
        """
        return True

    def stage_bulk(self, plans: list[PlannedRow]) -> None:  # noqa: B027 - optional hook
        """Before a commit's write transaction: do the bulk form's read-only work (building and checking
        the records to write) so that the write transaction stays short (optional).

        ``plans`` are the rows that create or update a record. Raise ``BulkRowError`` to name a refused row.
        """

    def apply_bulk(
        self, plans: list[PlannedRow], progress: BulkProgress | None = None
    ) -> dict[int, Any] | None:
        """Write every planned row that creates or updates a record at once, through the bulk form of the
        services (optional). Returns ``{row number: primary key}``; None means "no bulk form", and the rows
        are applied one by one through ``apply``.

        Runs inside the commit's transaction; raise ``BulkRowError`` to name the row a service refused (the
        whole import is then rolled back). ``progress(done, total)`` may be called as batches are written.
        """
        return None

    # Shared steps ------------------------------------------------------------------------------------------

    def read_cells(self, number: int, raw: list[object]) -> dict[str, Any] | None:
        """Parse every recognised cell; None when any cell has a problem (each one is reported).

        A text cell's spaces are cleaned once (``clean_spaces``); blank cells are skipped (a required one is a
        problem), formulas and formula-like text are refused (``check_formula``), and plain text columns take
        the cleaned text as it is, without another parsing step: most cells of a large file are text.
        """
        values: dict[str, Any] = {}
        failed = False
        size = len(raw)
        for index, column in self.columns.items():
            cell = raw[index] if index < size else None
            if isinstance(cell, str):
                cell = clean_spaces(cell)
                if not cell:
                    cell = None
            if cell is None:
                if column.required:
                    self.report.problem(number, self.header(column.field), _("a value is required"))
                    failed = True
                continue
            try:
                if isinstance(cell, str):
                    if cell[0] in p.FORMULA_FIRST:
                        p.check_formula(cell, column.parse)
                    if column.parse == c.TEXT:
                        values[column.field] = cell
                        continue
                else:
                    p.check_formula(cell, column.parse)
                values[column.field] = self._parse(column, cell)
            except p.CellError as exc:
                self.report.problem(number, self.header(column.field), exc.reason)
                failed = True
        if not failed:
            for column in self.fallback_columns:
                if column.field not in values:
                    value = next((values[name] for name in column.fallbacks if values.get(name)), None)
                    if value is None:
                        self.report.problem(number, self.header(column.field), _("a value is required"))
                        failed = True
                    else:
                        values[column.field] = value
        return None if failed else values

    @property
    def fallback_columns(self) -> list[c.Column]:
        """Required columns the file lacks whose value comes from another column (``Column.fallbacks``)."""
        if not hasattr(self, "_fallback_columns"):
            present = {column.field for column in self.columns.values()}
            self._fallback_columns = [
                column
                for column in self.declared_columns()
                if column.required and column.fallbacks and column.field not in present
            ]
        return self._fallback_columns

    def _parse(self, column: c.Column, cell: object) -> Any:
        parser = CELL_PARSERS.get(column.parse)
        return parser(cell) if parser else self.resolve(column, cell)

    def validate_model(self, number: int, instance: models.Model, given: set[str]) -> bool:
        """Run the model's own field validation on the given fields (no database look-ups).

        An importer that plans in memory validates each planned row once, the way its services do, in
        ``check``; for it this returns True at once (the row's problems are reported by ``check``).
        """
        if self.plans_in_memory:
            return True
        names = {f.name for f in instance._meta.get_fields() if getattr(f, "concrete", False)}
        try:
            instance.full_clean(
                exclude=list(names - given), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self.report_validation(number, exc)
            return False
        return True

    def report_validation(self, number: int | None, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                column = "" if name == "__all__" else self.header(name)
                for message in errors:
                    self.report.problem(number, column, message)
        else:
            for message in exc.messages:
                self.report.problem(number, "", message)

    def report_error(self, number: int | None, exc: Exception) -> None:
        """A service refused the row while committing."""
        if isinstance(exc, ValidationError):
            self.report_validation(number, exc)
        elif isinstance(exc, DuplicateError):
            existing = getattr(exc, "existing", None)
            suffix = f" ({existing})" if existing is not None else ""
            self.report.problem(number, "", exc.message + suffix)
        elif isinstance(exc, DomainError):
            self.report.problem(number, "", exc.message)
        else:
            self.report.problem(number, "", _("could not be saved: %(error)s") % {"error": exc})


def differs(current: Any, new: Any) -> bool:
    if isinstance(current, models.Model) or isinstance(new, models.Model):
        return getattr(current, "pk", current) != getattr(new, "pk", new)
    if current in (None, "") and new in (None, ""):
        return False
    return current != new
