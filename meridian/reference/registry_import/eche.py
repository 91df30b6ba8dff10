"""Parse the European Commission's list of Erasmus charter holders (XLSX or CSV, any recent edition)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from meridian.core.text import clean_spaces, fold
from meridian.reference.erasmus import ErasmusCodeError, normalise_erasmus_code
from meridian.reference.registry_import.records import (
    Parsed,
    Record,
    RegistryFileError,
    country_code,
    dedupe,
    erasmus_key,
)

# Folded header (letters and digits only) → our field; the yearly editions rename their columns.
HEADERS = {
    "erasmuscode": "code",
    "erasmusid": "code",
    "legalname": "name",
    "organisationlegalname": "name",
    "organizationlegalname": "name",
    "organisationname": "name",
    "institutionname": "name",
    "countrycd": "country",
    "country": "country",
    "countrycode": "country",
    "city": "city",
    "websiteurl": "website",
    "website": "website",
    "webpage": "website",
    "pic": "pic",
    "oid": "oid",
    "organisationid": "oid",
    "erasmusechestart": "start",
    "echestartdate": "start",
    "echestart": "start",
    "startdate": "start",
    "erasmusecheend": "end",
    "echeenddate": "end",
    "echeend": "end",
    "enddate": "end",
}
REQUIRED = {"code": "Erasmus Code", "name": "Legal Name", "country": "Country Cd"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S")


def _header_key(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(str(value or "")))


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_spaces(str(value or ""))
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _code(value: Any) -> str:
    """The official padded form ("A  GRAZ01"); a code the rules do not recognise is kept as published."""
    text = str(value or "").replace("\u00a0", " ").replace("\u202f", " ").strip()
    try:
        return normalise_erasmus_code(text)
    except ErasmusCodeError:
        return text[:20]


def _rows_from_table(rows: Iterable[Iterable[Any]]) -> Iterator[dict[str, Any]]:
    """Find the header row (editions put a title above it), then yield one dict per data row."""
    columns: dict[int, str] | None = None
    for index, row in enumerate(rows):
        cells = list(row)
        if columns is None:
            found: dict[str, int] = {}
            for i, cell in enumerate(cells):
                name = HEADERS.get(_header_key(cell))
                if name and name not in found:
                    found[name] = i
            if "code" in found:
                columns = {i: name for name, i in found.items()}
                missing = [label for key, label in REQUIRED.items() if key not in columns.values()]
                if missing:
                    raise RegistryFileError(f"The ECHE list lacks the columns: {', '.join(missing)}.")
            elif index >= 20:
                break
            continue
        if not any(cell not in (None, "") for cell in cells):
            continue
        yield {name: cells[i] if i < len(cells) else None for i, name in columns.items()}
    if columns is None:
        raise RegistryFileError("No header row with an Erasmus code column was found in the ECHE list.")


def _read_xlsx(path: Path) -> list[dict[str, Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise RegistryFileError("The file is not a readable XLSX workbook.") from exc
    try:
        return list(_rows_from_table(workbook.worksheets[0].iter_rows(values_only=True)))
    finally:
        workbook.close()


def _read_csv(raw: bytes) -> list[dict[str, Any]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryFileError("The CSV file is not UTF-8 text.") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    return list(_rows_from_table(csv.reader(io.StringIO(text), delimiter=delimiter)))


def parse_eche(path: Path) -> Parsed:
    """Read an ECHE list completely, or raise RegistryFileError."""
    raw = path.read_bytes()
    rows = _read_xlsx(path) if raw[:2] == b"PK" else _read_csv(raw)
    records = []
    for number, row in enumerate(rows, start=1):
        code = _code(row.get("code"))
        name = clean_spaces(str(row.get("name") or ""))[:300]
        if not code or not name:
            raise RegistryFileError(f"Data row {number} has no Erasmus code or legal name.")
        pic = re.sub(r"\D", "", str(row.get("pic") or ""))[:12]
        record = Record(
            key=erasmus_key(code),
            name=name,
            country=country_code(str(row.get("country") or "")),
            city=clean_spaces(str(row.get("city") or ""))[:120],
            website=clean_spaces(str(row.get("website") or "")),
            erasmus_code=code,
            pic=pic,
            oid=clean_spaces(str(row.get("oid") or ""))[:12],
            eche_start=_date(row.get("start")),
            eche_end=_date(row.get("end")),
        )
        if record.website and "://" not in record.website:
            record.website = "https://" + record.website
        record.website = record.website[:300]
        record.add_name("name", name)
        record.add_domain(record.website)
        records.append(record)
    match = re.search(r"(\d{4}-\d{2}-\d{2}|\d{8})", path.name)
    return Parsed(records=dedupe(records), edition=match.group(1) if match else path.stem[:60])
