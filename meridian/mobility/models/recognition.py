"""Grade conversion and credit recognition after the mobility."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.mobility.choices import ConversionBasis, CreditSystem, RecognitionDecision
from meridian.mobility.models.base import CREDITS, PERCENT, bounded


class GradeConversionTable(models.Model):
    """How a partner's grades convert to ours. ``basis`` "table": each row maps a partner grade to ours;
    "distribution": rows carry the share of students (percent) at each grade on both sides (the ECTS
    grading table of the ECTS Users' Guide 2015, §4.3) and conversion goes by the cumulative percentage."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="grade_tables", verbose_name=_("partner")
    )
    name = models.CharField(_("name"), max_length=200)
    basis = models.CharField(
        _("basis"), max_length=20, choices=ConversionBasis.choices, default=ConversionBasis.TABLE
    )
    home_scale = models.CharField(
        _("our grade scale"),
        max_length=100,
        default="百分制 0–100",
        help_text=_("For example: 0–100, pass 60"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["partner", "-active", "name"]
        verbose_name = _("grade conversion table")
        verbose_name_plural = _("grade conversion tables")

    def __str__(self) -> str:
        return f"{self.partner} — {self.name}"


class GradeConversionRow(models.Model):
    """One line of a conversion table. Basis "table": a partner grade and the grade of ours it converts to.
    Basis "distribution": the partner's grade with its share of students and, beside it, one of our grades
    with its share (the two scales are listed side by side, best first; either side of a line may be empty
    when one scale has more grades); a partner grade without a share (a fail) converts directly to the line's
    grade of ours."""

    table = models.ForeignKey(GradeConversionTable, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Best grade first."))
    partner_grade = models.CharField(_("partner grade"), max_length=20, blank=True)
    home_grade = models.CharField(_("our grade"), max_length=20, blank=True)
    partner_percent = models.DecimalField(
        _("share at the partner (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=bounded(*PERCENT),
    )
    home_percent = models.DecimalField(
        _("share at our university (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=bounded(*PERCENT),
    )
    passing = models.BooleanField(_("pass"), default=True)

    class Meta:
        ordering = ["table", "order", "id"]
        verbose_name = _("grade conversion row")
        verbose_name_plural = _("grade conversion rows")
        constraints = [
            # A distribution row may carry only our side (our scale has more grades than the partner's).
            models.UniqueConstraint(
                fields=["table", "partner_grade"],
                condition=~models.Q(partner_grade=""),
                name="unique_conversion_grade",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_grade} → {self.home_grade}"


class CourseResult(models.Model):
    """A course on the transcript of a mobility and the recognition decision for it: the partner's grade and
    credits, the converted grade, and the course of ours it is recognised as."""

    mobility = models.ForeignKey("mobility.Mobility", on_delete=models.CASCADE, related_name="results")
    la_course = models.ForeignKey(
        "mobility.LearningAgreementCourse", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner_code = models.CharField(_("course code"), max_length=40, blank=True)
    partner_title = models.CharField(_("course"), max_length=300)
    credits = models.DecimalField(_("credits"), max_digits=5, decimal_places=1, validators=bounded(*CREDITS))
    credit_system = models.CharField(
        _("credit system"), max_length=10, choices=CreditSystem.choices, default=CreditSystem.ECTS
    )
    partner_grade = models.CharField(_("grade at the partner"), max_length=20, blank=True)
    passed = models.BooleanField(_("passed"), default=True)
    converted_grade = models.CharField(_("converted grade"), max_length=20, blank=True)
    conversion_table = models.ForeignKey(
        GradeConversionTable, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    home_code = models.CharField(_("recognised as (code)"), max_length=40, blank=True)
    home_title = models.CharField(_("recognised as"), max_length=300, blank=True)
    home_credits = models.DecimalField(
        _("credits recognised"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=bounded(*CREDITS),
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=RecognitionDecision.choices, default=RecognitionDecision.PENDING
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["mobility", "id"]
        verbose_name = _("course result")
        verbose_name_plural = _("course results")

    def __str__(self) -> str:
        return f"{self.partner_title}: {self.partner_grade}"
