"""`meridian import partners|agreements FILE [--dry-run] [--user USERNAME]`: the import from the shell."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from meridian.imports.columns import KINDS
from meridian.imports.services import import_commit, import_dry_run


class Command(BaseCommand):
    help = (
        "Import partners or agreements from a CSV or XLSX file. All rows are applied in one transaction, "
        "or none "
        "when any row has a problem. Exits with an error status when there are problems."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=KINDS, help="What the file holds.")
        parser.add_argument("file", help="Path of the CSV or XLSX file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; change nothing."
        )
        parser.add_argument("--user", help="Import as this user (default: the system).")

    def handle(
        self, *args, kind: str, file: str, dry_run: bool = False, user: str | None = None, **options
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user called {user!r}.") from exc
        run = import_dry_run if dry_run else import_commit
        report = run(kind=kind, file=path, actor=actor)
        for line in report.lines():
            self.stdout.write(line)
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s); nothing was imported.")
