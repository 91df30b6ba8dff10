"""Registry pages: search the institution registry, and the HTMX suggestions partial used by forms."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meridian.core.registry import registry
from meridian.reference.models import Country, Institution
from meridian.reference.selectors import (
    institution_prefill,
    institutions_with_names,
    region_choices,
    registry_lookup,
    registry_status,
)

PAGE_LIMIT = 25
SUGGESTION_LIMIT = 8


def _results(request: HttpRequest, limit: int) -> tuple[str, str, list]:
    """The query, the country filter and the matching institutions, each with `other_names` and
    `existing_partner` (the partner the user may see that already is the institution, or None)."""
    query = request.GET.get("q", "").strip()
    country = request.GET.get("country", "").strip().upper()[:2]
    found = registry_lookup(query=query, limit=limit, country=country or None) if query else []
    results = institutions_with_names(found)
    existing: dict[int, object] = {}
    for source in registry.institution_partners:  # the partners context answers (the layer above)
        for inst_id, partner in source.find(user=request.user, institutions=results).items():
            existing.setdefault(inst_id, partner)
    for inst in results:
        # Other names and labels, each once, for the result list.
        inst.other_names = list(dict.fromkeys(n.value for n in inst.names.all() if n.value != inst.name))
        inst.existing_partner = existing.get(inst.pk)
    return query, country, results


@login_required
def registry_view(request: HttpRequest) -> HttpResponse:
    """Search the registry; works as a plain GET form and updates as you type with HTMX."""
    query, country, results = _results(request, PAGE_LIMIT)
    context = {
        "query": query,
        "country": country,
        "results": results,
        "countries": Country.objects.order_by("name_en").only("code", "name_en", "name_zh"),
        "status": registry_status(),
    }
    if request.htmx:
        return render(request, "reference/_results.html", context)
    return render(request, "reference/registry.html", context)


@login_required
def lookup_view(request: HttpRequest) -> HttpResponse:
    """Suggestions as <li> items; with `target` each carries the partner form values to fill in."""
    query, _country, results = _results(request, SUGGESTION_LIMIT)
    target = request.GET.get("target", "").strip()[:60]
    items = [
        {
            "institution": inst,
            "existing": inst.existing_partner,
            "prefill": json.dumps(institution_prefill(inst), ensure_ascii=False),
        }
        for inst in results
    ]
    # An empty registry is a set-up step, not a failed search: say so.
    registry_empty = not items and not Institution.objects.exists()
    return render(
        request,
        "reference/_suggestions.html",
        {"query": query, "items": items, "target": target, "registry_empty": registry_empty},
    )


@login_required
def country_list_view(request: HttpRequest) -> HttpResponse:
    """Countries and territories with their UN region, filterable by region."""
    region = request.GET.get("region", "").strip()
    countries = Country.objects.order_by("name_en")
    if region:
        countries = countries.filter(region_code=region)
    regions = region_choices()  # named in the reader's language
    return render(
        request, "reference/countries.html", {"countries": countries, "regions": regions, "region": region}
    )
