"""The common form every registry file is parsed into before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from meridian.core.text import clean_spaces, fold, normalise_domain
from meridian.reference.erasmus import erasmus_key as _erasmus_key


class RegistryFileError(Exception):
    """The file cannot be imported; the message says why, for the person who supplied it."""


@dataclass
class Record:
    """One institution as one registry source describes it."""

    key: str  # identity within the source: ROR ID, Erasmus code, or folded name and country
    name: str
    country: str = ""
    subdivision: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    website: str = ""
    ror_id: str = ""
    erasmus_code: str = ""
    pic: str = ""
    oid: str = ""
    types: str = ""
    established: int | None = None
    status: str = "active"
    eche_start: date | None = None
    eche_end: date | None = None
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, value, language)
    domains: list[str] = field(default_factory=list)

    def add_name(self, kind: str, value: str, language: str = "") -> None:
        value = clean_spaces(value)[:300]
        if value and (kind, value, language) not in self.names:
            self.names.append((kind, value, language))

    def add_domain(self, value: str) -> None:
        domain = normalise_domain(value)
        if domain and "." in domain and domain not in self.domains:
            self.domains.append(domain[:253])


@dataclass
class Parsed:
    records: list[Record]
    edition: str = ""


# ECHE lists use the EU's country codes for Greece and the United Kingdom.
EU_COUNTRY_CODES = {"EL": "GR", "UK": "GB"}


def country_code(value: str) -> str:
    code = clean_spaces(value).upper()
    return EU_COUNTRY_CODES.get(code, code) if len(code) == 2 else ""


def domains_key(name: str, country: str) -> str:
    return f"{country}|{fold(name)}"[:310]


def erasmus_key(code: str) -> str:
    """The Erasmus code without spaces, upper-cased: see meridian.reference.erasmus.erasmus_key."""
    return _erasmus_key(code)


def dedupe(records: list[Record]) -> list[Record]:
    """Keep one record per key; later duplicates only add their names and domains."""
    seen: dict[str, Record] = {}
    for record in records:
        first = seen.get(record.key)
        if first is None:
            seen[record.key] = record
            continue
        for name in record.names:
            first.add_name(*name)
        for domain in record.domains:
            first.add_domain(domain)
    return list(seen.values())
