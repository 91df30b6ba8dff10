"""`meridian import KIND FILE [--dry-run] [--user USERNAME] [--background] [options]`: the shell import.

Reading options: ``--encoding``, ``--sheet``, ``--mapping NAME`` (a saved column mapping of the kind) and
``--save-mapping NAME``; ``--take-file-values`` takes the file's value wherever it conflicts with a stored one
(the default keeps stored values and fills blanks only). The dry run prints the plan row by row.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from meridian.core.errors import DomainError
from meridian.core.registry import registry
from meridian.core.tabular.runner import ReadOptions
from meridian.imports.plan_text import conflict_rows_line, mapping_warning, plan_lines, reading_lines
from meridian.imports.services import import_file, mapping_named, mapping_save


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
            "--dry-run",
            action="store_true",
            help="Check the file and print the plan row by row; change nothing.",
        )
        parser.add_argument("--user", help="Import as this user (default: the system).")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the import as a background job (run by `meridian worker`) and return at once.",
        )
        parser.add_argument(
            "--encoding", default="", help="Text encoding of a CSV file, e.g. utf-8, gb18030, big5, cp1252."
        )
        parser.add_argument("--sheet", default="", help="Name of the workbook sheet to read.")
        parser.add_argument("--mapping", default="", metavar="NAME", help="Use this saved column mapping.")
        parser.add_argument(
            "--save-mapping",
            default="",
            metavar="NAME",
            help="Save the column mapping used for this file under NAME (needs --user).",
        )
        parser.add_argument(
            "--take-file-values",
            action="store_true",
            help="Where the file and a stored record disagree, take the file's value "
            "(default: keep the stored value and fill blanks only).",
        )

    def handle(
        self,
        *args,
        kind: str,
        file: str,
        dry_run: bool = False,
        user: str | None = None,
        background: bool = False,
        encoding: str = "",
        sheet: str = "",
        mapping: str = "",
        save_mapping: str = "",
        take_file_values: bool = False,
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
        if encoding:
            _check_encoding(encoding)
        columns: dict[str, str] = {}
        if mapping:
            try:
                columns = dict(mapping_named(actor=actor, kind=kind, name=mapping).mapping)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        read = ReadOptions(encoding=encoding, sheet=sheet, mapping=columns)
        if background:
            from django.db import transaction

            from meridian.imports.jobs import start_file_import

            with transaction.atomic():
                job = start_file_import(
                    kind=kind,
                    source=path,
                    actor=actor,
                    dry_run=dry_run,
                    options=read,
                    take_file_values=take_file_values,
                )
            self.stdout.write(
                f"Queued as job {job.pk}; `meridian worker` runs it. Page: {job.get_absolute_url()}"
            )
            return
        report = import_file(
            kind=kind,
            file=path,
            actor=actor,
            commit=not dry_run,
            options=read,
            take_file_values=take_file_values,
        )
        for line in reading_lines(report):
            self.stdout.write(line)
        warning = mapping_warning(report, columns, name=mapping) if columns else ""
        if warning:
            self.stderr.write(self.style.WARNING(warning))
        if dry_run:
            for line in plan_lines(report, take_file_values=take_file_values):
                self.stdout.write(line)
        for line in report.lines():
            self.stdout.write(line)
        if dry_run and (conflicts := conflict_rows_line(report)):
            self.stdout.write(conflicts)
        if save_mapping:
            self._save_mapping(actor=actor, kind=kind, name=save_mapping, mapping=report.mapping)
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s); nothing was imported.")

    def _save_mapping(self, *, actor, kind: str, name: str, mapping: dict[str, str]) -> None:
        if actor is None:
            raise CommandError("--save-mapping needs --user: a saved mapping belongs to someone.")
        try:
            mapping_save(actor=actor, kind=kind, name=name, mapping=mapping)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Saved the column mapping as {name!r}.")


def _check_encoding(encoding: str) -> None:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise CommandError(f"Unknown text encoding {encoding!r}.") from exc
