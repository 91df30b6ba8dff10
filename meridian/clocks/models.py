"""Deadline clocks: obligations on any case or person, escalation ladders, their log, the site calendar."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.clocks.choices import Audience, CalendarDayKind, DueUnit, EventKind, ObligationState
from meridian.core.i18n import localised


class Ladder(models.Model):
    """The escalation ladder of one rule, edited by administrators; copied from the rule's default first."""

    rule = models.CharField(_("rule"), max_length=80, unique=True)
    grace_amount = models.PositiveIntegerField(
        _("grace before missed"),
        default=0,
        help_text=_("An open obligation is marked missed this long after it falls due."),
    )
    grace_unit = models.CharField(
        _("grace unit"), max_length=20, choices=DueUnit.choices, default=DueUnit.DAYS
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["rule"]
        verbose_name = _("escalation ladder")
        verbose_name_plural = _("escalation ladders")

    def __str__(self) -> str:
        return self.rule


class LadderStep(models.Model):
    """One rung: reach ``audience`` ``offset`` units before (negative) or after (positive) the due time."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="steps")
    offset = models.IntegerField(
        _("offset"), help_text=_("Negative: before the due time; positive: after it.")
    )
    unit = models.CharField(_("unit"), max_length=20, choices=DueUnit.choices, default=DueUnit.DAYS)
    audience = models.CharField(_("who is told"), max_length=20, choices=Audience.choices)

    class Meta:
        ordering = ["ladder", "offset", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["ladder", "offset", "unit", "audience"], name="unique_ladder_step"
            )
        ]
        verbose_name = _("ladder step")
        verbose_name_plural = _("ladder steps")

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        """Identity of the step in the log: a changed step is a new one; an old one is never re-sent."""
        return f"{self.offset:+d}{self.unit}:{self.audience}"


class Obligation(models.Model):
    """A legal or procedural deadline on a case or a person, with its state and who answers for it.

    ``subject_label`` and ``subject_url`` are copied from the subject when the clock is opened or updated, so
    that lists of many thousands of clocks never load the subjects themselves.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(_("case"), max_length=300)
    subject_label_zh = models.CharField(_("case in Chinese"), max_length=300, blank=True)
    subject_url = models.CharField(_("link"), max_length=300, blank=True)
    rule = models.CharField(_("rule"), max_length=80)
    key = models.CharField(_("key"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=300)
    title_zh = models.CharField(_("title in Chinese"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("due"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obligations",
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obligations",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ObligationState.choices, default=ObligationState.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Why it was waived, or how it was met."))
    # When the clock job next has something to do for this clock (a ladder step or the end of the grace
    # period); empty means "work it out on the next run" (a new clock, a new due time, a changed ladder).
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "rule", "key"], name="unique_obligation_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["state", "unit", "due_at"]),
            models.Index(fields=["state", "rule", "due_at"]),
            models.Index(fields=["content_type", "object_id", "state"]),
            models.Index(fields=["state", "next_action_at"]),
        ]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.title}"

    @property
    def text_title(self) -> str:
        """The title in the reader's language."""
        return localised(self.title, self.title_zh)

    @property
    def text_subject(self) -> str:
        """The case's name in the reader's language."""
        return localised(self.subject_label, self.subject_label_zh)

    def is_overdue(self, *, now=None) -> bool:
        return self.state == ObligationState.OPEN and self.due_at <= (now or timezone.now())


class ObligationEvent(models.Model):
    """The log of a clock: each reminder and escalation (sent once), and each change of state."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    step_key = models.CharField(_("step"), max_length=60, blank=True)
    audience = models.CharField(_("who was told"), max_length=20, choices=Audience.choices, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # Each ladder step goes out (or is skipped) once per obligation, even when two runs overlap.
            models.UniqueConstraint(
                fields=["obligation", "step_key"], condition=~Q(step_key=""), name="unique_obligation_step"
            )
        ]
        verbose_name = _("obligation event")
        verbose_name_plural = _("obligation events")

    def __str__(self) -> str:
        return f"{self.obligation_id} {self.kind} {self.step_key}"


class CalendarDay(models.Model):
    """A site's own calendar entry: a closure (no work) or an extra working day; it overrides the package."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name_en = models.CharField(_("English name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("site calendar day")
        verbose_name_plural = _("site calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_zh)
