"""Background tasks of the people context."""

from __future__ import annotations

from django_tasks import task

from meridian.people.retention import personal_data_purge


@task()
def purge_personal_data() -> dict[str, int]:
    """Delete documents and erase person data past retention (idempotent); returns the counts."""
    report = personal_data_purge()
    return {"documents": len(report.documents), "scans": report.scans, "people": len(report.people)}
