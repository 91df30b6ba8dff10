"""Cross-cutting records: the activity stream that every bounded context writes to."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from meridian.core.i18n import localised


class Activity(models.Model):
    """One thing that happened to a record, for the dashboard and each record's timeline."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
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

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]
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
