"""The public lecture calendar of the Global Vision site (``/<lang>/global-vision/lectures/``): upcoming and
past lectures filtered by unit and month, a lecture's page, and the iCalendar feeds (all lectures, or one
unit's with the units below it). Anonymous visitors; public fields only (``selectors.lectures``).

Pages are cacheable for five minutes by shared caches when nobody is signed in; the feeds carry an ETag of
their content and Last-Modified, and answer conditional requests with 304.
"""

from __future__ import annotations

import hashlib

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from meridian.accounts.models import OrgUnit
from meridian.visitors import ics
from meridian.visitors.selectors import lectures as selectors

PAST_PAGE_SIZE = 20
PAGE_MAX_AGE = 300
FEED_MAX_AGE = 900


def _public_cache(request: HttpRequest, response: HttpResponse, max_age: int) -> HttpResponse:
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    return response


def _rows(lectures, language: str) -> list[dict]:
    return [{"lecture": item, **ics.lecture_texts(item, language)} for item in lectures]


@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    """Upcoming lectures (all of them) and past ones (paginated), filtered by ``unit`` and ``month``."""
    filters = selectors.parse_public_filters(request.GET)
    language = translation.get_language() or "en"
    past = Paginator(selectors.public_past(filters), PAST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "upcoming": _rows(selectors.public_upcoming(filters), language),
        "past": past,
        "past_rows": _rows(past.object_list, language),
        "units": selectors.public_units(),
        "query": filters.query,
        "feed_url": reverse("visitors_public:ics"),
        "unit_feed_url": reverse("visitors_public:unit_ics", args=[filters.unit.code])
        if filters.unit
        else "",
    }
    return _public_cache(request, render(request, "visitors/public/calendar.html", context), PAGE_MAX_AGE)


@require_safe
def lecture(request: HttpRequest, pk: int) -> HttpResponse:
    """One lecture's public page (404 for a lecture that is not on the calendar)."""
    item = selectors.public_lecture(pk)
    if item is None:
        raise Http404
    language = translation.get_language() or "en"
    context = {"lecture": item, "texts": ics.lecture_texts(item, language)}
    return _public_cache(request, render(request, "visitors/public/lecture.html", context), PAGE_MAX_AGE)


def _feed(request: HttpRequest, unit: OrgUnit | None) -> HttpResponse:
    language = translation.get_language() or "en"
    rows = selectors.feed_lectures(unit=unit)
    latest = selectors.feed_version(rows)
    if unit is None:
        name = _("Lectures") + " · " + _("Global Vision")
    else:
        name = _("Lectures") + " · " + ics.unit_name(unit, language)

    def page_url(item) -> str:
        return request.build_absolute_uri(reverse("visitors_public:lecture", args=[item.pk]))

    content = ics.build_calendar(rows, language=language, name=name, page_url=page_url)
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    last_modified = int(latest.timestamp()) if latest else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(content, content_type=ics.CONTENT_TYPE)
        filename = f"lectures-{unit.code}.ics" if unit else "lectures.ics"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    """Every public lecture as an iCalendar feed."""
    return _feed(request, None)


@require_safe
def unit_feed(request: HttpRequest, code: str) -> HttpResponse:
    """One unit's lectures (with the units below it); 404 for an unknown unit code."""
    return _feed(request, get_object_or_404(OrgUnit, code=code))
