"""The public partner directory and partner pages (anonymous visitors; public fields only)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from meridian.directory import selectors
from meridian.directory.filters import filter_params

PAGE_SIZE = 25
# Whole pages for anonymous visitors, keyed by the data version: never older than the data, on every server.
PAGE_CACHE_SECONDS = 600


def cached_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve an anonymous visitor's GET from the cache while no partner or agreement has changed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        version, _latest = selectors.data_version()
        partial = bool(request.htmx and not request.htmx.boosted)
        key = selectors.cache_key("page", version, request.get_full_path(), partial)
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response, PAGE_CACHE_SECONDS)
        return response

    return wrapper


def directory_context(request: HttpRequest) -> dict:
    filterset = selectors.public_partner_list(filters=request.GET, request=request)
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = filter_params(filterset.form.cleaned_data if filterset.is_valid() else {})
    for partner in page.object_list:
        partner.public_channels = selectors.partner_channels(partner)
    return {
        "filter": filterset,
        "page_obj": page,
        "partners": page.object_list,
        "result_count": paginator.count,
        "active_filters": params,
        "active_query": urlencode(params),
        **selectors.map_context(filters=params),
    }


@cached_for_visitors
def directory_list(request: HttpRequest) -> HttpResponse:
    context = directory_context(request)
    if request.htmx and not request.htmx.boosted:
        return render(request, "directory/_results.html", context)
    return render(request, "directory/list.html", context)


@cached_for_visitors
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.public_partner_get(pk=pk)
    if partner is None:
        raise Http404
    return render(
        request,
        "directory/partner.html",
        {
            "partner": partner,
            "channels": selectors.partner_channels(partner),
            "agreements": partner.public_agreements,
            "panels": selectors.public_partner_panels(partner),
        },
    )
