"""An import report as plain text lines for the shell: how the file was read, and the plan row by row."""

from __future__ import annotations

from django.utils.translation import gettext as _

from meridian.core.tabular.encoding import encoding_label
from meridian.core.tabular.report import CREATE, UPDATE, ImportReport, RowOutcome
from meridian.imports.kinds import field_label
from meridian.imports.services import mapping_misses


def reading_lines(report: ImportReport) -> list[str]:
    """How the file was read: format, encoding or sheet, header row, sample names and the column mapping.

    The encoding reads as on the report page, its label first: "Big5 (Traditional Chinese) (cp950)".
    """
    out: list[str] = []
    if report.encoding:
        label = encoding_label(report.encoding)
        shown = f"{label} ({report.encoding})" if label != report.encoding else report.encoding
        out.append(_("Text encoding: %(encoding)s") % {"encoding": shown})
    if report.sheet:
        line = _("Sheet read: %(sheet)s") % {"sheet": report.sheet}
        others = [name for name in report.sheets if name != report.sheet]
        if others:
            line += " " + _("(other sheets: %(sheets)s)") % {"sheets": ", ".join(others)}
        out.append(line)
    if report.header_row:
        out.append(_("Header row: %(row)s") % {"row": report.header_row})
    if report.sample:
        out.append(_("Sample names: %(names)s") % {"names": " | ".join(report.sample)})
    if report.mapping:
        pairs = ", ".join(f"{header} → {field}" for header, field in report.mapping.items())
        out.append(_("Columns: %(pairs)s") % {"pairs": pairs})
    if report.needs_mapping:
        out.append(_("A required column was not recognised: choose a saved mapping with --mapping NAME."))
    out.extend(report.notices)
    return out


def mapping_warning(report: ImportReport, mapping: dict[str, str], *, name: str = "") -> str:
    """A warning when the column ``mapping`` asked for (saved as ``name``) does not fit the file read; "".

    It names the mapped headers not found in the file and says whether the mapping was applied in part
    (some of its columns were found) or not at all.
    """
    missing = mapping_misses(mapping=mapping, headers=report.headers)
    if not missing:
        return ""
    mapped = [header for header, field_name in mapping.items() if field_name]
    values = {"name": name, "headers": ", ".join(f"“{header}”" for header in missing)}
    if len(missing) == len(mapped):
        if name:
            text = _(
                "The saved mapping “%(name)s” was not applied: none of its columns is in the file "
                "(not found: %(headers)s)."
            )
        else:
            text = _(
                "The column mapping was not applied: none of its columns is in the file "
                "(not found: %(headers)s)."
            )
    elif name:
        text = _(
            "The saved mapping “%(name)s” was applied only in part: these of its columns are not in the "
            "file: %(headers)s."
        )
    else:
        text = _(
            "The column mapping was applied only in part: these of its columns are not in the file: "
            "%(headers)s."
        )
    return text % values


def conflict_rows_line(report: ImportReport) -> str:
    """The rows with conflicts to decide, by number ("" when none), to find them in the plan."""
    rows = [str(row.row) for row in report.with_conflicts]
    if not rows:
        return ""
    return _("Rows with conflicts to decide: %(rows)s") % {"rows": ", ".join(rows)}


def plan_lines(report: ImportReport, *, take_file_values: bool = False) -> list[str]:
    """The plan row by row: row number, action, record and how it was matched, changes, conflicts, duplicates.

    A conflict reads "stored → file" and says which value the import keeps (``take_file_values``: the
    file's, otherwise the stored one).
    """
    out: list[str] = []
    for row in report.rows:
        out.append(_row_line(row))
        for conflict in row.conflicts:
            kept = _("takes the file's value") if take_file_values else _("keeps the stored value")
            out.append(
                "    "
                + _("conflict in %(column)s: “%(stored)s” → “%(incoming)s” (%(kept)s)")
                % {
                    "column": conflict_label(report.kind, conflict),
                    "stored": conflict.get("stored", ""),
                    "incoming": conflict.get("incoming", ""),
                    "kept": kept,
                }
            )
        for duplicate in row.possible_duplicates:
            out.append(
                "    "
                + _("possible duplicate of %(label)s (#%(id)s): %(reason)s")
                % {
                    "label": duplicate.get("label", ""),
                    "id": duplicate.get("id", ""),
                    "reason": duplicate.get("reason", ""),
                }
            )
    return out


def conflict_label(kind: str, conflict: dict) -> str:
    """A conflict's field as the reader knows it (its label in the active language), followed by the file's
    header in brackets when that reads differently: "English name (file column “Name”)"."""
    field_name = str(conflict.get("field", ""))
    label = field_label(kind, field_name) if field_name else ""
    column = str(conflict.get("column", ""))
    if not label:
        return column
    if column and column != label:
        return _("%(field)s (file column “%(column)s”)") % {"field": label, "column": column}
    return label


def _row_line(row: RowOutcome) -> str:
    if row.action == CREATE:
        action = _("create")
    elif row.action == UPDATE:
        action = _("update")
    elif row.conflicts:
        action = _("conflicts to decide")
    else:
        action = _("unchanged")
    line = _("row %(row)s: %(action)s %(label)s") % {"row": row.row, "action": action, "label": row.label}
    if row.matched and row.action == CREATE:
        line += f" ({row.matched})"  # what the new record takes from elsewhere (the registry's ROR ID)
    elif row.matched:
        line += " " + _("(matched by %(how)s)") % {"how": row.matched}
    if row.changes:
        line += "; " + _("changes: %(columns)s") % {"columns": ", ".join(row.changes)}
    return line
