"""`meridian send-reminders [--today YYYY-MM-DD]`: run the deadline clocks; safe to run twice."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from meridian.agreements.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Run the deadline clocks: expire lapsed agreements, open and close renewal obligations, and send "
        "every due reminder and escalation once (180, 90 and 30 days before an agreement's renewal decision "
        "date, its end date less any notice period; then the unit and the office)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, today: str | None = None, **options) -> None:
        when = None
        if today:
            try:
                when = date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be a date like 2026-01-31, not {today!r}.") from exc
        count = send_due_reminders(today=when, report=self.stdout.write)
        self.stdout.write(f"{count} reminder message(s) sent.")
