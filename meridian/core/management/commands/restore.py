"""`meridian restore ARCHIVE [--check] [--use-archived-secrets]`: restore a backup into an empty site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meridian.core.backup import BackupError, backup_restore, backup_verify, restore_check


class Command(BaseCommand):
    help = (
        "Check a backup archive completely, then restore it into an empty database and empty file folders, "
        "and migrate when this code is newer. A damaged or incompatible archive changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--check", action="store_true", help="Only check the archive and its fit with this installation."
        )
        parser.add_argument(
            "--use-archived-secrets",
            action="store_true",
            help="Write the archive's SECRET_KEY and personal-data key (made with --include-secrets) into "
            "the data folder when they differ from this installation's generated ones.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        try:
            if options["check"]:
                manifest = backup_verify(archive=archive)
                mismatches = restore_check(
                    manifest=manifest, use_archived_secrets=options["use_archived_secrets"]
                )
                self._report(mismatches)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The archive is complete: {len(manifest['files'])} members, made "
                        f"{manifest['created_at']} by Meridian {manifest['meridian_version']}."
                    )
                )
                return
            result = backup_restore(archive=archive, use_archived_secrets=options["use_archived_secrets"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self._report(result.mismatches)
        for path in result.secrets_written:
            self.stdout.write(f"Archived secret written to {path}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the database and {result.files} files"
                + (", then migrated to this version." if result.migrated else ".")
            )
        )

    def _report(self, mismatches: list[str]) -> None:
        for line in mismatches:
            self.stderr.write(self.style.WARNING(f"Setting differs: {line}"))
