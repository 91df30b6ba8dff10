"""`meridian backup [--output FILE | --dir DIR] [--plain] [--include-secrets]`: write one backup archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meridian.core.backup import BackupError, backup_create, default_archive_path


class Command(BaseCommand):
    help = (
        "Write a backup archive: a consistent database snapshot, the private and media files and a manifest "
        "with the checksum of every file. The archive is readable by its owner only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="Archive file to write (.tar.gz, or .tar uncompressed)."
        )
        parser.add_argument(
            "--dir", type=Path, help="Folder for an archive named by the time (default <data>/backups)."
        )
        parser.add_argument(
            "--plain", action="store_true", help="An uncompressed .tar (with --dir or the default)."
        )
        parser.add_argument(
            "--include-secrets",
            action="store_true",
            help="Also store SECRET_KEY and PERSONAL_DATA_KEYS: whoever holds the archive can then read the "
            "encrypted personal data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["output"] and options["dir"]:
            raise CommandError("Give --output or --dir, not both.")
        destination = options["output"] or default_archive_path(
            options["dir"], compressed=not options["plain"]
        )
        try:
            result = backup_create(destination=destination, include_secrets=options["include_secrets"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {result.path} ({result.size / 1_048_576:.1f} MiB, {result.files} files)."
            )
        )
