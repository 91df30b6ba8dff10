"""`meridian expire-imports [--days N]`: delete the files of uploads kept too long without being imported."""

from django.core.management.base import BaseCommand, CommandError

from meridian.imports.services import keep_days, uploads_expire


class Command(BaseCommand):
    help = (
        "Delete the kept files of uploads checked or refused more than IMPORT_KEEP_DAYS days ago "
        "(default 14) and never imported; their pages then say to upload the file again. The scheduler "
        "runs this daily; a second run changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Keep uploads this many days (default: IMPORT_KEEP_DAYS)."
        )

    def handle(self, *args, days: int | None = None, **options) -> None:
        days = keep_days() if days is None else days
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        counts = uploads_expire(days=days)
        self.stdout.write(
            f"Uploads expired: {counts['expired']}; stray files deleted: {counts['orphans']} "
            f"(kept {days} days)."
        )
