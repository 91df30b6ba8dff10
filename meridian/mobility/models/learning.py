"""Learning agreements (three-party credit pre-approval) and the course-equivalence catalogue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.models import VersionedModel
from meridian.mobility.choices import (
    ComponentChange,
    CreditSystem,
    LearningAgreementKind,
    LearningAgreementState,
)
from meridian.mobility.models.base import CREDITS, bounded, case_log


class LearningAgreement(VersionedModel):
    """One version of a mobility's learning agreement (EWP Online Learning Agreement): the courses at the
    receiving institution and the courses they replace at the sending one, signed by the student, the sending
    coordinator and the receiving coordinator. For an outgoing mobility we send (home coordinator = sending)
    and the partner receives (partner contact = receiving); for an incoming one the roles swap.

    ``kind`` "changes" is a new version made during the mobility; approving it supersedes the previous
    approved version. Lifecycle in ``casework.py``."""

    mobility = models.ForeignKey(
        "mobility.Mobility",
        on_delete=models.CASCADE,
        related_name="learning_agreements",
        verbose_name=_("mobility"),
    )
    version_number = models.PositiveSmallIntegerField(_("version"), default=1)
    kind = models.CharField(
        _("kind"), max_length=20, choices=LearningAgreementKind.choices, default=LearningAgreementKind.BEFORE
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        verbose_name=_("changes"),
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=LearningAgreementState.choices,
        default=LearningAgreementState.DRAFT,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    student_signed_at = models.DateTimeField(_("signed by the student"), null=True, blank=True)
    sending_signed_at = models.DateTimeField(_("approved by the sending coordinator"), null=True, blank=True)
    sending_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receiving_signed_at = models.DateTimeField(
        _("approved by the receiving coordinator"), null=True, blank=True
    )
    receiving_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    transitions = case_log()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["mobility", "-version_number"]
        verbose_name = _("learning agreement")
        verbose_name_plural = _("learning agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["mobility", "version_number"], name="unique_learning_agreement_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mobility.number} LA v{self.version_number}"

    def get_absolute_url(self) -> str:
        return reverse("mobility:la_detail", args=[self.pk])


class LearningAgreementCourse(models.Model):
    """A row of a learning agreement: a course at the receiving institution and the course it replaces at the
    sending institution (either side may be empty: an extra course, or a course recognised as a block)."""

    learning_agreement = models.ForeignKey(
        LearningAgreement, on_delete=models.CASCADE, related_name="courses"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    receiving_code = models.CharField(
        _("course code at the receiving institution"), max_length=40, blank=True
    )
    receiving_title = models.CharField(_("course at the receiving institution"), max_length=300)
    receiving_credits = models.DecimalField(
        _("credits"), max_digits=5, decimal_places=1, validators=bounded(*CREDITS)
    )
    receiving_credit_system = models.CharField(
        _("credit system"), max_length=10, choices=CreditSystem.choices, default=CreditSystem.ECTS
    )
    receiving_term = models.CharField(_("term"), max_length=40, blank=True)
    sending_code = models.CharField(_("course code at the sending institution"), max_length=40, blank=True)
    sending_title = models.CharField(
        _("course replaced at the sending institution"), max_length=300, blank=True
    )
    sending_credits = models.DecimalField(
        _("credits recognised"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=bounded(*CREDITS),
    )
    sending_credit_system = models.CharField(
        _("credit system at the sending institution"),
        max_length=10,
        choices=CreditSystem.choices,
        default=CreditSystem.CN,
    )
    change = models.CharField(
        _("change"), max_length=10, choices=ComponentChange.choices, blank=True, default=""
    )
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    equivalence = models.ForeignKey(
        "mobility.CourseEquivalence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["learning_agreement", "order", "id"]
        verbose_name = _("learning agreement course")
        verbose_name_plural = _("learning agreement courses")

    def __str__(self) -> str:
        return f"{self.receiving_code} {self.receiving_title}".strip()


class CourseEquivalence(models.Model):
    """A course at a partner found equivalent to one of ours in an approved learning agreement; offered to the
    next student going to the same partner. ``times_approved`` counts the agreements that used it."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="course_equivalences",
        verbose_name=_("partner"),
    )
    partner_code = models.CharField(_("course code at the partner"), max_length=40, blank=True)
    partner_title = models.CharField(_("course at the partner"), max_length=300)
    partner_credits = models.DecimalField(
        _("credits at the partner"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=bounded(*CREDITS),
    )
    partner_credit_system = models.CharField(
        _("credit system"), max_length=10, choices=CreditSystem.choices, default=CreditSystem.ECTS
    )
    home_code = models.CharField(_("our course code"), max_length=40, blank=True)
    home_title = models.CharField(_("our course"), max_length=300)
    home_credits = models.DecimalField(
        _("our credits"), max_digits=5, decimal_places=1, null=True, blank=True, validators=bounded(*CREDITS)
    )
    home_unit = models.ForeignKey(
        "accounts.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("school"),
    )
    times_approved = models.PositiveIntegerField(_("times approved"), default=1)
    first_approved_on = models.DateField(_("first approved"), null=True, blank=True)
    last_approved_on = models.DateField(_("last approved"), null=True, blank=True)
    withdrawn = models.BooleanField(_("no longer offered"), default=False)

    class Meta:
        ordering = ["partner", "partner_title", "id"]
        verbose_name = _("course equivalence")
        verbose_name_plural = _("course equivalences")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "partner_code", "partner_title", "home_code", "home_title"],
                name="unique_course_equivalence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_title} → {self.home_title}"
