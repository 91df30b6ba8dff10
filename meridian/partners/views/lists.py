"""The filtered partner list (with htmx partial refresh) and its CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from meridian.core.filters import invalid_filters_response
from meridian.core.registry import registry
from meridian.partners import permissions
from meridian.partners.filters import PartnerFilter
from meridian.partners.models import Partner
from meridian.partners.selectors import partner_list
from meridian.reference.selectors import city_name

PAGE_SIZE = 25
RESULTS_ID = "partner-results"
# (ordering key of PartnerFilter, column heading); None = not sortable
COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("country", gettext_lazy("Country")),
    ("type", gettext_lazy("Type")),
    ("status", gettext_lazy("Status")),
    ("updated", gettext_lazy("Last updated")),
]


def _all_columns() -> list[tuple[str | None, object]]:
    """The partners' own columns with the headings other contexts add (``registry.partner_row_facts``)
    before "Last updated"; the added ones are not sortable."""
    added = [(None, heading) for facts in registry.partner_row_facts for heading in facts.headings]
    return COLUMNS[:-1] + added + COLUMNS[-1:]


def filtered_partners(request: HttpRequest) -> PartnerFilter:
    """The one filter behind the list page and the export, on the partners this user may see."""
    return PartnerFilter(request.GET, queryset=partner_list(user=request.user), request=request)


def _columns(request: HttpRequest) -> list[dict]:
    current = request.GET.get("ordering", "")
    columns = []
    for key, label in _all_columns():
        column = {"key": key, "label": label, "next": key, "sort": ""}
        if key is not None and current in (key, f"-{key}"):
            column["sort"] = "descending" if current.startswith("-") else "ascending"
            column["next"] = key if current.startswith("-") else f"-{key}"
        columns.append(column)
    return columns


@login_required
@require_GET
def partner_list_view(request: HttpRequest) -> HttpResponse:
    filterset = filtered_partners(request)
    page_obj = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    active_filters = any(v for k, v in request.GET.items() if k not in ("page", "ordering"))
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "partners": page_obj.object_list,
        "columns": _columns(request),
        "active_filters": active_filters,
        "total": Partner.objects.visible_to(request.user).count()
        if active_filters
        else page_obj.paginator.count,
        "can_create": permissions.can_create_partner(request.user),
        "can_export": permissions.can_export_partners(request.user),
        "results_id": RESULTS_ID,
        "row_cells": [f.cells_template for f in registry.partner_row_facts if f.cells_template],
    }
    if getattr(request, "htmx", False) and request.htmx.target == RESULTS_ID:
        return render(request, "partners/_results.html", context)
    return render(request, "partners/list.html", context)


OWN_HEADERS = [
    gettext_lazy("ID"),
    gettext_lazy("Official name"),
    gettext_lazy("English name"),
    gettext_lazy("Chinese name"),
    gettext_lazy("Acronym"),
    gettext_lazy("Type"),
    gettext_lazy("Country code"),
    gettext_lazy("Country"),
    gettext_lazy("Province / state"),
    gettext_lazy("City"),
    gettext_lazy("Website"),
    gettext_lazy("ROR ID"),
    gettext_lazy("Erasmus code"),
    gettext_lazy("PIC"),
    gettext_lazy("SCHAC code"),
    gettext_lazy("Relationship status"),
    gettext_lazy("Cooperating since"),
    gettext_lazy("Managing unit"),
]


def _export_columns() -> list[tuple[str, object]]:
    return [column for facts in registry.partner_row_facts for column in facts.export_columns]


class _ExportHeaders:
    """The export's headers: the partners' own, those other contexts add, then "Last updated" (read from the
    registry when iterated, so the entries registered at start-up are all there)."""

    def __iter__(self) -> Iterator[object]:
        yield from OWN_HEADERS
        yield from (header for _name, header in _export_columns())
        yield gettext_lazy("Last updated")


EXPORT_HEADERS = _ExportHeaders()


def _row(p: Partner, added: list[str] | None = None) -> list[object]:
    """One export row; `added` are the attribute names other contexts attach (all registered by default).
    The city is given in the export's language (``reference.selectors.city_name``)."""
    if added is None:
        added = [name for name, _header in _export_columns()]
    return [
        p.pk, p.name, p.name_en, p.name_zh, p.acronym, p.get_kind_display(), p.country_id, p.country.name,
        p.province, city_name(p.country_id, p.city), p.website, p.ror_id, p.erasmus_code, p.pic,
        p.schac_code, p.get_status_display(),
        p.cooperating_since, p.owner_unit.name if p.owner_unit else "",
        *(getattr(p, name) for name in added), p.updated_at,
    ]  # fmt: skip


@login_required
@require_GET
def partner_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV (default) or XLSX (`?format=xlsx`); formula-like cells are neutralised."""
    if not permissions.can_export_partners(request.user):
        raise PermissionDenied(_("You may not export partners."))
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    filterset = filtered_partners(request)
    if (refusal := invalid_filters_response(filterset)) is not None:
        return refusal
    partners = filterset.qs
    from django.shortcuts import redirect

    from meridian.partners.tasks import export_needs_job, start_partner_export

    if export_needs_job(partners.count()):
        # Too many rows to build during the request: a background job makes the file; its page follows it.
        job = start_partner_export(actor=request.user, query=request.GET.urlencode(), fmt=fmt)
        return redirect(job)
    filename = f"partners-{timezone.localdate():%Y%m%d}"
    return spreadsheet_export(fmt=fmt, filename=filename, partners=partners)


def spreadsheet_export(*, fmt: str, filename: str, partners) -> HttpResponse:
    from meridian.core.spreadsheet import export_response

    added = [name for name, _header in _export_columns()]
    rows = (_row(p, added) for p in partners.iterator(chunk_size=1000))
    return export_response(
        fmt=fmt,
        filename=filename,
        headers=[str(h) for h in EXPORT_HEADERS],
        rows=rows,
        sheet_name=_("Partners"),
    )
