"""Background jobs of partners: the list export, when it has too many rows to build during a request."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meridian.core.spreadsheet import export_response
from meridian.jobs.models import JobRun
from meridian.jobs.services import JobFailed, job_attach_file, job_progress, job_start
from meridian.partners.permissions import can_export_partners

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_needs_job(count: int) -> bool:
    """Exports of more than ``EXPORT_JOB_THRESHOLD`` rows run as background jobs."""
    return count > settings.EXPORT_JOB_THRESHOLD


def start_partner_export(*, actor: Any, query: str, fmt: str) -> JobRun:
    """Queue the export of the partner list filtered by ``query`` (a URL query string) as ``fmt``.

    The job exports what the filter shows ``actor`` when it runs, through the same filter as the list page.
    """
    return job_start(
        kind="partners.export",
        label=_("Partner export (%(format)s)") % {"format": fmt.upper()},
        actor=actor,
        runner=export_partners,
        params={"query": query, "fmt": "xlsx" if fmt == "xlsx" else "csv"},
    )


def _counted(rows: Iterable[list[object]], job: JobRun, total: int) -> Iterator[list[object]]:
    message = _("Writing rows")
    for done, row in enumerate(rows, 1):
        job_progress(job, done=done, total=total, message=message)
        yield row


def export_partners(job: JobRun, *, query: str, fmt: str) -> dict[str, int]:
    """Runner: write the filtered partner list to a CSV or XLSX result file; returns ``{"rows": n}``."""
    from meridian.partners.views.lists import EXPORT_HEADERS, _row, filtered_partners

    if not can_export_partners(job.actor):
        raise JobFailed(_("You may not export partners."))
    request = SimpleNamespace(GET=QueryDict(query), user=job.actor)
    partners = filtered_partners(request).qs  # type: ignore[arg-type]
    total = partners.count()
    rows = _counted((_row(p) for p in partners.iterator(chunk_size=1000)), job, total)
    filename = f"partners-{timezone.localdate():%Y%m%d}"
    response = export_response(
        fmt=fmt,
        filename=filename,
        headers=[str(h) for h in EXPORT_HEADERS],
        rows=rows,
        sheet_name=_("Partners"),
    )
    job_attach_file(
        job, filename=f"{filename}.{fmt}", content=response.content, content_type=CONTENT_TYPES[fmt]
    )
    job.message = ngettext("%(count)s partner exported.", "%(count)s partners exported.", total) % {
        "count": total
    }
    return {"rows": total}


# An export only reads: it runs outside a job-wide transaction so that it never holds the write lock.
export_partners.job_atomic = False  # type: ignore[attr-defined]
