"""Tags of the student-exchange pages.

``{% mobility_section_nav %}``: the menu of the section (the staff pages the reader may use), at the head of
every staff page of the section (``navigation.SECTION_PAGES``).
``{{ year|academic_year }}``: 2026 → "2026/2027".
Stored codes as the reader reads them: ``{{ code|language_name }}`` ("de" → "German" / "德语"),
``{{ code|isced }}`` (an ISCED-F field with its name), ``{{ "--09-01"|month_day }}`` ("September 1" /
"9月1日"); ``{{ items|list_join }}`` joins with the catalogue's list separator (", " / "、").
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from meridian.mobility import labels
from meridian.mobility.models.base import academic_year_label

register = template.Library()


@register.inclusion_tag("mobility/tiles/section_nav.html", takes_context=True)
def mobility_section_nav(context) -> dict[str, Any]:
    from meridian.mobility.navigation import section_pages

    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else ""
    return {"links": section_pages(user, current) if user is not None else []}


@register.filter
def academic_year(year: int | None) -> str:
    return academic_year_label(year)


@register.filter
def language_name(code: str | None) -> str:
    return labels.language_label(code) if code else ""


@register.filter
def isced(code: str | None) -> str:
    return labels.isced_label(code or "")


@register.filter
def month_day(value: str | None) -> str:
    return labels.month_day_label(value or "")


@register.filter(needs_autoescape=True)
def list_join(items: Any, autoescape: bool = True) -> str:
    escape = conditional_escape if autoescape else str
    return mark_safe(pgettext("list separator", ", ").join(str(escape(item)) for item in items or ()))
