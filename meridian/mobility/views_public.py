"""The public pages of exchange calls on the Global Vision site (``/<lang>/global-vision/exchange-calls/``,
namespace ``mobility_public``): the calls open for applications (and those closed recently, marked closed)
and a call's page with its destinations, places, language requirements, eligibility, required documents,
deadline (in the site's time zone) and how to apply. Anonymous visitors; only opened calls (drafts and
cancelled calls are 404); public fields only (never applications, reviewers or internal notes).

Pages are cacheable for five minutes by shared caches when nobody is signed in.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from meridian.core.i18n import localised
from meridian.mobility.choices import DocumentKind
from meridian.mobility.labels import language_label, university_name
from meridian.mobility.models import Call, CallDestination
from meridian.mobility.selectors import calls as selectors

PAGE_MAX_AGE = 300


def _public_cache(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response


def _routable(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def site_time(moment: datetime.datetime) -> dict[str, str]:
    """``{"text": "2026-03-31 17:00", "zone": "UTC+08:00", "iso": …}``: ``moment`` in the site's time zone
    (``TIME_ZONE``), whatever zone the reader's session uses."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return {"text": local.strftime("%Y-%m-%d %H:%M"), "zone": zone, "iso": local.isoformat()}


def language_name(code: str) -> str:
    """The name of the language with ISO 639-1 ``code`` in the reader's language ("German", "德语"; see
    ``selectors.conditions.language_label``), "" for no code."""
    return language_label(code) if code else ""


def language_rows(destination: CallDestination) -> list[str]:
    """The destination's language requirements as text: its own, else its condition's ("German B2")."""
    pairs = [(destination.language, destination.min_cefr)] if destination.language else []
    condition = destination.condition
    if not pairs and condition is not None:
        pairs = [(row.language, row.cefr_level) for row in condition.languages.all()]
    return [" ".join(p for p in (language_name(code), level) if p) for code, level in pairs]


def eligibility_rows(call: Call) -> list[str]:
    """The call's eligibility rules as sentences for applicants."""
    rows = []
    if call.min_year_of_study:
        rows.append(
            _("Students in year %(year)s of their studies or above.") % {"year": call.min_year_of_study}
        )
    if call.min_grade is not None:
        rows.append(
            _("A grade average of at least %(grade)s (on a scale of %(scale)s).")
            % {"grade": f"{call.min_grade.normalize():f}", "scale": f"{call.grade_scale.normalize():f}"}
        )
    if call.language:
        language = language_name(call.language)
        if call.min_cefr:
            rows.append(
                _("%(language)s at level %(level)s (CEFR) or above.")
                % {"language": language, "level": call.min_cefr}
            )
        else:
            rows.append(_("Good command of %(language)s.") % {"language": language})
    if call.require_clean_record:
        rows.append(_("No disciplinary record."))
    return rows


def _apply_url(request: HttpRequest, call: Call) -> str:
    """Where "Apply" leads: the call in the student portal, through the sign-in page for visitors."""
    target = _routable("mobility:student_call", call.pk) or _routable("mobility:student_home")
    if request.user.is_authenticated and target:
        return target
    login = _routable("accounts:login")
    if not login:
        return target
    return f"{login}?{urlencode({'next': target})}" if target else login


@require_safe
def calls(request: HttpRequest) -> HttpResponse:
    """Calls open for applications (soonest deadline first) and calls closed in the last
    ``selectors.RECENTLY_CLOSED_DAYS`` days, marked closed."""
    now = timezone.now()
    context = {
        "open_rows": _rows(selectors.public_open_calls(now=now), now),
        "closed_rows": _rows(selectors.public_recently_closed(now=now), now),
        "recent_days": selectors.RECENTLY_CLOSED_DAYS,
        "university_name": university_name(),  # in the page's language (the site-wide value is English)
    }
    return _public_cache(request, render(request, "mobility/public/calls.html", context))


def _rows(queryset, now: datetime.datetime) -> list[dict[str, Any]]:
    rows = selectors.public_summary(queryset)
    for row in rows:
        call = row["call"]
        row["deadline"] = site_time(call.closes_at)
        row["opens"] = site_time(call.opens_at) if call.opens_at > now else None
        row["open"] = selectors.is_taking_applications(call, now=now)
    return rows


@require_safe
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """One opened call's public page (404 for drafts, cancelled calls and unknown ids)."""
    item = selectors.public_call(pk)
    if item is None:
        raise Http404
    now = timezone.now()
    destinations = list(item.destinations.all())
    documents = dict(DocumentKind.choices)
    context = {
        "call": item,
        "title": item.title,
        "description": localised(item.description_en, item.description_zh),
        "destination_rows": [{"destination": d, "languages": language_rows(d)} for d in destinations],
        "place_total": sum(d.places for d in destinations),
        "eligibility": eligibility_rows(item),
        "documents": [str(documents.get(code, code)) for code in item.required_documents or []],
        "deadline": site_time(item.closes_at),
        "opens": site_time(item.opens_at),
        "open": selectors.is_taking_applications(item, now=now),
        "not_yet": item.opens_at > now,
        "apply_url": _apply_url(request, item),
    }
    return _public_cache(request, render(request, "mobility/public/call.html", context))


urlpatterns = [
    path("", calls, name="calls"),
    path("<int:pk>/", call, name="call"),
]
