"""Background tasks of the import hub."""

from __future__ import annotations

from django_tasks import task

from meridian.imports.services import uploads_expire


@task()
def expire_uploads() -> dict[str, int]:
    """Scheduled daily: delete the files of uploads kept past ``IMPORT_KEEP_DAYS`` (``uploads_expire``)."""
    return uploads_expire()
