"""Template helpers shared by every app."""

from dataclasses import dataclass

from django import template
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse

from meridian.core.i18n import localised as _pick
from meridian.core.registry import registry

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


@register.simple_tag(takes_context=True)
def render_template(context, template_name: str, values: dict) -> str:
    """Render a registry entry's template (a partner panel, a dashboard tile) with its own context.

    The entry's values come on top of the request context (so ``request``, ``user``, ``csrf_token`` and the
    language work inside); output is the rendered, already-escaped HTML of that template.
    """
    request = context.get("request")
    return render_to_string(template_name, values, request=request)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    current: bool
    count: int | None


def nav_items(user, current_app: str = "") -> list[NavItem]:
    """The navigation entries `user` may use (``registry.nav``, each deciding with its ``visible(user)``).

    ``current_app`` is the URL namespace of the page being shown; the entry whose ``active_apps`` (or the
    namespace of its URL name) contains it is marked current. Counts are read only for visible entries.
    """
    items = []
    for entry in registry.nav:
        if not entry.visible(user):
            continue
        apps = entry.active_apps or ((entry.url_name.split(":")[0],) if ":" in entry.url_name else ())
        items.append(
            NavItem(
                key=entry.key,
                label=str(entry.label),
                url=reverse(entry.url_name, kwargs=entry.url_kwargs or None),
                current=bool(current_app) and current_app in apps,
                count=entry.count(user) if entry.count is not None else None,
            )
        )
    return items


@register.simple_tag(takes_context=True)
def main_nav(context) -> list[NavItem]:
    """``{% main_nav as entries %}``: the signed-in user's navigation entries for this page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    return nav_items(user, getattr(match, "app_name", "") or "")
