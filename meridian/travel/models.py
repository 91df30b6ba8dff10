"""Official travel abroad (因公临时出国(境), 赴港澳台): plans, trips and their people, itinerary and budget,
publicity notices, external approval, change requests, passport custody, trip reports and long stays.

Lifecycles are declared in ``casework.py``; every move is logged by the workflow engine (``transitions``).
Money is in CNY unless a row says otherwise; dates are local calendar dates.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.files.storage import Storage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.models import VersionedModel
from meridian.core.storage import private_storage as shared_private_storage
from meridian.travel.choices import (
    BudgetKind,
    ChangeState,
    CustodyAction,
    CustodyState,
    DelegationKind,
    FundingSource,
    LongStayProgramme,
    LongStayState,
    MemberRole,
    NoticePhase,
    NoticeState,
    OutcomeKind,
    PlanKind,
    PlanState,
    Purpose,
    RegionKind,
    ReportState,
    TripFileKind,
    TripState,
)


def private_storage() -> Storage:
    """Trip files (invitations, scans, photos) live outside MEDIA_ROOT, served only through checked views."""
    return shared_private_storage()


def _case_log() -> GenericRelation:
    return GenericRelation(
        "workflow.TransitionLog", content_type_field="content_type", object_id_field="object_id"
    )


# --- plans -------------------------------------------------------------------------------------------------


class TripPlan(VersionedModel):
    """A unit's annual plan of official trips; Hong Kong and Macao have a plan of their own (``kind``)."""

    unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="trip_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("plan"), max_length=20, choices=PlanKind.choices, default=PlanKind.GENERAL)
    state = models.CharField(_("state"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    consolidated_at = models.DateTimeField(_("consolidated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "unit__name_en", "kind"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "kind"], name="unique_trip_plan")]
        verbose_name = _("trip plan")
        verbose_name_plural = _("trip plans")

    def __str__(self) -> str:
        return f"{self.unit} {self.year} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("travel:plan_detail", args=[self.pk])


class TripPlanLine(models.Model):
    """One planned trip (or group of like trips) of a plan: category, destinations, size, length, budget."""

    plan = models.ForeignKey(TripPlan, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(_("category"), max_length=20, choices=DelegationKind.choices)
    countries = models.ManyToManyField("reference.Country", verbose_name=_("destinations"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    description = models.CharField(_("task"), max_length=300)
    trip_count = models.PositiveSmallIntegerField(_("number of trips"), default=1)
    persons = models.PositiveSmallIntegerField(_("persons per trip"), default=1)
    days = models.PositiveSmallIntegerField(_("days per trip"), default=5)
    budget = models.DecimalField(_("budget (CNY)"), max_digits=12, decimal_places=2, default=0)
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")

    def __str__(self) -> str:
        return self.description


# --- trips -------------------------------------------------------------------------------------------------


class TripQuerySet(models.QuerySet):
    def visible_to(self, user) -> TripQuerySet:
        """The one place that decides which trips a user may see (see permissions.py)."""
        from meridian.travel.permissions import trip_visibility_filter

        condition = trip_visibility_filter(user)
        # Column tests and IN-subqueries only: no row can appear twice, so no DISTINCT (which would sort
        # every visible row).
        return self if condition is None else self.filter(condition)


class Trip(VersionedModel):
    """An official trip abroad or to Hong Kong, Macao or Taiwan: one delegation, one case."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(_("name of the trip"), max_length=300, help_text=_("A short name for the trip."))
    unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="trips"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="trips_applied",
        help_text=_("The traveller the application belongs to (usually the leader)."),
    )
    region = models.CharField(
        _("region"), max_length=20, choices=RegionKind.choices, default=RegionKind.ABROAD
    )
    delegation_kind = models.CharField(
        _("kind of delegation"),
        max_length=20,
        choices=DelegationKind.choices,
        default=DelegationKind.ACADEMIC,
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    task = models.TextField(_("task"), help_text=_("What the delegation will do, as stated in the forms."))
    paper_title = models.CharField(_("paper title"), max_length=500, blank=True)
    conference_name = models.CharField(_("conference"), max_length=300, blank=True)
    depart_on = models.DateField(_("departure date"))
    return_on = models.DateField(_("return date"))
    inviter_partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("inviting partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trips_invited",
    )
    inviter_institution = models.ForeignKey(
        "reference.Institution",
        verbose_name=_("inviting organisation (registry)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inviter_name = models.CharField(_("inviting organisation"), max_length=300, blank=True)
    inviter_is_counterpart = models.BooleanField(
        _("inviter is a counterpart organisation"),
        default=True,
        help_text=_("Not an agency, travel company or intermediary."),
    )
    funding_source = models.CharField(_("funding source"), max_length=30, choices=FundingSource.choices)
    funding_note = models.CharField(_("budget code or project"), max_length=200, blank=True)
    partners = models.ManyToManyField(
        "partners.Partner", verbose_name=_("partners concerned"), blank=True, related_name="trips"
    )
    agreements = models.ManyToManyField(
        "agreements.Agreement", verbose_name=_("agreements concerned"), blank=True, related_name="trips"
    )
    projects = models.CharField(_("projects concerned"), max_length=500, blank=True)
    plan_line = models.ForeignKey(
        TripPlanLine,
        verbose_name=_("plan line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trips",
    )
    # Written justifications, by rule code, for rules whose severity asks for one ("outside the plan", …).
    justifications = models.JSONField(_("justifications"), default=dict, blank=True)
    # The rule-set version the trip was last checked against, and the results (list of dicts) of that check.
    rules_version = models.PositiveIntegerField(_("rule-set version"), null=True, blank=True)
    rule_results = models.JSONField(_("rule results"), default=list, blank=True)
    rules_checked_at = models.DateTimeField(_("rules checked"), null=True, blank=True)
    # What the university approved (people, dates, itinerary, budget), frozen at approval; change requests
    # compare against it.
    approved_snapshot = models.JSONField(_("approved version"), default=dict, blank=True)
    departed_on = models.DateField(_("actual departure"), null=True, blank=True)
    returned_on = models.DateField(_("actual return"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=TripState.choices, default=TripState.DRAFT, db_index=True
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)

    transitions = _case_log()
    objects = TripQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "rule_results", "rules_checked_at"])

    class Meta:
        ordering = ["-depart_on", "-id"]
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        indexes = [
            models.Index(fields=["state", "depart_on"]),
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["depart_on", "return_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(return_on__gte=models.F("depart_on")), name="trip_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("travel:trip_detail", args=[self.pk])

    @property
    def days(self) -> int:
        """Days away, counting the departure and the arrival day (the rules count both)."""
        return (self.return_on - self.depart_on).days + 1

    def is_abroad_on(self, day: date) -> bool:
        start = self.departed_on or self.depart_on
        end = self.returned_on or self.return_on
        return start <= day <= end


class TripMember(models.Model):
    """A person travelling with the delegation, their role and the post shown in the forms."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="trip_memberships"
    )
    role = models.CharField(_("role in the delegation"), max_length=20, choices=MemberRole.choices)
    post = models.CharField(_("post or title"), max_length=200, blank=True)
    is_unit_leader = models.BooleanField(
        _("leader of a unit"), default=False, help_text=_("Holds a leading post of their unit.")
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trip", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["trip", "person"], name="unique_trip_member")]
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class ItineraryItem(models.Model):
    """One day (or leg) of the itinerary: where, whether only in transit, and what is done there."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="itinerary")
    day = models.DateField(_("date"))
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country or territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    city = models.CharField(_("city"), max_length=120)
    is_transit = models.BooleanField(_("transit only"), default=False)
    activity = models.CharField(_("programme of the day"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trip", "day", "order", "id"]
        verbose_name = _("itinerary item")
        verbose_name_plural = _("itinerary")

    def __str__(self) -> str:
        return f"{self.day} {self.city}"


class BudgetLine(models.Model):
    """A budget line: ``amount`` in ``currency`` for ``persons`` × ``days`` (nights for accommodation)."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(_("budget line"), max_length=20, choices=BudgetKind.choices)
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country or territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    persons = models.PositiveSmallIntegerField(_("persons"), default=1)
    days = models.PositiveSmallIntegerField(_("days or nights"), default=1)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["trip", "kind", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"


class CountryStandard(models.Model):
    """Per-country spending standards for official trips abroad (财行〔2013〕516号 and its updates):
    accommodation per person per night, meals and incidentals per person per day, in ``currency``."""

    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country or territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    city = models.CharField(_("city"), max_length=120, blank=True, help_text=_("Empty: the whole country."))
    currency = models.CharField(_("currency"), max_length=3)
    accommodation = models.DecimalField(_("accommodation per night"), max_digits=10, decimal_places=2)
    meals = models.DecimalField(_("meals per day"), max_digits=10, decimal_places=2)
    incidentals = models.DecimalField(_("incidentals per day"), max_digits=10, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["country__name_en", "city", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "city", "valid_from"], name="unique_country_standard")
        ]
        verbose_name = _("spending standard")
        verbose_name_plural = _("spending standards")

    def __str__(self) -> str:
        return f"{self.country} {self.city}".strip()


class ExchangeRate(models.Model):
    """CNY per one unit of ``currency`` from ``valid_from``, for comparing budgets with the standards."""

    currency = models.CharField(_("currency"), max_length=3)
    cny_per_unit = models.DecimalField(_("CNY per unit"), max_digits=12, decimal_places=6)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="unique_exchange_rate")
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"{self.currency} {self.cny_per_unit}"


def _trip_file_path(instance: TripFile, filename: str) -> str:
    # The stored name never reuses the uploaded name: no path tricks, no clashes.
    return f"travel/{instance.trip_id}/{instance.kind}-{instance.sha256[:24]}"


class TripFile(models.Model):
    """A file filed with a trip: the invitation and its translation, the paper, scans."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=30, choices=TripFileKind.choices)
    file = models.FileField(upload_to=_trip_file_path, storage=private_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["trip", "kind", "-uploaded_at"]
        verbose_name = _("trip file")
        verbose_name_plural = _("trip files")

    def __str__(self) -> str:
        return self.original_name


# --- publicity, external approval, changes -----------------------------------------------------------------


class PublicityNotice(models.Model):
    """A publicity notice (公示) of a trip on the internal notice board, before the trip or after return.

    ``text``/``text_zh`` are frozen when the notice is published; it runs until the end of ``ends_on``
    (``working_days`` working days counted from ``starts_on``)."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="notices")
    phase = models.CharField(_("phase"), max_length=10, choices=NoticePhase.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=NoticeState.choices, default=NoticeState.RUNNING
    )
    starts_on = models.DateField(_("published on"))
    ends_on = models.DateField(_("runs until"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    text = models.TextField(_("notice"))
    text_zh = models.TextField(_("notice (Chinese)"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("publicity notice")
        verbose_name_plural = _("publicity notices")

    def __str__(self) -> str:
        return f"{self.trip.number} {self.get_phase_display()}"


class NoticeObjection(models.Model):
    """An objection raised against a publicity notice, and how the office resolved it."""

    notice = models.ForeignKey(PublicityNotice, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("objection"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    upheld = models.BooleanField(_("objection upheld"), default=False)

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return self.text[:60]


class ExternalApproval(models.Model):
    """The approval document (批件) of the provincial foreign-affairs office or the ministry."""

    trip = models.OneToOneField(Trip, on_delete=models.CASCADE, related_name="external_approval")
    document_number = models.CharField(_("approval document number"), max_length=100)
    issued_on = models.DateField(_("date of the approval document"))
    authority = models.CharField(_("issuing authority"), max_length=200)
    approved_people = models.JSONField(_("approved people"), default=list)
    approved_itinerary = models.TextField(_("approved itinerary"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scan = models.ForeignKey(
        TripFile, verbose_name=_("scan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("external approval")
        verbose_name_plural = _("external approvals")

    def __str__(self) -> str:
        return self.document_number


class TripChange(VersionedModel):
    """A change request after approval (dates, people, itinerary): ``proposed`` against ``approved``, both in
    the shape of ``Trip.approved_snapshot``; only the difference is routed for re-approval."""

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="changes")
    number = models.CharField(_("number"), max_length=40, unique=True)
    reason = models.TextField(_("reason for the change"))
    approved = models.JSONField(_("approved version"), default=dict)
    proposed = models.JSONField(_("proposed version"), default=dict)
    state = models.CharField(
        _("state"), max_length=20, choices=ChangeState.choices, default=ChangeState.DRAFT, db_index=True
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    transitions = _case_log()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self) -> str:
        return f"{self.number} ({self.trip.number})"

    def get_absolute_url(self) -> str:
        return reverse("travel:change_detail", args=[self.pk])


# --- after return ------------------------------------------------------------------------------------------


class TripReport(VersionedModel):
    """The trip report in its fixed structure, pre-filled from the approved trip."""

    trip = models.OneToOneField(Trip, on_delete=models.CASCADE, related_name="report")
    inviter = models.CharField(_("inviting organisation"), max_length=300)
    members = models.TextField(_("members"))
    dates = models.CharField(_("dates"), max_length=200)
    tasks_done = models.TextField(_("tasks done"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    passport_returned = models.BooleanField(_("passport returned to the office"), default=False)
    discipline = models.TextField(_("observance of discipline"), blank=True)
    costs = models.DecimalField(_("costs (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    paid_by = models.CharField(_("who paid"), max_length=300, blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trip report")
        verbose_name_plural = _("trip reports")

    def __str__(self) -> str:
        return f"{self.trip.number} report"


def _photo_path(instance: TripReportPhoto, filename: str) -> str:
    return f"travel/{instance.report.trip_id}/photo-{instance.sha256[:24]}"


class TripReportPhoto(models.Model):
    report = models.ForeignKey(TripReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=_photo_path, storage=private_storage, max_length=300)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or f"photo {self.pk}"


class TripOutcome(models.Model):
    """An outcome of a trip that links back to a partner: a new contact, an agreement signed, a project."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=20, choices=OutcomeKind.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trip_outcomes",
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trip", "id"]
        verbose_name = _("trip outcome")
        verbose_name_plural = _("trip outcomes")

    def __str__(self) -> str:
        return self.description


# --- passports and permits in custody -----------------------------------------------------------------------


class CustodyItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> CustodyItemQuerySet:
        from meridian.travel.permissions import custody_visibility_filter

        condition = custody_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class CustodyItem(VersionedModel):
    """An official passport or a Hong Kong/Macao/Taiwan permit kept by the office, and where it is now.

    The number and scans stay in the protected identity document (``people.IdentityDocument``)."""

    document = models.OneToOneField(
        "people.IdentityDocument",
        verbose_name=_("travel document"),
        on_delete=models.PROTECT,
        related_name="custody",
    )
    holder = models.ForeignKey(
        "people.Person", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="custody_items"
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("where it is"), max_length=20, choices=CustodyState.choices, default=CustodyState.IN_CUSTODY
    )
    location = models.CharField(_("location"), max_length=200, blank=True, help_text=_("Safe, drawer, …"))
    trip = models.ForeignKey(
        Trip,
        verbose_name=_("issued for trip"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="custody_items",
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_back_on = models.DateField(_("due back"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False, editable=False)

    objects = CustodyItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["holder__family_name", "id"]
        verbose_name = _("document in custody")
        verbose_name_plural = _("passports and permits in custody")

    def __str__(self) -> str:
        return f"{self.holder} {self.document.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("travel:custody_detail", args=[self.pk])


class CustodyMovement(models.Model):
    """One movement of a document in custody: registered, issued, returned, sent out, cancelled, lost."""

    item = models.ForeignKey(CustodyItem, on_delete=models.CASCADE, related_name="movements")
    action = models.CharField(_("action"), max_length=20, choices=CustodyAction.choices)
    on = models.DateField(_("date"))
    trip = models.ForeignKey(Trip, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("custody movement")
        verbose_name_plural = _("custody movements")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.on}"


# --- long stays (over 90 days) -----------------------------------------------------------------------------


class LongStayQuerySet(models.QuerySet):
    def visible_to(self, user) -> LongStayQuerySet:
        from meridian.travel.permissions import long_stay_visibility_filter

        condition = long_stay_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class LongStay(VersionedModel):
    """A stay abroad over 90 days (government-scholarship or unit-funded visiting scholar): its own track."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("visiting scholar"),
        on_delete=models.PROTECT,
        related_name="long_stays",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="long_stays",
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="long_stays"
    )
    programme = models.CharField(_("programme"), max_length=30, choices=LongStayProgramme.choices)
    host_partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("host partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="long_stays",
    )
    host_name = models.CharField(_("host institution"), max_length=300)
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country or territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("planned departure"))
    ends_on = models.DateField(_("planned return"))
    research_topic = models.CharField(_("research topic"), max_length=500, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    embassy_registered_on = models.DateField(_("registered with the embassy on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=LongStayState.choices,
        default=LongStayState.SELECTED,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)

    transitions = _case_log()
    objects = LongStayQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("long stay abroad")
        verbose_name_plural = _("long stays abroad")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="long_stay_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("travel:long_stay_detail", args=[self.pk])


class ProgressReport(models.Model):
    """A quarterly progress note of a long stay (quarter ``n`` counted from departure)."""

    stay = models.ForeignKey(LongStay, on_delete=models.CASCADE, related_name="progress_reports")
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    text = models.TextField(_("progress"))
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["stay", "quarter"]
        constraints = [models.UniqueConstraint(fields=["stay", "quarter"], name="unique_progress_quarter")]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.stay.number} Q{self.quarter}"
