"""Reads for the public site (live articles only) and for the editor pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from meridian.core.registry import registry
from meridian.portal import permissions
from meridian.portal.choices import ArticleKind
from meridian.portal.models import Article, Attachment, Section


def public_articles() -> QuerySet[Article]:
    return Article.objects.live().select_related("section")


def section_get(*, slug: str) -> Section:
    try:
        return Section.objects.get(slug=slug)
    except Section.DoesNotExist as exc:
        raise Http404 from exc


def section_names() -> dict[str, str]:
    """Each section's name in the reader's language, by slug: the names the public navigation shows, so that a
    link reads like the page it opens (the section's front page has the section's title)."""
    return {section.slug: section.name for section in Section.objects.only("slug", "name_en", "name_zh")}


def section_articles(*, section: Section) -> QuerySet[Article]:
    """A section's live articles other than its front page, newest first."""
    return public_articles().filter(section=section).exclude(slug=section.slug)


def latest_news(*, limit: int = 5) -> list[Article]:
    return list(public_articles().filter(kind=ArticleKind.NEWS)[:limit])


def news_mentioning(*, names: list[str], limit: int = 3) -> list[Article]:
    """Live news whose title, summary or text (either language) contains one of ``names`` (a partner's
    names), newest first, at most ``limit``. Names shorter than four characters (Latin) or two (Chinese) are
    ignored: an acronym would match unrelated words."""
    condition = Q()
    for name in {n.strip() for n in names if n and n.strip()}:
        if len(name) < (2 if not name.isascii() else 4):
            continue
        for field in ("title_en", "title_zh", "summary_en", "summary_zh", "body_en", "body_zh"):
            condition |= Q(**{f"{field}__icontains": name})
    if not condition:
        return []
    return list(public_articles().filter(condition, kind=ArticleKind.NEWS)[:limit])


def article_for_reader(*, user, section_slug: str, slug: str) -> Article:
    """The article as the reader may see it (live for everyone, any state for editors), or 404."""
    queryset = Article.objects.select_related("section").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("title", "id"))
    )
    if not permissions.can_edit_articles(user):
        queryset = queryset.live()
    try:
        return queryset.get(section__slug=section_slug, slug=slug)
    except Article.DoesNotExist as exc:
        raise Http404 from exc


def article_list_for_editor(*, user) -> QuerySet[Article]:
    if not permissions.can_edit_articles(user):
        return Article.objects.none()
    return Article.objects.select_related("section").order_by("section__position", "-updated_at")


def sitemap_articles() -> QuerySet[Article]:
    return public_articles().only(
        "slug", "section__slug", "updated_at", "publish_at", "title_en", "title_zh", "body_en", "body_zh"
    )


HIDDEN_WHEN_EMPTY = frozenset({"exchange-programmes", "visiting-scholars", "international-students", "news"})
"""Sections the public navigation links only while they have content; their pages answer 404 until then."""

SECTIONS_SHOWN_SECONDS = 60  # blocks change with the clock (a call opens): checked again after a minute


def _sections_with_content() -> set[str]:
    slugs = set(public_articles().order_by().values_list("section__slug", flat=True).distinct())
    for entry in registry.public_section_blocks:
        if entry.section not in slugs and (entry.has_content is None or entry.has_content()):
            slugs.add(entry.section)
    return slugs


def sections_with_content() -> set[str]:
    """Slugs of the public sections that have something to show: a live article (their front page or any
    other) or a registered block with content (``PublicSectionBlock.has_content``). Empty sections are left
    out of the public navigation and the site map, and those in ``HIDDEN_WHEN_EMPTY`` answer 404 until then.
    Cached by the public data stamp for at most a minute (blocks that change with the clock), and never past
    the moment the next scheduled article goes live."""
    from django.core.cache import cache
    from django.utils import timezone

    from meridian.portal.publiccache import data_stamp, next_publication

    key = f"portal:sections-shown:{data_stamp().token}"
    cached = cache.get(key)
    now = timezone.now()
    # The entry carries its own end: a scheduled article that goes live opens its section at that moment
    # (and an empty section's page stops answering 404) even where the cache keeps entries a little longer.
    if cached is not None and now < cached[1]:
        return set(cached[0])
    slugs = _sections_with_content()
    seconds = SECTIONS_SHOWN_SECONDS
    upcoming = next_publication()
    if upcoming is not None:
        seconds = max(1, min(seconds, int((upcoming - now).total_seconds()) + 1))
    until = now + timedelta(seconds=seconds)
    if upcoming is not None:
        until = min(until, upcoming)
    cache.set(key, (slugs, until), seconds)
    return set(slugs)


@dataclass(frozen=True)
class SectionBlock:
    """A block another context shows on a public section page (``registry.public_section_blocks``)."""

    key: str
    template: str
    context: dict[str, Any]


def section_blocks(*, request, section) -> list[SectionBlock]:
    """The registered blocks of ``section``'s page, in registry order (public content only)."""
    return [
        SectionBlock(entry.key, entry.template, entry.context(request))
        for entry in registry.public_section_blocks
        if entry.section == section.slug
    ]
