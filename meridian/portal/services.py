"""Writing articles: create, update (with optimistic locking), publish, schedule, unpublish, attach files,
and counting readers."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.portal import permissions
from meridian.portal.choices import ArticleStatus
from meridian.portal.models import Article, Attachment, ViewMark
from meridian.portal.uploads import content_type_of

EDITABLE_FIELDS = [
    "section", "slug", "kind", "title_en", "title_zh", "summary_en", "summary_zh", "body_en", "body_zh",
    "cover", "author_name",
]  # fmt: skip

# Crawlers that say what they are; a headless browser without such a word is a reader.
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|python-requests|curl|wget|"
    r"httpclient|scrapy|feedfetcher|mediapartners|lighthouse|pingdom|uptime",
    re.IGNORECASE,
)


def _require_editor(actor) -> None:
    if actor is not None and not permissions.can_edit_articles(actor):
        raise PermissionDeniedError(_("You may not edit the Global Vision site."))


def _save(article: Article, actor) -> None:
    if article.cover and not getattr(article.cover, "_committed", True):
        article.cover_content_type = content_type_of(article.cover)
    if actor is not None:
        article._history_user = actor
    article.save()


@transaction.atomic
def article_create(*, actor, **fields) -> Article:
    """Create a draft article (actor None = system)."""
    _require_editor(actor)
    article = Article(**fields)
    article.status = ArticleStatus.DRAFT
    article.created_by = actor if actor is not None and actor.is_authenticated else None
    article.full_clean()
    _save(article, actor)
    activity_record(
        target=article, verb="created", actor=actor,
        message=lambda: _("Created the page %(title)s") % {"title": article.title},
    )  # fmt: skip
    return article


@transaction.atomic
def article_update(*, article: Article, actor, expected_version: int | None = None, **fields) -> Article:
    """Change an article; refused with StaleEditError when someone saved it after `expected_version`."""
    _require_editor(actor)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    ensure_fresh(instance=locked, expected_version=expected_version, fields=EDITABLE_FIELDS)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise DomainError(_("%(field)s cannot be changed here.") % {"field": name})
        setattr(locked, name, value)
    locked.full_clean()
    bump_version(locked)
    _save(locked, actor)
    activity_record(
        target=locked, verb="updated", actor=actor,
        message=lambda: _("Changed the page %(title)s") % {"title": locked.title},
    )  # fmt: skip
    return locked


@transaction.atomic
def article_publish(*, article: Article, actor, publish_at: datetime | None = None) -> Article:
    """Publish now, or schedule for `publish_at` when it lies in the future."""
    _require_editor(actor)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    now = timezone.now()
    if publish_at is not None and publish_at > now:
        locked.status, locked.publish_at = ArticleStatus.SCHEDULED, publish_at
    else:
        locked.status, locked.publish_at = ArticleStatus.PUBLISHED, publish_at or now
    bump_version(locked)
    _save(locked, actor)
    scheduled = locked.status == ArticleStatus.SCHEDULED
    activity_record(
        target=locked, verb="scheduled" if scheduled else "published", actor=actor,
        message=lambda: (
            _("Scheduled the page %(title)s") if scheduled else _("Published the page %(title)s")
        ) % {"title": locked.title},
    )  # fmt: skip
    return locked


@transaction.atomic
def article_unpublish(*, article: Article, actor) -> Article:
    _require_editor(actor)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    locked.status = ArticleStatus.DRAFT
    bump_version(locked)
    _save(locked, actor)
    activity_record(
        target=locked, verb="unpublished", actor=actor,
        message=lambda: _("Withdrew the page %(title)s") % {"title": locked.title},
    )  # fmt: skip
    return locked


@transaction.atomic
def attachment_add(*, article: Article, actor, title: str, uploaded_file) -> Attachment:
    _require_editor(actor)
    attachment = Attachment(article=article, title=title, file=uploaded_file)
    attachment.full_clean()
    attachment.content_type = content_type_of(uploaded_file)
    attachment.size = uploaded_file.size
    attachment.save()
    activity_record(
        target=article, verb="attachment_added", actor=actor,
        message=lambda: _("Attached %(title)s") % {"title": attachment.title},
    )  # fmt: skip
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor) -> None:
    _require_editor(actor)
    article, title = attachment.article, attachment.title
    attachment.file.delete(save=False)
    attachment.delete()
    activity_record(
        target=article, verb="attachment_removed", actor=actor,
        message=lambda: _("Removed the attachment %(title)s") % {"title": title},
    )  # fmt: skip


def is_bot(user_agent: str) -> bool:
    return bool(BOT_PATTERN.search(user_agent or ""))


def visitor_key(*, address: str, user_agent: str, day) -> str:
    """An anonymous daily key: nothing about the reader is stored, and tomorrow's key differs."""
    raw = f"{settings.SECRET_KEY}|{address}|{user_agent}|{day.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def article_view_record(*, article: Article, address: str, user_agent: str) -> bool:
    """Count a reader at most once a day; announced bots are not counted. Returns whether it counted."""
    if is_bot(user_agent):
        return False
    today = timezone.localdate()
    key = visitor_key(address=address, user_agent=user_agent, day=today)
    try:
        with transaction.atomic():
            ViewMark.objects.create(article=article, visitor=key, day=today)
    except IntegrityError:
        return False
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    # Yesterday's marks are still needed around midnight; older ones can never match again.
    ViewMark.objects.filter(day__lt=today - timedelta(days=1)).delete()
    return True
