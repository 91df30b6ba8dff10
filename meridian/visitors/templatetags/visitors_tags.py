"""Tags of the visitors pages.

``{% visitors_section_nav %}``: the menu of the visitors section (the pages the reader may use), at the
head of every visitors page; the pages and who may use them are listed in ``visitors.extensions``.
``{% visit_panel panel %}``: one panel of the visit page (``panels.visit_panels``), rendered with the page's
context plus the panel's own.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.inclusion_tag("visitors/tiles/section_nav.html", takes_context=True)
def visitors_section_nav(context) -> dict[str, Any]:
    from meridian.visitors.extensions import section_pages

    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else ""
    return {"links": section_pages(user, current) if user is not None else []}


@register.simple_tag(takes_context=True)
def visit_panel(context, panel: dict[str, Any]) -> SafeString:
    """Render ``panel["template"]`` with the page's context and ``panel["context"]`` on top."""
    panel_template = context.template.engine.get_template(panel["template"])
    with context.push(**panel["context"]):
        return panel_template.render(context)
