"""A mobility: one student's (or staff member's) exchange stay, from the nomination to the end, in either
direction."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.models import VersionedModel
from meridian.mobility.choices import (
    CefrLevel,
    Direction,
    MobilityFileKind,
    MobilityState,
    MobilityType,
    Semester,
)
from meridian.mobility.models.base import (
    EQF_LEVELS,
    STAY_MONTHS,
    academic_year_label,
    bounded,
    case_log,
    private_storage,
)


class MobilityQuerySet(models.QuerySet):
    def visible_to(self, user) -> MobilityQuerySet:
        """The one place that decides which mobilities a user may see (see permissions.py)."""
        from meridian.mobility.permissions import mobility_visibility_filter

        condition = mobility_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class Mobility(VersionedModel):
    """One mobility: a case (lifecycle in ``casework.py``).

    Outgoing: created by nominating an allocated applicant (``application``) to the partner; the partner
    accepts or rejects in the partner portal. Incoming: created when a partner contact nominates one of their
    students within the places of an incoming condition; the student gets a personal invitation
    (``invitation_nonce``, ``invited_at``; valid MOBILITY_INVITATION_DAYS) to create an external account and
    complete the application; ``invitation_used_at`` is when they set their password through it (the link then
    stops working), ``planned_arrival`` the day they plan to arrive. ``home_unit`` is our school (sending
    school when outgoing, host school when incoming). ``months`` is the planned length in months; actual
    dates are recorded at the start and end."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, db_index=True)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="mobilities"
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobilities",
    )
    condition = models.ForeignKey(
        "mobility.CooperationCondition",
        verbose_name=_("cooperation condition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mobilities",
    )
    application = models.OneToOneField(
        "mobility.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobility",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("student"), on_delete=models.PROTECT, related_name="mobilities"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mobilities",
    )
    home_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("school at our university"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mobility_type = models.CharField(_("mobility type"), max_length=20, choices=MobilityType.choices)
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    semester = models.CharField(_("semester"), max_length=20, choices=Semester.choices)
    months = models.DecimalField(
        _("months"), max_digits=4, decimal_places=1, null=True, blank=True, validators=bounded(*STAY_MONTHS)
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    # Incoming students: what they tell us in their application.
    student_email = models.EmailField(_("student's e-mail"), blank=True)
    home_programme = models.CharField(_("programme at the home institution"), max_length=200, blank=True)
    eqf_level = models.PositiveSmallIntegerField(
        _("study level (EQF)"), null=True, blank=True, validators=bounded(*EQF_LEVELS)
    )
    isced_code = models.CharField(_("subject area (ISCED-F)"), max_length=4, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    cefr_level = models.CharField(
        _("language level (CEFR)"), max_length=2, choices=CefrLevel.choices, blank=True
    )
    motivation = models.TextField(_("motivation"), blank=True)
    accommodation_needed = models.BooleanField(_("needs accommodation"), default=False)
    planned_arrival = models.DateField(_("planned arrival"), null=True, blank=True)
    invitation_nonce = models.CharField(max_length=32, blank=True, editable=False)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    invitation_used_at = models.DateTimeField(_("account set up"), null=True, blank=True)
    applied_at = models.DateTimeField(_("application completed"), null=True, blank=True)
    # The partner's and the office's decisions.
    nominated_at = models.DateTimeField(_("nominated"), null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    documents_requested = models.TextField(_("documents requested"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    letter_number = models.CharField(_("letter number"), max_length=60, blank=True)
    registered_on = models.DateField(_("registered on arrival"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=30,
        choices=MobilityState.choices,
        default=MobilityState.NOMINATED,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    transitions = case_log()
    objects = MobilityQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "invitation_nonce"])

    class Meta:
        ordering = ["-academic_year", "-created_at", "-id"]
        verbose_name = _("mobility")
        verbose_name_plural = _("mobilities")
        indexes = [
            models.Index(fields=["partner", "academic_year", "direction"]),
            models.Index(fields=["agreement", "academic_year", "direction"]),
            models.Index(fields=["home_unit", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_number"],
                condition=~models.Q(letter_number=""),
                name="unique_mobility_letter_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("mobility:mobility_detail", args=[self.pk])

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)

    @property
    def is_outgoing(self) -> bool:
        return self.direction == Direction.OUTGOING


def _mobility_file_path(instance: MobilityFile, filename: str) -> str:
    return f"mobility/mobilities/{instance.mobility_id}/{filename}"


class MobilityFile(models.Model):
    """A document of a mobility: a transcript, a letter, a passport copy, … (checked by content on upload)."""

    mobility = models.ForeignKey(Mobility, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=20, choices=MobilityFileKind.choices)
    file = models.FileField(upload_to=_mobility_file_path, storage=private_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["mobility", "kind", "id"]
        verbose_name = _("mobility file")
        verbose_name_plural = _("mobility files")

    def __str__(self) -> str:
        return self.original_name
