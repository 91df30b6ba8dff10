"""Template helpers for the public site: the same page in each language, absolute addresses."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from meridian.portal.publiccache import public_origin

register = template.Library()

OG_LOCALES = {"en": "en_GB", "zh-hans": "zh_CN"}


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """This page's address in every language (for the switch and the hreflang alternates)."""
    request = context["request"]
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        path = translate_url(request.get_full_path(), code)
        info = translation.get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "path": path,
                "absolute": public_origin() + path,
                "current": code == current,
                "og_locale": OG_LOCALES.get(code, code.replace("-", "_")),
            }
        )
    return links


@register.simple_tag
def absolute(path: str) -> str:
    """``path`` on the public address (``SITE_URL``): cached pages are the same whatever host was asked."""
    return public_origin() + path if path else ""


@register.simple_tag(takes_context=True)
def section_name(context, slug: str, default: str) -> str:
    """The name of the public section ``slug`` in the page's language (``selectors.section_names``, read once
    per page), or ``default`` when there is no such section."""
    from meridian.portal.selectors import section_names

    key = "_portal_section_names"
    names = context.render_context.get(key)
    if names is None:
        names = context.render_context[key] = section_names()
    return names.get(slug) or default


@register.simple_tag(takes_context=True)
def sections_shown(context) -> set[str]:
    """Slugs of the public sections that have content (``selectors.sections_with_content``), read once per
    page (or given by the view as ``sections_shown``); the navigation links only those."""
    from meridian.portal.selectors import sections_with_content

    key = "_portal_sections_shown"
    shown = context.render_context.get(key, context.get("sections_shown"))
    if shown is None:
        shown = context.render_context[key] = sections_with_content()
    return shown


@register.simple_tag
def og_locale() -> str:
    code = translation.get_language() or "en"
    return OG_LOCALES.get(code, code.replace("-", "_"))


@register.simple_tag(takes_context=True)
def public_nav_links(context) -> list[dict]:
    """Links other contexts add to the public navigation (``registry.public_nav``), in this page's language;
    an entry whose page is not installed is left out."""
    from django.urls import NoReverseMatch, reverse

    from meridian.core.registry import registry

    request = context.get("request")
    here = getattr(request, "resolver_match", None)
    links = []
    for entry in registry.public_nav:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        apps = entry.active_apps or (entry.url_name.split(":", 1)[0],)
        links.append(
            {
                "key": entry.key,
                "label": entry.label,
                "url": url,
                "current": bool(here and here.app_name in apps),
            }
        )
    return links
