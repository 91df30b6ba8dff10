"""Who may see a job: the person who started it, and administrators."""

from __future__ import annotations

from typing import Any

from meridian.accounts.permissions import is_administrator
from meridian.jobs.models import JobRun


def can_see_job(user: Any, job: JobRun) -> bool:
    """The actor and administrators see a job's page, its progress and its result file; nobody else."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return job.actor_id == user.pk or is_administrator(user)


def can_list_jobs(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)
