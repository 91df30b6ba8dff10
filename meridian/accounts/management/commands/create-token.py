"""`meridian create-token USERNAME`: create an API token for a user (for scripts) and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meridian.accounts.models import User
from meridian.accounts.tokens.selectors import api_tokens_of
from meridian.accounts.tokens.services import api_token_create, api_token_revoke, max_lifetime_days
from meridian.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a new API token for a user and print it (only this once: it is stored hashed). "
        "Tokens are listed and revoked on the user's API tokens page or in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="Command line", help="What the token is for (default: %(default)s)."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days the token is valid (default and maximum: API_TOKEN_MAX_DAYS).",
        )
        parser.add_argument("--rotate", action="store_true", help="Revoke the user's other tokens first.")

    def handle(
        self, *args: Any, username: str, name: str, days: int | None, rotate: bool, **options: Any
    ) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user is called {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        if rotate:
            for token in api_tokens_of(user=user).select_related("user"):
                api_token_revoke(token=token, actor=None)
        try:
            lifetime = max_lifetime_days() if days is None else days
            token, secret = api_token_create(user=user, name=name, days=lifetime)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Token “{token.name}” for {username}, valid until {token.expiry:%Y-%m-%d %H:%M %Z}:"
        )
        self.stdout.write(secret)
