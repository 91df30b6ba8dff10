"""Background jobs people start (imports, exports, document batches) and the scheduler's record of slots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from meridian.core.privatefiles import PrivateFile


class JobRun(models.Model):
    """One run of long work: who started it, how far it got, and what came out (a result, a file, an error).

    The state machine is queued → running → succeeded | failed; each move is one service in
    ``meridian.jobs.services``. The work itself is a module-level function referenced by ``runner`` (a dotted
    path), called with ``params`` as keyword arguments.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    label = models.CharField(_("job"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="job_runs",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    runner = models.CharField(max_length=255)
    params = models.JSONField(default=dict, blank=True)
    on_failure = models.CharField(max_length=255, blank=True)
    result_template = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=10, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    # Only a random file name is stored; the folder comes from the settings, so no path can be smuggled in.
    result_file = models.CharField(max_length=64, blank=True)
    result_filename = models.CharField(_("result file"), max_length=255, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["actor", "-created_at"], name="jobs_actor_recent")]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        """Progress as a whole percentage (0–100), or None while the total is unknown."""
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return max(0, min(100, int(self.done * 100 / self.total)))

    @property
    def result_path(self) -> PrivateFile | None:
        """The result file in the private store (``jobs/<result_file>``), or None when the job has none."""
        from meridian.core.privatefiles import JOBS, PrivateFile

        if not self.result_file:
            return None
        return PrivateFile(JOBS, self.result_file)


class ScheduledRun(models.Model):
    """One due slot of a scheduled job that has been enqueued; the unique pair stops a second enqueue."""

    key = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="jobs_scheduled_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.slot:%Y-%m-%d %H:%M}"
