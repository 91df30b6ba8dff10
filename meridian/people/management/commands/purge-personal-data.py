"""`meridian purge-personal-data [--dry-run] [--today YYYY-MM-DD]`: apply retention per purpose."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from meridian.people.retention import personal_data_purge


class Command(BaseCommand):
    help = (
        "Delete identity documents (with their scans) and erase person data whose purposes of collection "
        "have all run out. Safe to run daily: a second run changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be deleted.")
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run: bool = False, today: str | None = None, **options) -> None:
        when = None
        if today:
            try:
                when = date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be a date like 2026-01-31, not {today!r}.") from exc
        verbose = options.get("verbosity", 1) > 1 or dry_run
        result = personal_data_purge(
            today=when, dry_run=dry_run, report=self.stdout.write if verbose else None
        )
        self.stdout.write(result.summary())
