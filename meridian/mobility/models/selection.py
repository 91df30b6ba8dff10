"""Selection: committee reviews, conflicts of interest and seat-allocation runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Review(models.Model):
    """One committee member's scores of one application: ``points`` is ``{criterion code: points}``."""

    application = models.ForeignKey("mobility.Application", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.JSONField(_("points"), default=dict)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_review_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.application} — {self.reviewer}"


class ReviewConflict(models.Model):
    """A reviewer excluded from scoring one application (a conflict of interest: relative, supervisor, …),
    declared by the reviewer or set by the office."""

    application = models.ForeignKey(
        "mobility.Application", on_delete=models.CASCADE, related_name="conflicts"
    )
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_conflict_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ✕ {self.application}"


class AllocationRun(models.Model):
    """One run of the seat allocation of a call: who ran it, when, what went in and what came out.
    ``summary`` is ``{"applicants", "offered", "waitlisted", "places", "places_left", "input_hash"}``."""

    call = models.ForeignKey("mobility.Call", on_delete=models.CASCADE, related_name="allocation_runs")
    number = models.PositiveSmallIntegerField(_("run"))
    reallocation = models.BooleanField(_("re-allocation of released places"), default=False)
    ran_at = models.DateTimeField(_("run at"), auto_now_add=True)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        ordering = ["call", "-number"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="unique_allocation_run")]

    def __str__(self) -> str:
        return f"{self.call} #{self.number}"
