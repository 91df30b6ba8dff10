"""CSV and XLSX export that never lets a cell run as a formula in a spreadsheet program."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import chain, islice

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _plain(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (date, int, float)):
        return value
    return neutralise(str(value))


def csv_response(*, filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    """A CSV download (UTF-8 with a byte-order mark, comma-separated, RFC 4180 quoting) of ``headers`` and
    ``rows``; dates as ISO 8601 text, times in local time, formula-like text neutralised."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 (Chinese names) correctly only with a byte-order mark.
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_plain(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# Column widths are fitted to the header and the first rows, in character widths, within these bounds.
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60
WIDTH_SAMPLE_ROWS = 500
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def display_width(value: object) -> int:
    """How many character widths ``value`` takes in a spreadsheet cell: East Asian wide and full-width
    characters count two (Unicode East Asian Width W/F), others one; the longest line counts."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    lines = str(value).splitlines() or [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def _column_widths(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> list[float]:
    widths = [display_width(h) for h in headers]
    for row in rows:
        for index, value in enumerate(row):
            if index < len(widths):
                widths[index] = max(widths[index], display_width(value))
    return [min(max(w + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH) for w in widths]


def _xlsx_cell(sheet, value: object) -> object:
    plain = _plain(value)
    if isinstance(plain, (date, datetime)):
        cell = WriteOnlyCell(sheet, value=plain)
        cell.number_format = DATETIME_FORMAT if isinstance(plain, datetime) else DATE_FORMAT
        return cell
    return plain


_SHEET_REFUSED = re.compile(r"[:\\/?*\[\]]")  # characters Excel refuses in a sheet name


def xlsx_response(
    *, filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]], sheet_name: str = ""
) -> HttpResponse:
    """An XLSX download of ``headers`` and ``rows``, ready to read in Excel or WPS.

    One sheet named ``sheet_name`` (the reader sees it: pass it in the reader's language), else after
    ``filename``, at most 31 characters (the Excel limit) and without the characters Excel refuses; a bold
    header row that stays in view (frozen pane) with an autofilter over the whole table; column widths fitted
    to the header and the first 500 rows (East Asian wide characters count two), between 8 and 60 characters;
    dates and times as real date cells (``yyyy-mm-dd``, ``yyyy-mm-dd hh:mm``, local time) so that they sort
    and filter as dates. Text a spreadsheet would run as a formula is neutralised (see ``neutralise``).
    Rows are streamed after the first 500, so a large export does not build its rows in memory twice.
    """
    workbook = Workbook(write_only=True)
    title = _SHEET_REFUSED.sub(" ", str(sheet_name or filename)).strip()[:31] or "Sheet1"
    sheet = workbook.create_sheet(title=title)
    iterator = iter(rows)
    first = [list(row) for row in islice(iterator, WIDTH_SAMPLE_ROWS)]
    for index, width in enumerate(_column_widths(headers, first), 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in chain(first, iterator):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
        count += 1
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(
    *, fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]], sheet_name: str = ""
) -> HttpResponse:
    """A CSV (default) or XLSX (``fmt="xlsx"``) download; ``sheet_name`` names the XLSX sheet."""
    if fmt == "xlsx":
        return xlsx_response(filename=filename, headers=headers, rows=rows, sheet_name=sheet_name)
    return csv_response(filename=filename, headers=headers, rows=rows)
