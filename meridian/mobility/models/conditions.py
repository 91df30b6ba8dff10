"""Cooperation conditions (places) of exchange agreements, and the partner's factsheet."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.models import VersionedModel
from meridian.mobility.choices import CefrLevel, Direction, MobilityType
from meridian.mobility.models.base import (
    PLACES,
    TOTAL_MONTHS,
    academic_year_label,
    bounded,
    validate_month_day,
)


class CooperationConditionQuerySet(models.QuerySet):
    def visible_to(self, user) -> CooperationConditionQuerySet:
        """Conditions of the agreements ``user`` may see (see permissions.py)."""
        from meridian.mobility.permissions import condition_visibility_filter

        condition = condition_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class CooperationCondition(VersionedModel):
    """One cooperation condition of an exchange agreement, shaped like the Erasmus inter-institutional
    agreement's (EWP IIAs API ``student-studies-mobility-spec`` and siblings): who sends whom, how many, in
    which subjects and levels, with which language requirement, for one academic year or the whole period.

    ``places`` are persons per academic year; ``total_months`` the months of all those persons together
    (EWP ``total-months-per-year``). Deadlines are the partner's yearly nomination and application deadlines
    as ``--MM-DD`` (EWP factsheet ``gMonthDay``)."""

    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="cooperation_conditions",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="cooperation_conditions",
        help_text=_("The party of the agreement this condition is with."),
    )
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"),
        null=True,
        blank=True,
        help_text=_(
            "The year the academic year starts in (2026 for 2026/2027); empty: every year of the agreement."
        ),
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    mobility_type = models.CharField(_("mobility type"), max_length=20, choices=MobilityType.choices)
    places = models.PositiveSmallIntegerField(_("places (persons per year)"), validators=bounded(*PLACES))
    total_months = models.DecimalField(
        _("total months per year"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=bounded(*TOTAL_MONTHS),
    )
    subject_areas = models.ManyToManyField(
        "reference.IscedField", verbose_name=_("subject areas (ISCED-F 2013)"), blank=True, related_name="+"
    )
    eqf_levels = models.JSONField(
        _("study levels (EQF)"), default=list, blank=True, help_text=_("EQF levels 5 to 8, e.g. [6, 7].")
    )
    home_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("unit at our university"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    partner_unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("unit at the partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    autumn_nomination_deadline = models.CharField(
        _("nomination deadline, autumn semester"), max_length=7, blank=True, validators=[validate_month_day]
    )
    autumn_application_deadline = models.CharField(
        _("application deadline, autumn semester"), max_length=7, blank=True, validators=[validate_month_day]
    )
    spring_nomination_deadline = models.CharField(
        _("nomination deadline, spring semester"), max_length=7, blank=True, validators=[validate_month_day]
    )
    spring_application_deadline = models.CharField(
        _("application deadline, spring semester"), max_length=7, blank=True, validators=[validate_month_day]
    )
    other_requirements = models.TextField(_("other requirements"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True, help_text=_("Never shown outside."))
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CooperationConditionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["agreement", "direction", "mobility_type", "academic_year", "id"]
        verbose_name = _("cooperation condition")
        verbose_name_plural = _("cooperation conditions")
        indexes = [
            models.Index(fields=["partner", "academic_year"]),
            models.Index(fields=["agreement", "direction"]),
        ]
        # One condition per agreement, partner, direction, mobility type and year; a condition for every year
        # of the agreement (no year) is one too. The services refuse a year-bound condition beside an
        # every-year one as well (two sources of places for the same year), with a message.
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partner", "direction", "mobility_type", "academic_year"],
                condition=models.Q(academic_year__isnull=False),
                name="unique_condition_per_year",
            ),
            models.UniqueConstraint(
                fields=["agreement", "partner", "direction", "mobility_type"],
                condition=models.Q(academic_year__isnull=True),
                name="unique_condition_every_year",
            ),
            models.CheckConstraint(
                condition=models.Q(places__gte=1, places__lte=999), name="condition_places_in_range"
            ),
            models.CheckConstraint(
                condition=models.Q(total_months__isnull=True) | models.Q(total_months__gte=0),
                name="condition_months_not_negative",
            ),
        ]

    def __str__(self) -> str:
        year = academic_year_label(self.academic_year) or _("every year")
        return f"{self.get_direction_display()} · {self.get_mobility_type_display()} · {self.places} · {year}"

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)


class ConditionLanguage(models.Model):
    """A language requirement of a condition: the language of instruction and the minimum CEFR level."""

    condition = models.ForeignKey(
        CooperationCondition, on_delete=models.CASCADE, related_name="languages", verbose_name=_("condition")
    )
    language = models.CharField(
        _("language"), max_length=10, help_text=_("ISO 639-1 code: en, de, fr, zh, ja, …")
    )
    cefr_level = models.CharField(_("minimum level (CEFR)"), max_length=2, choices=CefrLevel.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("language requirement")
        verbose_name_plural = _("language requirements")
        constraints = [
            models.UniqueConstraint(fields=["condition", "language"], name="unique_condition_language")
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.cefr_level}"


class PartnerFactsheet(VersionedModel):
    """What a partner tells incoming students and our office (EWP Factsheet API): contacts, calendar,
    deadlines, course catalogue and accommodation. Kept by the partner's contacts in the partner portal (and
    by the office)."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, related_name="factsheet", verbose_name=_("partner")
    )
    contact_email = models.EmailField(_("exchange office e-mail"), blank=True)
    contact_phone = models.CharField(_("exchange office phone"), max_length=60, blank=True)
    website = models.URLField(_("page for exchange students"), max_length=300, blank=True)
    autumn_term = models.CharField(
        _("autumn semester dates"),
        max_length=100,
        blank=True,
        help_text=_("For example: September – January"),
    )
    spring_term = models.CharField(_("spring semester dates"), max_length=100, blank=True)
    autumn_nomination_deadline = models.CharField(
        _("nomination deadline, autumn semester"), max_length=7, blank=True, validators=[validate_month_day]
    )
    autumn_application_deadline = models.CharField(
        _("application deadline, autumn semester"), max_length=7, blank=True, validators=[validate_month_day]
    )
    spring_nomination_deadline = models.CharField(
        _("nomination deadline, spring semester"), max_length=7, blank=True, validators=[validate_month_day]
    )
    spring_application_deadline = models.CharField(
        _("application deadline, spring semester"), max_length=7, blank=True, validators=[validate_month_day]
    )
    course_catalogue_url = models.URLField(_("course catalogue"), max_length=300, blank=True)
    accommodation = models.TextField(_("accommodation information"), blank=True)
    additional_info = models.TextField(_("further information"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("partner factsheet")
        verbose_name_plural = _("partner factsheets")

    def __str__(self) -> str:
        return str(self.partner)
