"""``{% travel_section_nav %}``: the menu of the official-travel section (the pages the user may use), for
the head of every travel page. The pages and who may use them are listed in ``travel.extensions``."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("travel/tiles/section_nav.html", takes_context=True)
def travel_section_nav(context) -> dict:
    from meridian.travel.extensions import section_pages

    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else ""
    return {"links": section_pages(user, current) if user is not None else []}
