"""Background jobs of agreements: the list export, when it has too many rows to build during a request."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meridian.agreements.permissions import can_export_agreements
from meridian.core.spreadsheet import export_response
from meridian.jobs.models import JobRun
from meridian.jobs.services import JobFailed, job_attach_file, job_progress, job_start

CHUNK = 1000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_needs_job(count: int) -> bool:
    """Exports of more than ``EXPORT_JOB_THRESHOLD`` rows run as background jobs."""
    return count > settings.EXPORT_JOB_THRESHOLD


def start_agreement_export(*, actor: Any, query: str, fmt: str) -> JobRun:
    """Queue the export of the agreement list filtered by ``query`` (a URL query string) as ``fmt``.

    The job exports what the filter shows ``actor`` when it runs, through the same filter as the list page.
    """
    return job_start(
        kind="agreements.export",
        label=_("Agreement export (%(format)s)") % {"format": fmt.upper()},
        actor=actor,
        runner=export_agreements,
        params={"query": query, "fmt": "xlsx" if fmt == "xlsx" else "csv"},
    )


def export_agreements(job: JobRun, *, query: str, fmt: str) -> dict[str, int]:
    """Runner: write the filtered agreement list to a CSV or XLSX result file; returns ``{"rows": n}``."""
    from meridian.agreements.views.lists import export_headers, export_rows, filtered_agreements

    if not can_export_agreements(job.actor):
        raise JobFailed(_("You may not export agreements."))
    request = SimpleNamespace(GET=QueryDict(query), user=job.actor)
    filterset = filtered_agreements(request)  # type: ignore[arg-type]
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    # The ids first, in list order, then chunks of them: each row is exported once even if rows change
    # meanwhile, and the related look-ups (parties, channels) stay a few queries per thousand rows.
    ids = list(queryset.values_list("pk", flat=True))
    total = len(ids)
    rows: list[list[object]] = []
    message = _("Writing rows")
    for start in range(0, total, CHUNK):
        rows.extend(export_rows(queryset.filter(pk__in=ids[start : start + CHUNK])))
        job_progress(job, done=min(start + CHUNK, total), total=total, message=message)
    filename = f"agreements-{timezone.localdate().isoformat()}"
    response = export_response(
        fmt=fmt, filename=filename, headers=export_headers(), rows=rows, sheet_name=_("Agreements")
    )
    job_attach_file(
        job, filename=f"{filename}.{fmt}", content=response.content, content_type=CONTENT_TYPES[fmt]
    )
    job.message = ngettext("%(count)s agreement exported.", "%(count)s agreements exported.", total) % {
        "count": total
    }
    return {"rows": total}


# An export only reads: it runs outside a job-wide transaction so that it never holds the write lock.
export_agreements.job_atomic = False  # type: ignore[attr-defined]
