"""`meridian move-private-files`: copy import uploads and job results left in the old local folder into the
private store (object storage), then remove the local copies."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from meridian.core.privatefiles import move_legacy_files


class Command(BaseCommand):
    help = (
        "Move import uploads and job result files from PRIVATE_STORAGE_ROOT/imports and /jobs into the "
        "private store (needed once after switching to MERIDIAN_STORAGE=s3; they are read from the old "
        "folder until then). Nothing to do while the store is that folder."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        moved = move_legacy_files()
        self.stdout.write(f"Moved {moved} file(s) into the private store.")
