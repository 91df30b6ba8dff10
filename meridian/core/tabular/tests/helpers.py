"""Building spreadsheets for tests: CSV and XLSX files made on the fly from headers and rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook


def csv_bytes(
    headers: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> bytes:
    """A CSV file's bytes: the header row, then ``rows``, written with ``delimiter`` in ``encoding``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    """An XLSX workbook's bytes: one sheet with the header row, then ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_file(data: bytes) -> io.BytesIO:
    """``data`` as a binary stream, the way an upload reaches the import."""
    return io.BytesIO(data)
