"""`meridian rotate-personal-data-key`: re-encrypt personal data with the newest key of PERSONAL_DATA_KEYS."""

from django.core.management.base import BaseCommand

from meridian.people.services import personal_data_rotate_key


class Command(BaseCommand):
    help = (
        "Re-encrypt every identity-document number and scan with the first key of PERSONAL_DATA_KEYS. "
        "Run it after putting a new key first; then the old keys can be removed."
    )

    def handle(self, *args, **options) -> None:
        numbers, scans = personal_data_rotate_key()
        self.stdout.write(
            f"Re-encrypted {numbers} document number(s) and {scans} scan(s) with the newest key."
        )
