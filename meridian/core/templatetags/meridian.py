"""Template helpers shared by every app."""

from django import template
from django.http import QueryDict

from meridian.core.i18n import localised as _pick

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination, sorting, export links)."""
    request = context["request"]
    query: QueryDict = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def localised(obj, base: str) -> str:
    """`obj|localised:"name"` reads name_zh in Chinese (when present) and name_en otherwise."""
    english = getattr(obj, f"{base}_en", "") or getattr(obj, base, "") or ""
    return _pick(english, getattr(obj, f"{base}_zh", "") or "")
