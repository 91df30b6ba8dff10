"""The public partner directory and partner pages (anonymous visitors; public fields only)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from meridian.directory import selectors
from meridian.directory.filters import filter_params
from meridian.portal import selectors as portal_selectors
from meridian.portal.publiccache import cached_public_page

PAGE_SIZE = 25
NEWS_SHOWN = 3  # recent news that mention the partner, on its public page
# The SVG document's own style: an <img> (no script) does not see the page's style sheet.
MAP_STYLE = (
    ".world-map .sea{fill:#eef4f9}.world-map .country{fill:#dfe3e8;stroke:#fff;stroke-width:.4}"
    ".world-map .c1{fill:#c6dbef}.world-map .c2{fill:#9ecae1}.world-map .c3{fill:#6baed6}"
    ".world-map .c4{fill:#3182bd}.world-map .c5{fill:#08519c}"
    ".world-map .country.selected{fill:#f59e0b;stroke:#7c2d12;stroke-width:1.5}"
    ".world-map .marker{stroke:#1b1f24;stroke-width:1}"
    ".world-map .point{fill:#c2410c;stroke:#fff;stroke-width:.8}"
)


def _htmx_partial(request: HttpRequest) -> bool:
    return bool(request.htmx and not request.htmx.boosted)


# Whole pages for anonymous visitors, keyed by the public data stamp: never older than the data, on every
# server (see meridian.portal.publiccache).
cached_for_visitors = cached_public_page(
    name="directory", variant=_htmx_partial, scheduled=False, articles=False, max_age=600
)


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
        **selectors.map_summary(filters=params),
    }


@cached_for_visitors
def directory_list(request: HttpRequest) -> HttpResponse:
    context = directory_context(request)
    if request.htmx and not request.htmx.boosted:
        return render(request, "directory/_results.html", context)
    return render(request, "directory/list.html", context)


@cached_public_page(name="directory-partner", max_age=600)  # it shows news: the articles' stamp counts too
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
            "logo_url": selectors.partner_logo_url(partner),
            "news": portal_selectors.news_mentioning(
                names=[partner.name, partner.name_en, partner.name_zh], limit=NEWS_SHOWN
            ),
        },
    )


@require_safe
@cached_public_page(name="directory-map", scheduled=False, articles=False)
def world_map(request: HttpRequest) -> HttpResponse:
    """The world map as an SVG document (``image/svg+xml``) for the directory filters in the query; pages
    load it on their own (inlined by ``map.js``; an ``<img>`` without script). Cached, compressed, ETag."""
    params = filter_params(request.GET)
    target = "_blank" if request.GET.get("target") == "_blank" else ""
    context = selectors.map_context(filters=params, target=target)
    if not context["map_available"]:
        raise Http404
    svg = (
        context["map_svg"]
        .replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        .replace(">", f"><style>{MAP_STYLE}</style>", 1)
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@require_safe
def partner_logo(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    """A public partner's logo (a PNG the partners context re-encoded when it was uploaded), or 404.

    The name is random per upload, so the file may be cached for long; it is served as an image that can run
    nothing (``nosniff``, a sandboxing policy)."""
    partner = selectors.public_partners().filter(pk=pk).values_list("logo", flat=True).first()
    if not partner or partner.rsplit("/", 1)[-1] != filename:
        raise Http404
    try:
        handle = default_storage.open(partner, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=604800, immutable"
    return response
