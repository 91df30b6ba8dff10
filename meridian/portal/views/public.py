"""Public pages: Global Vision home, section index (with its front page), article, and the "/" redirect."""

from __future__ import annotations

from functools import cache

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import select_template
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.module_loading import module_has_submodule
from django.utils.translation import get_language, get_language_from_request

from meridian.partners.selectors import active_partner_description
from meridian.portal import permissions, selectors, services
from meridian.portal.figures import figures_current, placeholder_values
from meridian.portal.models import Article
from meridian.portal.publiccache import META_ATTRIBUTE, cached_public_page, first_time
from meridian.portal.publiccharts import public_charts
from meridian.portal.rendering import render_body, render_plain

PAGE_SIZE = 10


def root_redirect(request: HttpRequest) -> HttpResponse:
    """ "/": signed-in people go to their landing page (by role), visitors to the Global Vision site."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("workflow:landing"))
    language = get_language_from_request(request)
    with translation.override(language):
        return HttpResponseRedirect(reverse("portal:home"))


def _lazy_values(language: str):
    """Figures for placeholders, computed at most once per request and only when a text uses one."""

    @cache
    def values() -> dict[str, str]:
        return placeholder_values(figures_current(), language)

    return values


def article_context(request: HttpRequest, article: Article, values=None) -> dict:
    language = get_language() or "en"
    zh = language.startswith("zh")
    values = values or _lazy_values(language)
    shown = "zh" if (zh and article.has_language("zh")) or not article.has_language("en") else "en"
    other_code = "en" if zh else "zh-hans"
    missing = not article.has_language(language)
    other_url = ""
    if missing and article.has_language(other_code):
        other_url = translate_url(request.path, other_code)
    return {
        "article": article,
        "title": render_plain(getattr(article, f"title_{shown}"), values),
        "summary": render_plain(getattr(article, f"summary_{shown}"), values),
        "body": render_body(getattr(article, f"body_{shown}"), values),
        "shown_language": "zh-hans" if shown == "zh" else "en",
        "missing_language": missing,
        "other_language_url": other_url,
    }


def _map_context() -> dict:
    """The directory's world map (its own app provides the data); the page links the directory without it."""
    import meridian.directory as directory

    if not module_has_submodule(directory, "selectors"):
        return {}
    from meridian.directory import selectors as directory_selectors

    return directory_selectors.map_summary()


# Pages that show a view count or blocks that change with the clock (calls open now) live this long (seconds)
# in the cache; the others until the data changes (or an hour).
LIVE_SECONDS = 60
HOME_SECONDS = 600


def _count_cached_view(request: HttpRequest, meta: dict) -> None:
    """A cached page counts its reader like the rendered one did (once a day per reader)."""
    if meta.get("article"):
        _count_view(request, Article(pk=meta["article"]))


@cached_public_page(name="portal-home", max_age=HOME_SECONDS)
def home(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    figures = figures_current()
    context = {
        "figures": placeholder_values(figures, language),
        "charts": public_charts(figures),
        # The home page, the Global Partnership page and the dashboard count partners with one definition.
        "partners_note": active_partner_description(),
        "news": selectors.latest_news(limit=5),
        "map_template": select_template(["directory/_map.html", "portal/_map_fallback.html"]).template.name,
        **_map_context(),
    }
    return render(request, "portal/home.html", context)


@cached_public_page(name="portal-section", on_serve=_count_cached_view, max_age=LIVE_SECONDS)
def section(request: HttpRequest, slug: str) -> HttpResponse:
    """A public section's page; 404 for a section the navigation hides because it has nothing to show yet
    (``selectors.HIDDEN_WHEN_EMPTY``), so that an address typed or bookmarked does not open an empty page."""
    current = selectors.section_get(slug=slug)
    shown = selectors.sections_with_content()
    if slug in selectors.HIDDEN_WHEN_EMPTY and slug not in shown:
        raise Http404("This section has nothing published yet.")
    front = selectors.public_articles().filter(section=current, slug=current.slug).first()
    page = Paginator(selectors.section_articles(section=current), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "section": current,
        "page_obj": page,
        "articles": page.object_list,
        "blocks": selectors.section_blocks(request=request, section=current),
        "sections_shown": shown,  # the navigation reads the set already fetched (templatetag sections_shown)
    }
    if front is not None:
        context.update(article_context(request, front))
        _count_view(request, front)
    response = render(request, "portal/section.html", context)
    if front is not None:
        setattr(response, META_ATTRIBUTE, {"article": front.pk})
    return response


@cached_public_page(name="portal-article", on_serve=_count_cached_view, max_age=LIVE_SECONDS)
def article(request: HttpRequest, section_slug: str, slug: str) -> HttpResponse:
    found = selectors.article_for_reader(user=request.user, section_slug=section_slug, slug=slug)
    if found.is_landing:
        return HttpResponseRedirect(found.get_absolute_url())
    context = article_context(request, found)
    context["preview"] = not found.is_live
    if found.is_live:
        _count_view(request, found)
    response = render(request, "portal/article.html", context)
    if found.is_live:
        setattr(response, META_ATTRIBUTE, {"article": found.pk})
    return response


def _count_view(request: HttpRequest, found: Article) -> None:
    if permissions.can_edit_articles(request.user):
        return  # editors checking their own page are not readers
    address = request.META.get("REMOTE_ADDR", "")
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    # A reader already counted today by this process is not written again (the database refuses it anyway).
    reader = services.visitor_key(address=address, user_agent=user_agent, day=timezone.localdate())
    if not first_time(f"portal-view:{found.pk}:{reader}"):
        return
    counted = services.article_view_record(article=found, address=address, user_agent=user_agent)
    if counted:
        found.view_count += 1
