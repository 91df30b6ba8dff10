"""`meridian load-places FILE`: load the place-name table from a Natural Earth populated places CSV."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meridian.reference.places import PlaceFileError, places_load


class Command(BaseCommand):
    help = (
        "Load the place-name table (city names in Chinese) from the Natural Earth populated places CSV you "
        "supply (ne_50m_populated_places.csv or the 10m edition). Replaces the table; nothing is downloaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The populated places CSV file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            result = places_load(path=path)
        except PlaceFileError as exc:
            raise CommandError(f"{path.name} was not loaded: {exc} The stored places are unchanged.") from exc
        self.stdout.write(
            f"{result.total} places loaded ({result.with_chinese} with a Chinese name), "
            f"{result.skipped} without a country skipped, {result.replaced} replaced."
        )
