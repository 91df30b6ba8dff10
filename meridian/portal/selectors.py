"""Reads for the public site (live articles only) and for the editor pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
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


def section_articles(*, section: Section) -> QuerySet[Article]:
    """A section's live articles other than its front page, newest first."""
    return public_articles().filter(section=section).exclude(slug=section.slug)


def latest_news(*, limit: int = 5) -> list[Article]:
    return list(public_articles().filter(kind=ArticleKind.NEWS)[:limit])


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
