"""robots.txt and sitemap.xml (written here: the sitemaps framework is not installed)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from meridian.partners.selectors import public_partners
from meridian.portal.models import Section
from meridian.portal.selectors import sections_with_content, sitemap_articles

# Staff areas are not for search engines (they need a sign-in anyway).
PRIVATE_PREFIXES = [
    "/accounts/", "/dashboard/", "/partners/", "/agreements/", "/registry/", "/import/", "/api/", "/admin/",
    "/i18n/",
]  # fmt: skip


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES]
    for code in _languages():
        with translation.override(code):
            lines.append(f"Disallow: {reverse('portal:manage_list')}")
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('portal_root:sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _entry(request: HttpRequest, url_name: str, args: list, lastmod=None) -> dict:
    """One page in every language, each listing the others as alternates."""
    alternates = []
    for code in _languages():
        with translation.override(code):
            alternates.append(
                {"lang": code, "href": request.build_absolute_uri(reverse(url_name, args=args))}
            )
    return {"alternates": alternates, "lastmod": lastmod}


def _public_partner_entries(request: HttpRequest) -> list[dict]:
    """Directory pages of public partners (only once the directory provides them)."""
    try:
        reverse("directory:partner", args=[1])
    except NoReverseMatch:
        return []
    entries = [_entry(request, "directory:list", [])]
    for pk, updated in public_partners().order_by("pk").values_list("pk", "updated_at"):
        entries.append(_entry(request, "directory:partner", [pk], updated.date()))
    return entries


@require_GET
@cache_control(public=True, max_age=3600)
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    entries = [_entry(request, "portal:home", [])]
    shown = sections_with_content()
    entries += [
        _entry(request, "portal:section", [slug])
        for slug in Section.objects.values_list("slug", flat=True)
        if slug in shown  # empty sections are hidden until something is published in them
    ]
    for article in sitemap_articles():
        if article.slug == article.section.slug:
            continue  # the section's front page is the section address, listed above
        lastmod = max(article.updated_at, article.publish_at).date()
        entries.append(_entry(request, "portal:article", [article.section.slug, article.slug], lastmod))
    entries += _public_partner_entries(request)
    body = render_to_string("portal/sitemap.xml", {"entries": entries})
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
