"""Students' applications to a call, their preferences, files and messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.models import VersionedModel
from meridian.mobility.choices import ApplicationState, CefrLevel, DocumentKind
from meridian.mobility.models.base import (
    PREFERENCES,
    YEARS_OF_STUDY,
    bounded,
    case_log,
    private_storage,
)


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> ApplicationQuerySet:
        """The one place that decides which applications a user may see (see permissions.py)."""
        from meridian.mobility.permissions import application_visibility_filter

        condition = application_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class Application(VersionedModel):
    """A student's application to a call: one case (lifecycle in ``casework.py``).

    ``person`` is the student's protected Person record; ``unit`` the student's school (whose coordinators
    pre-approve). Academic data are declared by the student and checked by the school: ``grade_average``
    on the call's scale, ``year_of_study``, language and CEFR level, ``clean_record`` (no disciplinary
    record).
    ``eligibility`` holds the automatic check ``[{"rule", "outcome", "message"}]``; ``score`` (0–100) and
    ``rank`` (1 = best) come from the committee; ``offered`` and ``allocation`` (the explanation, see
    ``services.allocation``) from the seat allocation; ``offer_expires_on`` is the last day to accept."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    call = models.ForeignKey(
        "mobility.Call", on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exchange_applications",
        verbose_name=_("student"),
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="exchange_applications",
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    programme = models.CharField(_("programme of study"), max_length=200, blank=True)
    year_of_study = models.PositiveSmallIntegerField(
        _("year of study"), null=True, blank=True, validators=bounded(*YEARS_OF_STUDY)
    )
    grade_average = models.DecimalField(
        _("grade average"), max_digits=5, decimal_places=2, null=True, blank=True, validators=bounded(0)
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    cefr_level = models.CharField(
        _("language level (CEFR)"), max_length=2, choices=CefrLevel.choices, blank=True
    )
    language_certificate = models.CharField(
        _("language certificate"),
        max_length=200,
        blank=True,
        help_text=_("For example: IELTS 6.5, CET-6 560"),
    )
    clean_record = models.BooleanField(_("no disciplinary record"), null=True, blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    eligibility = models.JSONField(_("eligibility check"), default=list, blank=True)
    eligibility_checked_at = models.DateTimeField(_("eligibility checked"), null=True, blank=True)
    school_note = models.TextField(_("school's note"), blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    offered = models.ForeignKey(
        "mobility.CallDestination",
        verbose_name=_("place offered"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    offered_preference = models.PositiveSmallIntegerField(_("preference offered"), null=True, blank=True)
    allocation = models.JSONField(_("allocation explanation"), default=list, blank=True)
    offer_expires_on = models.DateField(_("accept the place by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("student's answer"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    transitions = case_log()
    objects = ApplicationQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["updated_at", "eligibility", "eligibility_checked_at", "allocation"]
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("exchange application")
        verbose_name_plural = _("exchange applications")
        indexes = [
            models.Index(fields=["call", "state"]),
            models.Index(fields=["call", "rank"]),
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["state", "-created_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["call", "student"], name="one_application_per_call")]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("mobility:application_detail", args=[self.pk])


class ApplicationPreference(models.Model):
    """A destination the student ranks: ``rank`` 1 is the first choice."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="preferences")
    destination = models.ForeignKey(
        "mobility.CallDestination", on_delete=models.CASCADE, related_name="preferences"
    )
    rank = models.PositiveSmallIntegerField(_("preference"), validators=bounded(*PREFERENCES))

    class Meta:
        ordering = ["application", "rank"]
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="unique_preference_rank"),
            models.UniqueConstraint(
                fields=["application", "destination"], name="unique_preference_destination"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.destination}"


def _application_file_path(instance: ApplicationFile, filename: str) -> str:
    return f"mobility/applications/{instance.application_id}/{filename}"


class ApplicationFile(models.Model):
    """An uploaded document of an application (checked by content on upload)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=_application_file_path, storage=private_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["application", "kind", "id"]
        verbose_name = _("application file")
        verbose_name_plural = _("application files")

    def __str__(self) -> str:
        return self.original_name


class ApplicationMessage(models.Model):
    """A message between the student and the office or school about an application; ``internal`` notes are
    never shown to the student."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.body[:60]
