"""Job pages: my jobs, one job's progress and outcome, and its result file."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meridian.accounts.permissions import is_administrator
from meridian.jobs.selectors import job_for, job_with_live_progress, jobs_for

PAGE_SIZE = 25
# Seconds between two looks at a running job (htmx polling, or the page's refresh without JavaScript).
POLL_SECONDS = 2


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    everyone = request.GET.get("all") == "1" and is_administrator(request.user)
    page_obj = Paginator(jobs_for(request.user, everyone=everyone), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "jobs/list.html",
        {
            "page_obj": page_obj,
            "jobs": page_obj.object_list,
            "everyone": everyone,
            "can_see_all": is_administrator(request.user),
        },
    )


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_with_live_progress(job_for(request.user, pk))
    return render(request, "jobs/detail.html", {"job": job, "result": job.result, "poll": POLL_SECONDS})


@login_required
@require_GET
def job_progress_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block for htmx polling; once the job has ended the whole page reloads to its outcome."""
    job = job_with_live_progress(job_for(request.user, pk))
    response = render(request, "jobs/_progress.html", {"job": job, "poll": POLL_SECONDS})
    if job.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = job_for(request.user, pk)
    path = job.result_path
    if not job.is_finished or path is None or not path.is_file():
        raise Http404
    return FileResponse(
        io.BytesIO(path.read_bytes()),  # result files are exports of bounded size
        as_attachment=True,
        filename=job.result_filename or path.name,
        content_type=job.result_content_type or "application/octet-stream",
    )
