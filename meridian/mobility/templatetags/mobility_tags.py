"""Tags of the student-exchange pages.

``{% mobility_section_nav %}``: the menu of the section (the staff pages the reader may use), at the head of
every staff page of the section (``navigation.SECTION_PAGES``).
``{{ year|academic_year }}``: 2026 → "2026/2027".
"""

from __future__ import annotations

from typing import Any

from django import template

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
