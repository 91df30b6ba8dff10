"""The background tasks of the jobs app: the one task that runs every job, and the daily housekeeping."""

from __future__ import annotations

from django_tasks import task

from meridian.jobs.services import job_claim, job_execute, jobs_housekeeping


@task()
def run_job(job_id: int) -> str:
    """Run the queued job ``job_id`` and return its final state; a job that is not queued is left alone."""
    job = job_claim(job_id=job_id)
    if job is None:
        return "skipped"
    return job_execute(job=job).state


@task()
def housekeeping() -> dict[str, int]:
    """Scheduled daily: fail stuck jobs, delete old finished jobs with their files."""
    return jobs_housekeeping()


@task()
def noop(number: int = 0) -> int:
    """Does nothing but return its argument: measures how fast a worker drains the queue (``make bench``)."""
    return number
