"""Reading an uploaded spreadsheet: CSV (UTF-8 or GB18030, any common delimiter) or XLSX, detected by content.

Rows are streamed, so that a huge file is refused one row past the limit instead of after loading it all.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

SAMPLE_SIZE = 64 * 1024
CHUNK_SIZE = 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024

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
    """The file as a whole cannot be read; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula in an XLSX file; it is never evaluated."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    """A header row and a stream of (spreadsheet row number, cell values)."""

    format: str
    headers: list[object]
    rows: Iterator[tuple[int, list[object]]]
    header_row: int = 1


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
        raise ImportFileError(_("This is not a CSV or XLSX file."))
    return "csv"


def open_table(stream: IO[bytes]) -> Table:
    """Open a binary stream as a table; raises ImportFileError with a clear message when it cannot be read."""
    stream.seek(0)
    head = stream.read(SAMPLE_SIZE)
    stream.seek(0)
    fmt = detect_format(head)
    return _open_xlsx(stream) if fmt == "xlsx" else _open_csv(stream, head)


# CSV -------------------------------------------------------------------------------------------------------


def _decodes_as(stream: IO[bytes], encoding: str) -> bool:
    """Decode the whole stream chunk by chunk (memory stays small) and report whether it is valid."""
    decoder = codecs.getincrementaldecoder(encoding)()
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK_SIZE):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def _choose_encoding(stream: IO[bytes], head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes_as(stream, "utf-8"):
        return "utf-8"
    # Chinese editions of Excel save CSV in the legacy code page; GB18030 covers GBK and GB2312.
    if _decodes_as(stream, "gb18030"):
        return "gb18030"
    raise ImportFileError(
        _("The file is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8) and try again.")
    )


def _sniff_delimiter(sample: str) -> str:
    first_lines = "\n".join(sample.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",;\t").delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _open_csv(stream: IO[bytes], head: bytes) -> Table:
    encoding = _choose_encoding(stream, head)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
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
    reader = csv.reader(text, delimiter=delimiter)
    try:
        headers: list[object] = []
        header_row = 0
        for values in reader:
            header_row += 1
            if any(v.strip() for v in values):
                headers = list(values)
                break
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    if not headers:
        raise ImportFileError(_("The file is empty."))

    def rows() -> Iterator[tuple[int, list[object]]]:
        number = header_row
        try:
            for values in reader:
                number += 1
                yield number, list(values)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFileError(
                _("The CSV file cannot be read after row %(row)s: %(error)s") % {"row": number, "error": exc}
            ) from exc
        finally:
            text.detach()  # leave the caller's stream open; closing it is the caller's business

    return Table(format="csv", headers=headers, rows=rows(), header_row=header_row)


# XLSX ------------------------------------------------------------------------------------------------------


def _open_xlsx(stream: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            # A small upload that unpacks to gigabytes is a zip bomb, not a spreadsheet.
            bad = archive.testzip() if unpacked <= MAX_UNPACKED_BYTES else None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ImportFileError(_("The XLSX file is damaged and cannot be opened.")) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The XLSX file is too large once unpacked."))
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("This is not a CSV or XLSX file."))
    if bad is not None:
        raise ImportFileError(_("The XLSX file is damaged and cannot be opened."))
    stream.seek(0)
    try:
        # data_only=False: a formula is read as its text, so that it can be refused and never trusted.
        workbook = load_workbook(stream, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        cells = sheet.iter_rows()
        headers: list[object] = []
        header_row = 0
        for row in cells:
            header_row += 1
            values = [_cell_value(c) for c in row]
            if any(v not in (None, "") for v in values):
                headers = values
                break
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on malformed parts of the archive
        raise ImportFileError(_("The XLSX file is damaged and cannot be opened.")) from exc
    if not headers:
        workbook.close()
        raise ImportFileError(_("The file is empty."))

    def rows() -> Iterator[tuple[int, list[object]]]:
        number = header_row
        try:
            for row in cells:
                number += 1
                yield number, [_cell_value(c) for c in row]
        except Exception as exc:
            raise ImportFileError(_("The XLSX file is damaged and cannot be read to the end.")) from exc
        finally:
            workbook.close()

    return Table(format="xlsx", headers=headers, rows=rows(), header_row=header_row)


def _cell_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(getattr(value, "text", None) or value))
    return value
