"""An import report as plain text lines for the shell: how the file was read, and the plan row by row."""

from __future__ import annotations

from django.utils.translation import gettext as _

from meridian.core.tabular.report import CREATE, UPDATE, ImportReport, RowOutcome


def reading_lines(report: ImportReport) -> list[str]:
    """How the file was read: format, encoding or sheet, header row, sample names and the column mapping."""
    out: list[str] = []
    if report.encoding:
        out.append(_("Text encoding: %(encoding)s") % {"encoding": report.encoding})
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
    return out


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
                    "column": conflict.get("column") or conflict.get("field", ""),
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


def _row_line(row: RowOutcome) -> str:
    if row.action == CREATE:
        action = _("create")
    elif row.action == UPDATE:
        action = _("update")
    else:
        action = _("unchanged")
    line = _("row %(row)s: %(action)s %(label)s") % {"row": row.row, "action": action, "label": row.label}
    if row.matched:
        line += " " + _("(matched by %(how)s)") % {"how": row.matched}
    if row.changes:
        line += "; " + _("changes: %(columns)s") % {"columns": ", ".join(row.changes)}
    return line
