"""The place-name table: loading the Natural Earth populated places file a user supplies.

The file is the CSV export of Natural Earth's "populated places" layer (columns ``name``, ``name_en``,
``name_zh``, ``nameascii``, ``iso_a2``, ``pop_max``, ``geonameid``, ``wikidataid``, others ignored). The app
never downloads it. Chinese names are stored in Simplified Chinese (Traditional ones converted with OpenCC).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from meridian.core import bulk
from meridian.core.text import to_simplified
from meridian.reference.models import Place

REQUIRED_COLUMNS = ("name", "name_en", "name_zh", "nameascii", "iso_a2", "geonameid", "wikidataid")
NO_COUNTRY = "-99"  # Natural Earth's code for a place without an ISO country (a disputed area)
MAX_BYTES = 50 * 1024 * 1024


class PlaceFileError(ValueError):
    """The places file cannot be read; the message says why (with the line number for a bad row)."""


@dataclass(frozen=True)
class PlaceLoadResult:
    total: int
    with_chinese: int
    skipped: int
    replaced: int


def _number(value: str, *, line: int, column: str) -> int | None:
    """A whole number of the file; empty or negative (Natural Earth's "unknown") is None."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = int(float(text))
    except ValueError as exc:
        raise PlaceFileError(f"Line {line}: {column} {text!r} is not a number.") from exc
    return number if number >= 0 else None


def _text(row: dict[str, str | None], column: str, limit: int, line: int) -> str:
    value = (row.get(column) or "").strip()
    if len(value) > limit:
        raise PlaceFileError(f"Line {line}: {column} is longer than {limit} characters.")
    return value


def read_places(path: Path) -> tuple[list[Place], int]:
    """Parse the places file at ``path`` into unsaved ``Place`` rows and the number of rows skipped (places
    without a country code). Raises ``PlaceFileError`` for a file that is missing, not UTF-8 CSV, lacks a
    required column, or has a bad row (no name, a malformed country code or number)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlaceFileError(f"The file cannot be read ({exc.strerror or exc}).") from exc
    if len(raw) > MAX_BYTES:
        raise PlaceFileError("The file is larger than 50 MB; this is not a populated places file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlaceFileError("The file is not UTF-8 text (a Natural Earth CSV export is).") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = set(reader.fieldnames or ())
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise PlaceFileError(
            f"The file lacks the column(s) {', '.join(missing)}; "
            "expected the Natural Earth populated places CSV."
        )
    places: list[Place] = []
    skipped = 0
    try:
        for line, row in enumerate(reader, start=2):
            code = (row.get("iso_a2") or "").strip().upper()
            if code == NO_COUNTRY:
                skipped += 1
                continue
            if len(code) != 2 or not code.isalpha():
                raise PlaceFileError(f"Line {line}: iso_a2 {code!r} is not a two-letter country code.")
            name = _text(row, "name", 200, line) or _text(row, "name_en", 200, line)
            if not name:
                raise PlaceFileError(f"Line {line}: the place has no name.")
            wikidata = _text(row, "wikidataid", 20, line)
            if wikidata and not (wikidata[0] in "Qq" and wikidata[1:].isdigit()):
                raise PlaceFileError(f"Line {line}: wikidataid {wikidata!r} is not a Wikidata ID (Q…).")
            places.append(
                Place(
                    country_code=code,
                    name=name,
                    name_en=_text(row, "name_en", 200, line),
                    name_ascii=_text(row, "nameascii", 200, line),
                    name_zh=to_simplified(_text(row, "name_zh", 200, line)),
                    population=_number(row.get("pop_max") or "", line=line, column="pop_max"),
                    geonameid=_number(row.get("geonameid") or "", line=line, column="geonameid"),
                    wikidata_id=wikidata.upper(),
                )
            )
    except csv.Error as exc:
        raise PlaceFileError(f"The file is not valid CSV: {exc}.") from exc
    if not places:
        raise PlaceFileError("The file has no places.")
    return places, skipped


def places_load(*, path: Path) -> PlaceLoadResult:
    """Replace the place-name table with the places of the file at ``path``, in one transaction.

    The whole file is read and checked first; a ``PlaceFileError`` leaves the stored places as they were.
    The city-name table of every process and the cached public pages are renewed once it is committed.
    """
    from meridian.reference.selectors import places_changed

    places, skipped = read_places(path)
    with transaction.atomic(), bulk.one_signal_per_model():
        replaced, _ = Place.objects.all().delete()
        Place.objects.bulk_create(places, batch_size=500)
        bulk.records_changed_in_bulk(Place)  # the cached public pages show the names: one new stamp
        transaction.on_commit(places_changed)
    return PlaceLoadResult(
        total=len(places),
        with_chinese=sum(1 for p in places if p.name_zh),
        skipped=skipped,
        replaced=replaced,
    )
