"""Sections, articles (pages and news), their attachments and the daily marks behind view counts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.i18n import is_chinese
from meridian.core.models import VersionedModel
from meridian.portal.choices import ArticleKind, ArticleStatus
from meridian.portal.uploads import validate_attachment, validate_cover

_is_zh = is_chinese


class Section(models.Model):
    """One of the fixed sections of the Global Vision site, seeded by a data migration."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:section", args=[self.slug])

    @property
    def name(self) -> str:
        return self.name_zh if _is_zh() and self.name_zh else self.name_en


class ArticleQuerySet(models.QuerySet):
    def live(self, *, now=None) -> ArticleQuerySet:
        """Articles the public may read: published, or scheduled and due, with a past publication time."""
        now = now or timezone.now()
        return self.filter(
            status__in=[ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED],
            publish_at__isnull=False,
            publish_at__lte=now,
        )


def cover_upload_to(instance: models.Model, filename: str) -> str:
    return f"portal/covers/{timezone.now():%Y/%m}/{filename}"


def attachment_upload_to(instance: models.Model, filename: str) -> str:
    return f"portal/attachments/{timezone.now():%Y/%m}/{filename}"


class Article(VersionedModel):
    """A page or news item, written in English and Chinese (Markdown, sanitised when rendered)."""

    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        help_text=_(
            "Part of the address. The page whose slug equals its section's is the section's front page."
        ),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.PAGE)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    title_zh = models.CharField(_("Chinese title"), max_length=300, blank=True)
    summary_en = models.TextField(_("English summary"), max_length=600, blank=True)
    summary_zh = models.TextField(_("Chinese summary"), max_length=600, blank=True)
    body_en = models.TextField(_("English text"), blank=True, help_text=_("Markdown."))
    body_zh = models.TextField(_("Chinese text"), blank=True, help_text=_("Markdown."))
    cover = models.FileField(
        _("cover image"),
        upload_to=cover_upload_to,
        blank=True,
        max_length=300,
        validators=[validate_cover],
        help_text=_("PNG, JPEG or WebP."),
    )
    cover_content_type = models.CharField(max_length=60, blank=True, editable=False)
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "view_count"])

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [models.UniqueConstraint(fields=["section", "slug"], name="unique_article_slug")]
        indexes = [models.Index(fields=["section", "status", "publish_at"])]

    def __str__(self) -> str:
        return self.title or self.slug

    @property
    def author_display(self) -> str:
        """The author line in the reader's language: a unit's name (the International Office, a school) in
        that language, a person's name as written."""
        from meridian.accounts.selectors import unit_display_name

        return unit_display_name(name=self.author_name)

    def clean(self) -> None:
        from meridian.portal.rendering import unknown_placeholders

        if not (self.title_en or self.title_zh):
            raise ValidationError({"title_en": _("Give a title in at least one language.")})
        errors = {}
        for name in ("body_en", "body_zh", "title_en", "title_zh", "summary_en", "summary_zh"):
            unknown = unknown_placeholders(getattr(self, name))
            if unknown:
                errors[name] = _("Unknown placeholders: %(names)s. See the list of placeholders below.") % {
                    "names": ", ".join(f"{{{n}}}" for n in unknown)
                }
        if errors:
            raise ValidationError(errors)

    # Language handling: a language "exists" when it has a title and a text.
    def has_language(self, code: str) -> bool:
        suffix = "zh" if code.startswith("zh") else "en"
        return bool(getattr(self, f"title_{suffix}") and getattr(self, f"body_{suffix}"))

    def _pick(self, base: str) -> str:
        """The current language's value, or the other language's when this one is empty."""
        first, second = ("zh", "en") if _is_zh() else ("en", "zh")
        return getattr(self, f"{base}_{first}") or getattr(self, f"{base}_{second}")

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def summary(self) -> str:
        return self._pick("summary")

    @property
    def is_landing(self) -> bool:
        return self.slug == self.section.slug

    @property
    def is_live(self) -> bool:
        return (
            self.status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED)
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    def get_absolute_url(self) -> str:
        if self.is_landing:
            return reverse("portal:section", args=[self.section.slug])
        return reverse("portal:article", args=[self.section.slug, self.slug])

    def cover_url(self) -> str:
        if not self.cover:
            return ""
        return reverse("portal_root:cover", args=[self.pk, self.cover.name.rsplit("/", 1)[-1]])


class Attachment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), upload_to=attachment_upload_to, max_length=300, validators=[validate_attachment]
    )
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal_root:attachment", args=[self.pk, self.filename])

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class ViewMark(models.Model):
    """One reader (an anonymous hash of address, browser and day) having read one article on one day."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    visitor = models.CharField(max_length=64)
    day = models.DateField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor", "day"], name="unique_view_mark"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}"


class FiguresStamp(models.Model):
    """A token that changes whenever partners or agreements change; cached figures are keyed by it.

    Kept in the database (not in the cache) so that every worker process sees a change at once, and inside
    the same transaction as the change, so no reader can pair new data with an old token.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("figures stamp")
        verbose_name_plural = _("figures stamps")

    def __str__(self) -> str:
        return self.token
