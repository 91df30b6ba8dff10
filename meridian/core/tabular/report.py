"""The result of an import: what would be (or was) created, updated or left alone, and every problem."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"


@dataclass
class Problem:
    """A reason the import cannot go ahead. `row` is the spreadsheet's row number (None: the whole file)."""

    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row is None:
            return self.reason
        if self.column:
            return _("row %(row)s, column %(column)s: %(reason)s") % {
                "row": self.row,
                "column": self.column,
                "reason": self.reason,
            }
        return _("row %(row)s: %(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass
class RowOutcome:
    """One row's plan (or result).

    ``changes``: headers of the columns that change. ``conflicts``: fields where the file and the stored
    record disagree and the stored value is kept unless the user chooses the file's, each
    ``{"field", "column", "stored", "incoming"}`` (display strings). ``possible_duplicates``: near matches the
    user should look at, each ``{"id", "label", "reason"}``. ``matched``: how the stored record was found
    (for example "ROR ID" or "name"), empty for a new record.
    """

    row: int
    action: str
    label: str
    changes: list[str] = field(default_factory=list)
    object_id: int | None = None
    conflicts: list[dict] = field(default_factory=list)
    possible_duplicates: list[dict] = field(default_factory=list)
    matched: str = ""


@dataclass
class ImportReport:
    kind: str
    file_format: str = ""
    committed: bool = False
    rows: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # How the file was read: the text encoding of a CSV, the sheet of a workbook (and the sheets it has), the
    # header row, a few decoded names to check by eye, and the column mapping used (file header → field).
    encoding: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    header_row: int | None = None
    sample: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    # The file's header cells as read (for the column-mapping step), and whether that step is needed: a
    # required column was not recognised, so the user should say which file column holds it.
    headers: list[str] = field(default_factory=list)
    needs_mapping: bool = False
    # Things the user should know that are no problem (the import may go ahead), in the reader's language.
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, row: int | None, column: str, reason: str) -> None:
        self.problems.append(Problem(row=row, column=column, reason=reason))

    def _with(self, action: str) -> list[RowOutcome]:
        return [r for r in self.rows if r.action == action]

    @property
    def created(self) -> list[RowOutcome]:
        return self._with(CREATE)

    @property
    def updated(self) -> list[RowOutcome]:
        return self._with(UPDATE)

    @property
    def unchanged(self) -> list[RowOutcome]:
        return self._with(UNCHANGED)

    @property
    def counts(self) -> dict[str, int]:
        """Rows by action (``create``, ``update``, ``unchanged``) and the number of problems."""
        return {
            "create": len(self.created),
            "update": len(self.updated),
            "unchanged": len(self.unchanged),
            "problems": len(self.problems),
        }

    @property
    def unchanged_settled(self) -> list[RowOutcome]:
        """Unchanged rows with nothing to decide (no conflict)."""
        return [r for r in self.unchanged if not r.conflicts]

    @property
    def with_conflicts(self) -> list[RowOutcome]:
        """Rows where the file and a stored record disagree: each holds a choice for the user to make."""
        return [r for r in self.rows if r.conflicts]

    @property
    def summary_counts(self) -> dict[str, int]:
        """The figures people see (page, shell): ``counts``, where ``unchanged`` leaves out the rows with
        conflicts, which are counted apart as ``conflicts`` (rows to create or update count there too).

        A row whose stored values are kept over the file's is not "unchanged" to the person deciding.
        """
        counts = self.counts
        counts["unchanged"] = len(self.unchanged_settled)
        counts["conflicts"] = len(self.with_conflicts)
        return counts

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        return cls(
            kind=data["kind"],
            file_format=data.get("file_format", ""),
            committed=data.get("committed", False),
            rows=[RowOutcome(**r) for r in data.get("rows", [])],
            problems=[Problem(**p) for p in data.get("problems", [])],
            ignored_columns=list(data.get("ignored_columns", [])),
            encoding=data.get("encoding", ""),
            sheet=data.get("sheet", ""),
            sheets=list(data.get("sheets", [])),
            header_row=data.get("header_row"),
            sample=list(data.get("sample", [])),
            mapping=dict(data.get("mapping", {})),
            headers=list(data.get("headers", [])),
            needs_mapping=bool(data.get("needs_mapping", False)),
            notices=list(data.get("notices", [])),
        )

    def summary(self) -> str:
        """One sentence: imported, refused or dry run, with ``summary_counts``; rows with conflicts are named
        apart only when there are any."""
        counts = self.summary_counts
        if counts["conflicts"]:
            if self.committed:
                text = _(
                    "Imported: %(create)s created, %(update)s updated, %(unchanged)s unchanged, "
                    "%(conflicts)s with conflicts (stored values kept unless the file's were chosen)."
                )
            elif self.problems:
                text = _(
                    "Nothing was imported: %(problems)s problem(s). Rows checked: %(create)s to create, "
                    "%(update)s to update, %(unchanged)s unchanged, %(conflicts)s with conflicts to decide."
                )
            else:
                text = _(
                    "Dry run: %(create)s to create, %(update)s to update, %(unchanged)s unchanged, "
                    "%(conflicts)s with conflicts to decide."
                )
            return text % counts
        if self.committed:
            text = _("Imported: %(create)s created, %(update)s updated, %(unchanged)s unchanged.")
        elif self.problems:
            text = _(
                "Nothing was imported: %(problems)s problem(s). Rows checked: %(create)s to create, "
                "%(update)s to update, %(unchanged)s unchanged."
            )
        else:
            text = _("Dry run: %(create)s to create, %(update)s to update, %(unchanged)s unchanged.")
        return text % counts

    def lines(self) -> list[str]:
        """The report as plain text lines (used by the management command)."""
        out = [self.summary()]
        if self.ignored_columns:
            out.append(_("Ignored columns: %(columns)s") % {"columns": ", ".join(self.ignored_columns)})
        out.extend(str(p) for p in self.problems)
        return out
