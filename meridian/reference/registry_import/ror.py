"""Parse the ROR data dump: JSON (schema v2 or v1), the published ZIP, or a CSV with one row per record."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from meridian.core.text import clean_spaces
from meridian.reference.registry_import.records import Parsed, Record, RegistryFileError, country_code, dedupe

ROR_ID = re.compile(r"^(?:https?://ror\.org/)?(0[a-z0-9]{6}\d{2})$", re.IGNORECASE)
CSV_COLUMNS = {"ror_id", "name", "country_code"}
_STATUSES = {"active", "inactive", "withdrawn"}


def ror_id_of(value: str) -> str:
    match = ROR_ID.match(clean_spaces(value))
    return match.group(1).lower() if match else ""


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 0 < number < 32768 else None


def _status(value: Any) -> str:
    status = str(value or "active").lower()
    return status if status in _STATUSES else "active"


def _from_v2(item: dict) -> Record:
    names = item.get("names") or []
    display = next((n["value"] for n in names if "ror_display" in (n.get("types") or [])), "")
    display = display or next((n.get("value", "") for n in names), "")
    location = ((item.get("locations") or [{}])[0] or {}).get("geonames_details") or {}
    links = item.get("links") or []
    website = next((link.get("value", "") for link in links if link.get("type") == "website"), "")
    record = Record(
        key=ror_id_of(item.get("id", "")),
        name=clean_spaces(display)[:300],
        country=country_code(location.get("country_code", "")),
        subdivision=clean_spaces(location.get("country_subdivision_name") or "")[:120],
        city=clean_spaces(location.get("name") or "")[:120],
        latitude=_float(location.get("lat")),
        longitude=_float(location.get("lng")),
        website=website[:300],
        types=",".join(item.get("types") or [])[:200],
        established=_int(item.get("established")),
        status=_status(item.get("status")),
    )
    record.add_name("name", record.name, "")
    for name in names:
        types = name.get("types") or []
        kind = "acronym" if "acronym" in types else "alias" if "alias" in types else "label"
        if "ror_display" in types and name.get("value") == display:
            continue
        record.add_name(kind, name.get("value", ""), name.get("lang") or "")
    for domain in item.get("domains") or []:
        record.add_domain(domain)
    record.add_domain(website)
    return record


def _from_v1(item: dict) -> Record:
    address = (item.get("addresses") or [{}])[0] or {}
    city = address.get("city") or ((address.get("geonames_city") or {}).get("city")) or ""
    subdivision = ((address.get("geonames_city") or {}).get("geonames_admin1") or {}).get("name") or ""
    website = (item.get("links") or [""])[0] or ""
    record = Record(
        key=ror_id_of(item.get("id", "")),
        name=clean_spaces(item.get("name", ""))[:300],
        country=country_code((item.get("country") or {}).get("country_code", "")),
        subdivision=clean_spaces(subdivision)[:120],
        city=clean_spaces(city)[:120],
        latitude=_float(address.get("lat")),
        longitude=_float(address.get("lng")),
        website=website[:300],
        types=",".join(t.lower() for t in item.get("types") or [])[:200],
        established=_int(item.get("established")),
        status=_status(item.get("status")),
    )
    record.add_name("name", record.name)
    for label in item.get("labels") or []:
        record.add_name("label", label.get("label", ""), label.get("iso639") or "")
    for alias in item.get("aliases") or []:
        record.add_name("alias", alias)
    for acronym in item.get("acronyms") or []:
        record.add_name("acronym", acronym)
    for domain in item.get("domains") or []:
        record.add_domain(domain)
    record.add_domain(website)
    return record


def _from_json(data: Any) -> list[Record]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise RegistryFileError("The ROR file must be a JSON list of organisation records.")
    records = []
    for number, item in enumerate(data, start=1):
        record = _from_v2(item) if "names" in item else _from_v1(item)
        if not record.key or not record.name:
            raise RegistryFileError(f"Record {number} has no valid ROR ID or name.")
        records.append(record)
    return records


def _from_csv(text: str) -> tuple[list[Record], str]:
    reader = csv.DictReader(io.StringIO(text))
    missing = CSV_COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise RegistryFileError(f"The ROR CSV lacks the columns: {', '.join(sorted(missing))}.")
    records, releases = [], set()
    for number, row in enumerate(reader, start=2):
        row = {key: (value or "") for key, value in row.items() if key}
        record = Record(
            key=ror_id_of(row["ror_id"]),
            name=clean_spaces(row["name"])[:300],
            country=country_code(row["country_code"]),
            subdivision=clean_spaces(row.get("subdivision", ""))[:120],
            city=clean_spaces(row.get("city", ""))[:120],
            latitude=_float(row.get("lat")),
            longitude=_float(row.get("lng")),
            website=row.get("website", "")[:300],
            types=row.get("types", "").replace("|", ",")[:200],
            established=_int(row.get("established")),
            status=_status(row.get("status")),
        )
        if not record.key or not record.name:
            raise RegistryFileError(f"Row {number} has no valid ROR ID or name.")
        record.add_name("name", record.name)
        for label in filter(None, row.get("labels", "").split("|")):
            language, _, value = label.partition(":") if ":" in label else ("", "", label)
            record.add_name("label", value, language)
        for alias in filter(None, row.get("aliases", "").split("|")):
            record.add_name("alias", alias)
        for acronym in filter(None, row.get("acronyms", "").split("|")):
            record.add_name("acronym", acronym)
        for domain in filter(None, row.get("domains", "").split("|")):
            record.add_domain(domain)
        record.add_domain(record.website)
        records.append(record)
        if row.get("release"):
            releases.add(row["release"])
    edition = max(releases, key=lambda r: [int(p) for p in re.findall(r"\d+", r)], default="")
    return records, edition


def _json_loads(raw: bytes, name: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise RegistryFileError(f"{name} is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise RegistryFileError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}).") from exc


def _from_zip(path: Path) -> Parsed:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                n for n in archive.namelist() if n.lower().endswith(".json") and not n.startswith("__")
            ]
            if not members:
                raise RegistryFileError("The ZIP file holds no ROR JSON file.")
            # Dumps carry the same data in both schemas (v2 named "_schema_v2" before it became the default,
            # v1 named "_schema_v1" after); schema v2 has the richer names.
            v2 = [n for n in members if "schema_v2" in n.lower()]
            not_v1 = [n for n in members if "schema_v1" not in n.lower()]
            member = sorted(v2 or not_v1 or members)[0]
            raw = archive.read(member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise RegistryFileError("The file is not a readable ZIP archive.") from exc
    stem = Path(member).name.removesuffix(".json")
    return Parsed(
        records=_from_json(_json_loads(raw, member)),
        edition=stem.removesuffix("_schema_v2").removesuffix("_schema_v1")[:60],
    )


def parse_ror(path: Path) -> Parsed:
    """Read a ROR dump (.json, .zip or .csv) completely, or raise RegistryFileError."""
    raw = path.read_bytes()
    if raw[:2] == b"PK" or path.suffix.lower() == ".zip":
        parsed = _from_zip(path)
    elif raw.lstrip()[:1] in (b"[", b"{") or path.suffix.lower() == ".json":
        parsed = Parsed(records=_from_json(_json_loads(raw, path.name)), edition=path.stem[:60])
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RegistryFileError(f"{path.name} is not UTF-8 text.") from exc
        records, edition = _from_csv(text)
        parsed = Parsed(records=records, edition=edition[:60])
    parsed.records = dedupe(parsed.records)
    return parsed
