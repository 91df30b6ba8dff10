"""`meridian send-reminders [--today YYYY-MM-DD]`: send due reminders; safe to run daily."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from meridian.agreements.services import reminders_send


class Command(BaseCommand):
    help = "E-mail coordinators 180, 90 and 30 days before agreements end and on expiry (each reminder once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, today: str | None = None, **options) -> None:
        when = None
        if today:
            try:
                when = date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be a date like 2026-01-31, not {today!r}.") from exc
        count = reminders_send(today=when, report=self.stdout.write)
        self.stdout.write(f"{count} reminder e-mail(s) sent.")
