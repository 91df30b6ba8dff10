"""`meridian import KIND FILE [--dry-run] [--user USERNAME] [--background]`: the import from the shell."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from meridian.core.registry import registry
from meridian.imports.services import import_commit, import_dry_run


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of one registered kind (partners, agreements, …). All rows are applied in "
        "one transaction, or none when any row has a problem. Exits with an error status when there are "
        "problems. With --background the import is queued as a job for the worker instead."
    )

    def add_arguments(self, parser) -> None:
        kinds = [kind.key for kind in registry.import_kinds]
        parser.add_argument("kind", choices=kinds, help="What the file holds.")
        parser.add_argument("file", help="Path of the CSV or XLSX file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; change nothing."
        )
        parser.add_argument("--user", help="Import as this user (default: the system).")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the import as a background job (run by `meridian worker`) and return at once.",
        )

    def handle(
        self,
        *args,
        kind: str,
        file: str,
        dry_run: bool = False,
        user: str | None = None,
        background: bool = False,
        **options,
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
        if background:
            from django.db import transaction

            from meridian.imports.jobs import start_file_import

            with transaction.atomic():
                job = start_file_import(kind=kind, source=path, actor=actor, dry_run=dry_run)
            self.stdout.write(
                f"Queued as job {job.pk}; `meridian worker` runs it. Page: {job.get_absolute_url()}"
            )
            return
        run = import_dry_run if dry_run else import_commit
        report = run(kind=kind, file=path, actor=actor)
        for line in report.lines():
            self.stdout.write(line)
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s); nothing was imported.")
