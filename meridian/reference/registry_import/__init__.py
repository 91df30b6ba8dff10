"""Import of institution registries (ROR, Erasmus charter holders, world universities and domains).

Parsing reads and validates the whole file into records first; writing then happens in one transaction,
so a bad file leaves the registry exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from meridian.reference.registry_import.domains import parse_domains
from meridian.reference.registry_import.eche import parse_eche
from meridian.reference.registry_import.records import Parsed, Record, RegistryFileError
from meridian.reference.registry_import.ror import parse_ror
from meridian.reference.registry_import.writer import ImportResult, apply_records

PARSERS: dict[str, Callable[[Path], Parsed]] = {
    "ror": parse_ror,
    "eche": parse_eche,
    "domains": parse_domains,
}

__all__ = ["ImportResult", "Parsed", "Record", "RegistryFileError", "parse_registry_file", "registry_import"]


def parse_registry_file(*, source: str, path: Path) -> Parsed:
    """Read and validate a registry file completely; raise RegistryFileError with a clear reason."""
    if source not in PARSERS:
        raise RegistryFileError(f"Unknown registry source {source!r}.")
    if not path.is_file():
        raise RegistryFileError(f"{path.name} does not exist or is not a file.")
    if path.stat().st_size == 0:
        raise RegistryFileError(f"{path.name} is empty.")
    parsed = PARSERS[source](path)
    if not parsed.records:
        raise RegistryFileError(f"{path.name} contains no institutions.")
    return parsed


def registry_import(*, source: str, path: Path, dry_run: bool = False) -> ImportResult:
    """Import one registry file: created / updated / unchanged / withdrawn counts come back."""
    parsed = parse_registry_file(source=source, path=path)
    return apply_records(source=source, parsed=parsed, file_name=path.name, dry_run=dry_run)
