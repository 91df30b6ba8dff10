"""`meridian demo-data [--if-empty] [--reset]`: build the deterministic demo data set and print the logins."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError

from meridian.demo.builder import DEFAULT_SEED, build_demo, remove_demo
from meridian.demo.organisation import DEANS, DEMO_USER_PREFIX, USERS
from meridian.demo.password import demo_password
from meridian.partners.models import Partner


class Command(BaseCommand):
    help = (
        "Build demo data: the university, a user per role, real partner organisations and their agreements."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any partner exists.")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo data first, then build it again."
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the random choices.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = demo_password()
        if options["reset"]:
            try:
                remove_demo()
            except ProtectedError as exc:
                raise CommandError(
                    "The demo data cannot be removed: records that are not demo data refer to demo partners "
                    f"({len(exc.protected_objects)} found). Remove those links first."
                ) from exc
            self.stdout.write("Removed the previous demo data.")
        if options["if_empty"] and Partner.objects.exists():
            self.stdout.write("Partners exist already; no demo data added.")
        elif Partner.objects.filter(is_demo=True).exists():
            self.stdout.write("Demo data is present already; use --reset to build it again.")
        else:
            started = time.monotonic()
            summary = build_demo(seed=options["seed"], password=password)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data built in {time.monotonic() - started:.1f} s: {summary.partners} partners in "
                    f"{summary.countries} countries and regions, {summary.agreements} agreements."
                )
            )
        self._print_logins(password)

    def _print_logins(self, password: str) -> None:
        from meridian.accounts.models import User

        admin = User.objects.filter(username=f"{DEMO_USER_PREFIX}admin").first()
        if admin is None:
            return
        self.stdout.write(f"Demo administrator: {admin.username} / {password}")
        if not admin.check_password(password):
            self.stdout.write(
                self.style.WARNING("  (this password has been changed since the demo data was built)")
            )
        others = [username for username, *_rest in USERS if username != admin.username]
        others += [username for username, *_rest in DEANS]
        self.stdout.write(f"Other demo users (same password): {', '.join(others)}")
