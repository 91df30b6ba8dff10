"""Calls for outgoing exchange (选拔通知): destinations with their places, eligibility, questions, scoring
criteria and reviewers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.i18n import localised
from meridian.core.models import VersionedModel
from meridian.mobility.choices import (
    CallState,
    CefrLevel,
    CriterionSource,
    MobilityType,
    QuestionKind,
    Semester,
)
from meridian.mobility.models.base import (
    DESTINATION_MONTHS,
    GRADE_SCALE_MIN,
    MAX_POINTS,
    OFFER_DAYS,
    PLACES,
    PREFERENCES,
    WEIGHT,
    YEARS_OF_STUDY,
    academic_year_label,
    bounded,
    case_log,
)


def default_offer_days() -> int:
    """Days to accept an offered place in a new call (``MOBILITY_OFFER_DAYS``, calendar days)."""
    return settings.MOBILITY_OFFER_DAYS


class CallQuerySet(models.QuerySet):
    def visible_to(self, user) -> CallQuerySet:
        """Calls ``user`` may see on staff pages (see permissions.py); open calls are public anyway."""
        from meridian.mobility.permissions import call_visibility_filter

        condition = call_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class Call(VersionedModel):
    """A call for applications to study (or train) at partners in one academic year and semester.

    Eligibility rules are configurable per call: ``min_year_of_study`` (1 = first year), ``min_grade`` on
    ``grade_scale`` (e.g. 3.0 on a 4.0 GPA scale, or 80 on 100), a language level (``language`` +
    ``min_cefr``), ``require_clean_record`` (no disciplinary record). ``required_documents`` lists
    ``DocumentKind`` codes. ``offer_days``: calendar days a student has to accept an offered place."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    title_en = models.CharField(_("English title"), max_length=300)
    title_zh = models.CharField(_("Chinese title"), max_length=300, blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("unit running the call"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The International Office, or a school for its own call."),
    )
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    semester = models.CharField(_("semester"), max_length=20, choices=Semester.choices)
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("application deadline"))
    school_review_until = models.DateField(_("school pre-approval until"), null=True, blank=True)
    max_preferences = models.PositiveSmallIntegerField(
        _("preferences a student may rank"), default=3, validators=bounded(*PREFERENCES)
    )
    min_year_of_study = models.PositiveSmallIntegerField(
        _("minimum year of study"), null=True, blank=True, validators=bounded(*YEARS_OF_STUDY)
    )
    min_grade = models.DecimalField(
        _("minimum grade average"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=bounded(0),
    )
    grade_scale = models.DecimalField(
        _("grade scale maximum"),
        max_digits=5,
        decimal_places=2,
        default=4,
        help_text=_("4 for GPA, 100 for marks."),
        validators=bounded(GRADE_SCALE_MIN),
    )
    language = models.CharField(_("language required"), max_length=10, blank=True)
    min_cefr = models.CharField(
        _("minimum language level (CEFR)"), max_length=2, choices=CefrLevel.choices, blank=True
    )
    require_clean_record = models.BooleanField(_("no disciplinary record required"), default=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    offer_days = models.PositiveSmallIntegerField(
        _("days to accept an offered place"), default=default_offer_days, validators=bounded(*OFFER_DAYS)
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CallState.choices, default=CallState.DRAFT, db_index=True
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    published_at = models.DateTimeField(_("opened"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("publicity ends"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    transitions = case_log()
    objects = CallQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-academic_year", "-opens_at", "-id"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def title(self) -> str:
        return localised(self.title_en, self.title_zh)

    @property
    def description(self) -> str:
        return localised(self.description_en, self.description_zh)

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)

    def get_absolute_url(self) -> str:
        return reverse("mobility:call_detail", args=[self.pk])


class CallDestination(models.Model):
    """A destination offered in a call: a partner (and unit), a mobility type, and its places — drawn from an
    outgoing cooperation condition for the call's year (``condition``), never more than it allows."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="destinations", verbose_name=_("call")
    )
    condition = models.ForeignKey(
        "mobility.CooperationCondition",
        verbose_name=_("cooperation condition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="destinations",
    )
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    mobility_type = models.CharField(_("mobility type"), max_length=20, choices=MobilityType.choices)
    places = models.PositiveSmallIntegerField(_("places"), validators=bounded(*PLACES))
    months = models.DecimalField(
        _("months per person"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=bounded(*DESTINATION_MONTHS),
    )
    language = models.CharField(_("language required"), max_length=10, blank=True)
    min_cefr = models.CharField(
        _("minimum language level (CEFR)"), max_length=2, choices=CefrLevel.choices, blank=True
    )
    note = models.CharField(_("note for applicants"), max_length=500, blank=True)

    class Meta:
        ordering = ["call", "id"]
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "partner", "mobility_type"], name="unique_call_destination"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.get_mobility_type_display()}"


class CallQuestion(models.Model):
    """A question every applicant answers."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions", verbose_name=_("call"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_en = models.CharField(_("English question"), max_length=500)
    text_zh = models.CharField(_("Chinese question"), max_length=500, blank=True)
    kind = models.CharField(
        _("kind of answer"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.TEXT
    )
    required = models.BooleanField(_("answer required"), default=True)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return localised(self.text_en, self.text_zh)


class CallCriterion(models.Model):
    """A weighted selection criterion. Points are 0…``max_points``; an applicant's score is the sum over the
    criteria of ``weight`` × (points ÷ max_points) × 100, reviewers' points averaged."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call"))
    code = models.SlugField(_("code"), max_length=30)
    label_en = models.CharField(_("English name"), max_length=200)
    label_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=bounded(*WEIGHT))
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), default=10, validators=bounded(*MAX_POINTS)
    )
    source = models.CharField(
        _("source"), max_length=20, choices=CriterionSource.choices, default=CriterionSource.REVIEWERS
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="unique_call_criterion")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localised(self.label_en, self.label_zh)


class CallReviewer(models.Model):
    """A member of the selection committee of a call."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reviewers", verbose_name=_("call"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="call_reviews",
        verbose_name=_("reviewer"),
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["call", "id"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="unique_call_reviewer")]

    def __str__(self) -> str:
        return str(self.user)
