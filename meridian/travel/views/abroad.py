"""“Who is abroad now” (duty of care): travellers on a chosen day, where they are, how to reach them; a map
of countries with the number of people, and a CSV export."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from meridian.core.spreadsheet import csv_response
from meridian.travel import permissions
from meridian.travel.selectors.abroad import abroad_map_svg, abroad_rows, country_counts


def _allowed(request: HttpRequest) -> None:
    if not permissions.can_see_abroad_list(request.user):
        raise PermissionDenied(
            _("The list of people abroad is for the International Office, leadership and unit coordinators.")
        )


def _day(request: HttpRequest) -> tuple[date, str]:
    """The day asked for (``?day=YYYY-MM-DD``), today when absent; a message when it could not be read."""
    today = timezone.localdate()
    raw = (request.GET.get("day") or "").strip()
    if not raw:
        return today, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return today, _("“%(value)s” is not a date; showing today.") % {"value": raw}


@login_required
@require_GET
def abroad(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    day, error = _day(request)
    today = timezone.localdate()
    rows = abroad_rows(user=request.user, day=day, today=today)
    counts = country_counts(rows)
    context = {
        "day": day,
        "today": today,
        "is_today": day == today,
        "day_error": error,
        "rows": rows,
        "people_count": len({row.person.pk for row in rows}),
        "counts": counts,
        "map_svg": abroad_map_svg(counts),
    }
    return render(request, "travel/abroad/list.html", context)


@login_required
@require_GET
def abroad_export(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    day, error = _day(request)
    if error:
        # Never export another day's list than the one asked for.
        message = _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": request.GET.get("day", "")}
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    rows = abroad_rows(user=request.user, day=day)
    headers = [
        _("Date"),
        pgettext("person", "Name"),
        _("Role"),
        _("Unit"),
        _("Trip"),
        _("Countries"),
        _("Where (itinerary)"),
        _("Planned return"),
        _("Phone"),
        _("E-mail"),
    ]
    data = [
        [
            day,
            row.person.latin_name + (f" ({row.person.name_zh})" if row.person.name_zh else ""),
            row.member.get_role_display(),
            row.unit.name if row.unit else "",
            row.trip.number,
            "; ".join(c.name for c in row.countries),
            row.place_text,
            row.trip.return_on,
            row.person.phone,
            row.person.email,
        ]
        for row in rows
    ]
    return csv_response(filename=f"abroad-{day.isoformat()}", headers=headers, rows=data)


urlpatterns = [
    path("abroad/", abroad, name="abroad"),
    path("abroad/export.csv", abroad_export, name="abroad_export"),
]
