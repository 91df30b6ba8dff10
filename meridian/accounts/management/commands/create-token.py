"""`meridian create-token USERNAME`: print an API token for the user (the existing one if there is one)."""

from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from meridian.accounts.models import User


class Command(BaseCommand):
    help = "Print the API token of a user, creating it when the user has none."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Replace an existing token with a new one.")

    def handle(self, *args, username: str, rotate: bool, **options) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user is called {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
