"""Reading an uploaded spreadsheet: CSV (any encoding offices' Excel writes, any common delimiter) or XLSX.

The format is detected by content. A CSV file's text encoding is detected (see ``encoding``) or given by the
user; a workbook's sheet is the visible one whose header fits best, or the one the user names; the header row
is found among the first rows (a title row above it is skipped, a two-row header with merged group cells is
read as one). Rows are streamed, so that a huge file is refused one row past the limit instead of after
loading it all.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import IO, Any, cast

from django.utils.translation import gettext as _

from meridian.core.archives import UnsafeArchiveError, check_zip_archive
from meridian.core.tabular.columns import LANGUAGE_QUALIFIERS
from meridian.core.tabular.encoding import EncodingError, check_encoding, detect_encoding

SAMPLE_SIZE = 64 * 1024
# The csv module refuses a field over 128 KiB with a bare error; a cell is only as long as the uploaded file
# allows, and a value too long for its field is then refused for its row and column like any other.
CSV_FIELD_LIMIT = 64 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
CHUNK_SIZE = 1024 * 1024

# Well-known signatures of files people upload by mistake: each is refused before any parsing.
_BINARY_SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"{\\rtf",
)
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``message`` is shown to the user.

    ``encodings``: when the text encoding could not be told for certain, the likely ones (Python codec names,
    most likely first), so that the user can be offered them to choose from; otherwise empty.
    """

    def __init__(self, message: str, *, encodings: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.encodings = encodings


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula in an XLSX file; it is never evaluated."""

    text: str

    def __str__(self) -> str:
        return self.text


# How many non-blank rows at the top of a sheet are looked at to find the header.
HEADER_SCAN_ROWS = 20
# The most columns a row may have once its trailing empty cells are dropped. Offices' lists have a few dozen;
# a wider row is refused as soon as it is read, before headers are matched or a report lists its cells.
MAX_COLUMNS = 300

Row = tuple[int, list[object]]
HeaderScore = Callable[[list[object]], float]


@dataclass
class Table:
    """A header and a stream of data rows, and how the file was read.

    ``headers``: the header's cell values (a two-row header combined into one). ``rows``: (spreadsheet row
    number, cell values) of every row after the header, blank rows included. ``header_row``: the spreadsheet
    row number of the (last) header row. ``encoding``: the Python codec a CSV file was decoded with ("" for
    XLSX). ``sheet``: the title of the sheet read ("" for CSV). ``sheets``: every visible sheet's title.
    """

    format: str
    headers: list[object]
    rows: Iterator[Row]
    header_row: int = 1
    encoding: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)


def detect_format(head: bytes) -> str:
    """ "xlsx" or "csv" from the first bytes; anything else raises ImportFileError."""
    if not head:
        raise ImportFileError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"  # Excel's "Unicode text": UTF-16, tab-separated
    if head.startswith(_OLE_SIGNATURE):
        raise ImportFileError(
            _("This is an old Excel (.xls) or Word file. Save it as XLSX or CSV and upload it again.")
        )
    if head.startswith(_BINARY_SIGNATURES) or b"\x00" in head:
        raise ImportFileError(
            _(
                "This is not a CSV or XLSX file: it holds binary data (such as NUL bytes). If it is a "
                "spreadsheet, save it again as XLSX or as CSV (UTF-8) and upload that."
            )
        )
    return "csv"


def open_table(
    stream: IO[bytes],
    *,
    encoding: str = "",
    sheet: str = "",
    header_score: HeaderScore | None = None,
) -> Table:
    """Open a binary stream as a table; raises ImportFileError with a clear message when it cannot be read.

    ``encoding``: a Python codec name for a CSV file, used as given ("" detects it; see ``encoding``).
    ``sheet``: the title of the workbook sheet to read ("" chooses the visible sheet whose header scores
    best). ``header_score(values) -> float`` rates a candidate header row, higher is better (for instance
    how many of an import kind's columns it names); without it the first non-blank row is the header and
    the first visible sheet with a non-blank row is read. Each option is ignored for the other format.
    """
    stream.seek(0)
    head = stream.read(SAMPLE_SIZE)
    stream.seek(0)
    fmt = detect_format(head)
    if fmt == "xlsx":
        return _open_xlsx(stream, sheet=sheet, header_score=header_score)
    return _open_csv(stream, encoding=encoding, header_score=header_score)


# Header row ------------------------------------------------------------------------------------------------


def is_blank_row(values: Iterable[object]) -> bool:
    """Whether every cell of a row is empty or only spaces."""
    return all(_is_blank(value) for value in values)


def combine_header_rows(upper: list[object], lower: list[object]) -> list[object]:
    """One header from a two-row header: a group row ``upper`` with merged cells above the ``lower`` names.

    A merged group cell keeps its value in its first cell only, so group values are carried right across
    blank cells as far as the lower row reaches; each position takes the lower cell when it has a value,
    else the (carried) upper one: ["院校信息", None, "联系方式"] over [None, "国家", "邮箱"] gives
    ["院校信息", "国家", "邮箱"], and ["名称", "联系方式", None] over [None, "电话", "邮箱"] gives
    ["名称", "电话", "邮箱"]. A lower cell that only names a language (中文, 英文, Chinese, English) keeps its
    group: "院校名称" over ["中文", "英文"] gives ["院校名称 (中文)", "院校名称 (英文)"].
    """
    lower_end = max((i + 1 for i, value in enumerate(lower) if not _is_blank(value)), default=0)
    upper_end = max((i + 1 for i, value in enumerate(upper) if not _is_blank(value)), default=0)
    combined: list[object] = []
    group: object = None
    for index in range(max(lower_end, upper_end)):
        above = upper[index] if index < len(upper) else None
        below = lower[index] if index < len(lower) else None
        if not _is_blank(above):
            group = above
        if not _is_blank(below):
            qualifier = str(below).strip().casefold() in LANGUAGE_QUALIFIERS
            combined.append(
                f"{group} ({str(below).strip()})" if qualifier and not _is_blank(group) else below
            )
        elif index < lower_end:
            combined.append(group)
        else:
            combined.append(above)
    return combined


@dataclass
class _Header:
    values: list[object]
    row: int  # spreadsheet row number of the (last) header row
    score: float


def _find_header(rows: Iterator[Row], header_score: HeaderScore | None) -> tuple[_Header | None, list[Row]]:
    """The header among the first ``HEADER_SCAN_ROWS`` non-blank rows, and the rows read after it.

    Candidates are each non-blank row alone and each one combined with the row right below it (see
    ``combine_header_rows``); the best ``header_score`` wins, a single row before a combined one and the
    earlier before the later when they score the same. Without ``header_score`` the first non-blank row is
    the header. Returns (None, []) when the rows are all blank.
    """
    read: list[Row] = []
    non_blank: list[int] = []
    for row in rows:
        read.append(row)
        if not is_blank_row(row[1]):
            non_blank.append(len(read) - 1)
            if header_score is None or len(non_blank) >= HEADER_SCAN_ROWS:
                break
    if not non_blank:
        return None, []
    if header_score is None:
        first = non_blank[0]
        number, values = read[first]
        return _Header(list(values), number, 0.0), read[first + 1 :]
    best: tuple[float, int, int] | None = None
    chosen: tuple[_Header, int] | None = None
    for order, position in enumerate(non_blank):
        number, values = read[position]
        options = [(list(values), number, position, 1)]
        if position + 1 < len(read) and position + 1 in non_blank:
            below_number, below = read[position + 1]
            if below_number == number + 1:
                options.append(
                    (combine_header_rows(list(values), list(below)), below_number, position + 1, 0)
                )
        for candidate, last_number, last_position, single in options:
            score = float(header_score(candidate))
            key = (score, single, -order)
            if best is None or key > best:
                best = key
                chosen = (_Header(candidate, last_number, score), last_position)
    assert chosen is not None
    header, last_position = chosen
    return header, read[last_position + 1 :]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def bounded_rows(rows: Iterable[Row], limit: int = MAX_COLUMNS) -> Iterator[Row]:
    """``rows`` with the trailing empty cells of rows wider than ``limit`` dropped.

    Raises ``ImportFileError`` at the first row that still has more than ``limit`` cells (a file whose rows
    are hundreds of thousands of cells wide would otherwise take a worker's memory and minutes of its time).
    """
    for number, values in rows:
        if len(values) > limit:
            width = len(values)
            while width > limit and _is_blank(values[width - 1]):
                width -= 1
            if width > limit:
                raise ImportFileError(
                    _(
                        "Row %(row)s has %(count)s columns; an import reads at most %(limit)s. "
                        "Keep only the data columns in the file."
                    )
                    % {"row": number, "count": f"{len(values):,}", "limit": limit}
                )
            values = values[:width]
        yield number, values


# CSV -------------------------------------------------------------------------------------------------------


def _choose_encoding(stream: IO[bytes], encoding: str) -> str:
    try:
        return check_encoding(stream, encoding) if encoding.strip() else detect_encoding(stream)
    except EncodingError as exc:
        raise ImportFileError(exc.message, encodings=exc.encodings) from exc
    finally:
        stream.seek(0)


def _sniff_delimiter(sample: str) -> str:
    first_lines = "\n".join(sample.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",;\t").delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _open_csv(stream: IO[bytes], *, encoding: str, header_score: HeaderScore | None) -> Table:
    codec = _choose_encoding(stream, encoding)
    text = io.TextIOWrapper(stream, encoding=codec, newline="")
    try:
        sample = text.read(SAMPLE_SIZE)
        text.seek(0)
        if not sample.strip():
            raise ImportFileError(_("The file is empty."))
        delimiter = _sniff_delimiter(sample)
        first_line = sample.split("\n", 1)[0].strip()
        if len(first_line) == 5 and first_line.lower().startswith("sep="):
            # Excel's own hint line ("sep=;") names the delimiter and is not the header.
            delimiter = first_line[4]
            text.readline()
        numbered = bounded_rows(cast(Iterator[Row], enumerate(csv.reader(text, delimiter=delimiter), 1)))
        header, after = _find_header(numbered, header_score)
    except (csv.Error, UnicodeDecodeError) as exc:
        text.detach()
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    except BaseException:
        text.detach()  # leave the caller's stream open; closing it is the caller's business
        raise
    if header is None:
        text.detach()
        raise ImportFileError(_("The file is empty."))

    def rows() -> Iterator[Row]:
        number = header.row
        try:
            for row in chain(after, numbered):
                number = row[0]
                yield row
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFileError(
                _("The CSV file cannot be read after row %(row)s: %(error)s") % {"row": number, "error": exc}
            ) from exc
        finally:
            text.detach()  # leave the caller's stream open; closing it is the caller's business

    return Table(format="csv", headers=header.values, rows=rows(), header_row=header.row, encoding=codec)


# XLSX ------------------------------------------------------------------------------------------------------


def _check_archive(stream: IO[bytes]) -> None:
    """Refuse a damaged workbook or a zip bomb before openpyxl inflates any part (see ``core.archives``)."""
    try:
        names = check_zip_archive(stream)
    except UnsafeArchiveError as exc:
        if exc.code == "damaged_archive":
            raise ImportFileError(_("The XLSX file is damaged and cannot be opened.")) from exc
        raise ImportFileError(exc.message) from exc
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("This is not a CSV or XLSX file."))


def _sheet_rows(worksheet: Any) -> Iterator[Row]:
    """A sheet's rows, numbered from 1, to the real end of its data.

    The size a sheet stores (its ``<dimension>``) is not trusted: WPS Office and some exporters write a
    stale one, which would drop columns and rows, so it is reset and the cells themselves are read.
    """
    worksheet.reset_dimensions()
    numbered = (
        (number, [_cell_value(cell) for cell in cells])
        for number, cells in enumerate(worksheet.iter_rows(), 1)
    )
    yield from bounded_rows(numbered)


def _pick_sheet(visible: list[Any], name: str) -> Any:
    for worksheet in visible:
        if worksheet.title == name:
            return worksheet
    wanted = name.strip().casefold()
    for worksheet in visible:
        if worksheet.title.strip().casefold() == wanted:
            return worksheet
    raise ImportFileError(
        _("The workbook has no sheet named “%(sheet)s”. Its sheets are: %(sheets)s.")
        % {"sheet": name, "sheets": ", ".join(f"“{w.title}”" for w in visible)}
    )


def _open_xlsx(stream: IO[bytes], *, sheet: str, header_score: HeaderScore | None) -> Table:
    from openpyxl import load_workbook

    _check_archive(stream)
    stream.seek(0)
    workbook = None
    opened: list[Iterator[Row]] = []
    try:
        # data_only=False: a formula is read as its text, so that it can be refused and never trusted.
        workbook = load_workbook(stream, read_only=True, data_only=False)
        # Hidden sheets hold drop-down lists and lookup tables, never the data.
        visible = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        candidates = [_pick_sheet(visible, sheet)] if sheet.strip() else visible
        found: tuple[float, int, Any, _Header, list[Row], Iterator[Row]] | None = None
        for order, worksheet in enumerate(candidates):
            rows_of_sheet = _sheet_rows(worksheet)
            opened.append(rows_of_sheet)
            header, after = _find_header(rows_of_sheet, header_score)
            if header is None:
                continue
            if found is None or (header.score, -order) > (found[0], -found[1]):
                found = (header.score, order, worksheet, header, after, rows_of_sheet)
            if header_score is None:
                break  # without a way to judge headers, the first sheet with data is read
    except ImportFileError:
        _close(workbook, opened)
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on malformed parts of the archive
        _close(workbook, opened)
        raise ImportFileError(_("The XLSX file is damaged and cannot be opened.")) from exc
    if found is None:
        _close(workbook, opened)
        raise ImportFileError(_("The file is empty."))
    _score, _order, worksheet, header, after, rest = found
    for other in opened:
        if other is not rest:
            other.close()  # type: ignore[attr-defined]

    def rows() -> Iterator[Row]:
        try:
            yield from chain(after, rest)
        except ImportFileError:
            raise
        except Exception as exc:
            raise ImportFileError(_("The XLSX file is damaged and cannot be read to the end.")) from exc
        finally:
            _close(workbook, [rest])

    return Table(
        format="xlsx",
        headers=header.values,
        rows=rows(),
        header_row=header.row,
        sheet=worksheet.title,
        sheets=[ws.title for ws in visible],
    )


def _close(workbook: Any, opened: list[Iterator[Row]]) -> None:
    for rows in opened:
        rows.close()  # type: ignore[attr-defined]
    if workbook is not None:
        workbook.close()


def _cell_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(getattr(value, "text", None) or value))
    return value
