"""The agreement list (filters, sorting, pagination, htmx refresh) and its CSV/XLSX export."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.agreements import permissions, selectors
from meridian.agreements.filters import AgreementFilter
from meridian.core.filters import invalid_filters_response
from meridian.core.spreadsheet import export_response

PAGE_SIZE = 25


def filtered_agreements(request: HttpRequest) -> AgreementFilter:
    """The list, the API and the exports share this: visible agreements narrowed by AgreementFilter."""
    queryset = selectors.agreement_list(user=request.user)
    return AgreementFilter(request.GET or None, queryset=queryset, request=request)


def sort_columns(current: str) -> list[dict]:
    """Header links: clicking a column sorts by it, clicking again reverses the order."""
    labels = {"number": _("Number"), "title": _("Title"), "end_date": _("End date"), "state": _("State")}
    columns = []
    for key, label in labels.items():
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        columns.append(
            {"key": key, "label": label, "direction": direction, "next": f"-{key}" if current == key else key}
        )
    return columns


@login_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    filterset = filtered_agreements(request)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    paginator = Paginator(queryset, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {"agreement": a, "expiring": a.is_expiring_soon(today=today), "days_left": a.days_left(today=today)}
        for a in page_obj.object_list
    ]
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "rows": rows,
        "columns": sort_columns(request.GET.get("ordering", "")),
        "partner_filter": filterset.form.cleaned_data.get("partner")
        if filterset.is_bound and filterset.is_valid()
        else None,
        "can_create": permissions.can_create_agreement(request.user),
        "can_export": permissions.can_export_agreements(request.user),
        "expiring_days": settings.EXPIRING_SOON_DAYS,
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "agreements/_results.html", context)
    return render(request, "agreements/list.html", context)


def export_rows(queryset) -> list[list[object]]:
    rows = []
    for a in queryset:
        parties = list(a.parties.all())
        rows.append(
            [
                a.number,
                a.title_en,
                a.title_zh,
                a.get_kind_display(),
                a.get_state_display(),
                # Names, countries and units in the reader's language; the import reads either language.
                "; ".join(p.partner.display_name for p in parties),
                "; ".join(sorted({p.partner.country.name for p in parties})),
                a.responsible_unit.name,
                a.start_date,
                a.end_date,
                "; ".join(str(c.get_channel_display()) for c in a.channels.all()),
            ]
        )
    return rows


def export_headers() -> list[str]:
    return [
        _("Number"),
        _("Title (English)"),
        _("Title (Chinese)"),
        _("Type"),
        _("State"),
        _("Partners"),
        _("Countries"),
        _("Responsible unit"),
        _("Start date"),
        _("End date"),
        _("Channels"),
    ]


@login_required
@require_GET
def agreement_export(request: HttpRequest) -> HttpResponse:
    if not permissions.can_export_agreements(request.user):
        raise PermissionDenied(_("You may not export agreements."))
    filterset = filtered_agreements(request)
    if (refusal := invalid_filters_response(filterset)) is not None:
        return refusal
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    from django.shortcuts import redirect

    from meridian.agreements.tasks import export_needs_job, start_agreement_export

    if export_needs_job(queryset.count()):
        # Too many rows to build during the request: a background job makes the file; its page follows it.
        job = start_agreement_export(actor=request.user, query=request.GET.urlencode(), fmt=fmt)
        return redirect(job)
    stamp = timezone.localdate().isoformat()
    return export_response(
        fmt=fmt,
        filename=f"agreements-{stamp}",
        headers=export_headers(),
        rows=export_rows(queryset),
        sheet_name=_("Agreements"),
    )
