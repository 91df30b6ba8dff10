"""Job runners used by the tests: each writes a row first, so that a rollback can be seen."""

from __future__ import annotations

from django.utils import timezone

from meridian.core.errors import DomainError
from meridian.jobs.models import JobRun, ScheduledRun
from meridian.jobs.services import JobFailed, job_attach_file, job_progress


def _write(name: str) -> None:
    ScheduledRun.objects.create(key=f"work-{name}", slot=timezone.now())


def succeed(job: JobRun, *, name: str) -> dict:
    _write(name)
    for done in range(1, 4):
        job_progress(job, done=done, total=3, message="Counting")
    job_attach_file(job, filename="result.csv", content=f"name\n{name}\n".encode(), content_type="text/csv")
    return {"name": name}


def fail_cleanly(job: JobRun, *, name: str) -> None:
    _write(name)
    job_attach_file(job, filename="partial.csv", content=b"half", content_type="text/csv")
    raise JobFailed("Row 3 has no country.", result={"problems": 1})


def refuse(job: JobRun, *, name: str) -> None:
    _write(name)
    raise DomainError("The partner was merged meanwhile.")


def crash(job: JobRun, *, name: str) -> None:
    _write(name)
    raise RuntimeError("disk full")


def note_failure(job: JobRun, *, name: str) -> None:
    ScheduledRun.objects.create(key=f"failed-{name}", slot=timezone.now())


def item_by_item(job: JobRun, *, name: str) -> None:
    _write(name)
    raise JobFailed("The second item failed.")


item_by_item.job_atomic = False  # type: ignore[attr-defined]
