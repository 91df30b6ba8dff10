"""Parse world_universities_and_domains.json (name, alpha_two_code, domains, web_pages, state-province)."""

from __future__ import annotations

import json
from pathlib import Path

from meridian.core.text import clean_spaces
from meridian.reference.registry_import.records import (
    Parsed,
    Record,
    RegistryFileError,
    country_code,
    dedupe,
    domains_key,
)


def parse_domains(path: Path) -> Parsed:
    """Read the list completely, or raise RegistryFileError."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise RegistryFileError(f"{path.name} is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise RegistryFileError(
            f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno})."
        ) from exc
    if not isinstance(data, list):
        raise RegistryFileError("The domains file must be a JSON list of universities.")
    records = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not item.get("name") or "alpha_two_code" not in item:
            raise RegistryFileError(f"Entry {number} has no name or alpha_two_code.")
        name = clean_spaces(str(item["name"]))[:300]
        country = country_code(str(item.get("alpha_two_code") or ""))
        pages = [p for p in item.get("web_pages") or [] if isinstance(p, str)]
        record = Record(
            key=domains_key(name, country),
            name=name,
            country=country,
            subdivision=clean_spaces(str(item.get("state-province") or ""))[:120],
            website=(pages[0] if pages else "")[:300],
        )
        record.add_name("name", name)
        for domain in item.get("domains") or []:
            if isinstance(domain, str):
                record.add_domain(domain)
        for page in pages:
            record.add_domain(page)
        records.append(record)
    return Parsed(records=dedupe(records), edition=path.stem[:60])
