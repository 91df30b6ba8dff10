"""The access log for administrators: filter, page through, export as CSV. Reviewing it is logged too."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.core.filters import invalid_filters_response
from meridian.core.spreadsheet import csv_response
from meridian.people import permissions, selectors, services
from meridian.people.choices import AccessAction
from meridian.people.filters import AccessLogFilter
from meridian.people.views.common import SignedInRequest, client_ip, no_store

PAGE_SIZE = 50


def _filtered(request: SignedInRequest) -> AccessLogFilter:
    if not permissions.can_review_access_log(request.user):
        raise PermissionDenied
    return AccessLogFilter(request.GET or None, queryset=selectors.access_log_list(user=request.user))


def _criteria(request: HttpRequest) -> str:
    """The filters used, for the log entry of the review itself."""
    used = {k: v for k, v in request.GET.items() if v and k not in ("page", "format")}
    return "; ".join(f"{k}={v}" for k, v in sorted(used.items()))[:300]


@login_required
@require_GET
def access_log(request: SignedInRequest) -> HttpResponse:
    filterset = _filtered(request)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    services.access_log_record(
        actor=request.user, action=AccessAction.REVIEW_LOG, purpose=_criteria(request), ip=client_ip(request)
    )
    context = {"filter": filterset, "page_obj": page_obj}
    return no_store(render(request, "people/access_log.html", context))


@login_required
@require_GET
def access_log_export(request: SignedInRequest) -> HttpResponse:
    filterset = _filtered(request)
    if (refusal := invalid_filters_response(filterset)) is not None:
        return refusal
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    services.access_log_record(
        actor=request.user, action=AccessAction.EXPORT_LOG, purpose=_criteria(request), ip=client_ip(request)
    )
    headers = [
        _("Time"), _("User name"), _("Action"), _("Person record"), _("Document record"), _("Document type"),
        _("Purpose"), _("IP address"),
    ]  # fmt: skip
    rows = (
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.username,
            e.get_action_display(),
            e.person_ref,
            e.document_ref,
            e.get_document_kind_display(),
            e.purpose,
            e.ip_address,
        ]
        for e in queryset.iterator(chunk_size=2000)
    )
    filename = f"access-log-{timezone.localdate():%Y%m%d}.csv"
    return no_store(csv_response(filename=filename, headers=headers, rows=rows))
