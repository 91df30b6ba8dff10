"""`meridian import-registry {ror,eche,domains} FILE [--dry-run]`: load an institution registry."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meridian.reference.registry_import import RegistryFileError, registry_import


class Command(BaseCommand):
    help = (
        "Import an institution registry: 'ror' (ROR data dump JSON or ZIP, or CSV), 'eche' (Erasmus charter "
        "holders, XLSX or CSV) or 'domains' (world_universities_and_domains.json)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=["ror", "eche", "domains"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            result = registry_import(source=options["source"], path=path, dry_run=options["dry_run"])
        except RegistryFileError as exc:
            raise CommandError(f"{path.name} was not imported: {exc} The registry is unchanged.") from exc
        prefix = "Dry run, nothing written: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{result.source} {result.edition}: {result.total} records, {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged, {result.withdrawn} withdrawn"
        )
        if result.unknown_countries:
            self.stderr.write(
                f"Unknown country codes (left blank): {', '.join(sorted(result.unknown_countries))}"
            )
