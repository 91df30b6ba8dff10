"""Cross-cutting records: the activity stream that every bounded context writes to."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from meridian.core.i18n import localised


class Activity(models.Model):
    """One thing that happened to a record, for the dashboard and each record's timeline.

    An entry carries the visibility of its subject (``content_type``/``object_id``: only readers who may see
    the record read its activity) and of its content (``internal``: contacts, personal data, merges and the
    university's deliberation are for internal staff only; see ``meridian.core.activity``).
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    verb = models.CharField(_("action"), max_length=40)
    message = models.CharField(_("message"), max_length=500)
    message_zh = models.CharField(_("message in Chinese"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    internal = models.BooleanField(
        _("internal"),
        default=False,
        help_text=_("Shown only to the university's staff who may see the record's internal details."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"]),
            # The newest entries first without sorting the table (the dashboard reads the top few).
            models.Index(fields=["-created_at", "-id"], name="core_activity_newest"),
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the reader's language."""
        return localised(self.message, self.message_zh)


class VersionedModel(models.Model):
    """Records people edit in forms carry a version number; services refuse a stale save."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Notification(models.Model):
    """An in-app notification for one user; the e-mail copy is sent by the background worker after commit."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    verb = models.CharField(_("kind"), max_length=40, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    subject_zh = models.CharField(_("subject in Chinese"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    body_zh = models.TextField(_("text in Chinese"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # E-mail: sent immediately by the worker, or collected into the daily digest when the user chose it.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_wanted = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_wanted", "emailed_at"]),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text_subject

    @property
    def text_subject(self) -> str:
        return localised(self.subject, self.subject_zh)

    @property
    def text_body(self) -> str:
        return localised(self.body, self.body_zh)


class NotificationPreference(models.Model):
    """How a user wants e-mail: one message per notification, or one daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(
        _("daily digest"), default=False, help_text=_("Collect notifications into one e-mail a day.")
    )
    language = models.CharField(_("language of e-mails"), max_length=10, default="zh-hans")

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {'digest' if self.daily_digest else 'each'}"
