"""`meridian load-reference`: load countries, ISCED-F fields and EQF levels (safe to run again)."""

from typing import Any

from django.core.management.base import BaseCommand

from meridian.reference.services import reference_load


class Command(BaseCommand):
    help = "Load the reference data encoded in the project: countries, ISCED-F 2013 fields, EQF levels."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, counts in reference_load().items():
            self.stdout.write(
                f"{name}: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged"
            )
