"""The staff search page: one box, results grouped by record type."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from meridian.search.permissions import can_search, searchable_types
from meridian.search.selectors import MAX_QUERY, search_everything


@login_required
@require_GET
def search_home(request: HttpRequest) -> HttpResponse:
    """``?q=words``: records of every type the user may search whose names or numbers contain each word."""
    if not can_search(request.user):
        raise PermissionDenied(_("You have no records to search."))
    query = request.GET.get("q", "")
    groups = search_everything(user=request.user, query=query)
    labels = [str(entry.label) for entry in searchable_types(request.user)]
    context = {
        "query": query,
        "max_query": MAX_QUERY,
        "groups": groups,
        "types": labels,
        # "Partners, Agreements" / "合作伙伴、协议": the language's list separator.
        "types_text": pgettext("list separator", ", ").join(labels),
        "searched": bool(query.strip()),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "search-results":
        return render(request, "search/_results.html", context)
    return render(request, "search/home.html", context)
