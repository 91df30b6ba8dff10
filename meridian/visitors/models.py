"""Incoming visitors (外宾接待), invitation letters (邀请函) and foreign experts (外国专家).

- ``Visit``: one visit or delegation, filed by the host unit's foreign-affairs secretary, with its guests
  (``VisitGuest``, each a protected ``people.Person``), day-by-day programme, budget, files, the visa
  invitation it may need and the visit note that closes it. Lifecycle in ``casework.py``.
- ``HostingStandard``: the configurable caps that budgets are checked against (CNY).
- ``AccommodationRegistration``: a guest's registration with the police (24 hours after arrival, 10 days
  after a new passport or visa), one deadline clock each (``deadlines.py``).
- ``Lecture``: a talk by a visiting scholar, on the public calendar once published (and, where configured,
  after its outline was reviewed).
- ``ExpertHiring``: the hiring case of a foreign expert or teacher (work permit A/B/C, Z-visa notice,
  residence permit, changes, renewal), with its documents and reported changes.

Money is in CNY; dates are local calendar dates; times are aware datetimes in the site's time zone.
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

from meridian.core.i18n import localised
from meridian.core.models import VersionedModel
from meridian.core.storage import private_storage as shared_private_storage
from meridian.visitors.choices import (
    AccommodationKind,
    BudgetKind,
    Degree,
    ExpertChangeKind,
    ExpertDocumentKind,
    ExpertKind,
    ExpertState,
    GuestFileKind,
    GuestRank,
    InvitationKind,
    LectureReview,
    LectureState,
    PermitCategory,
    ProgrammeKind,
    ReceptionLevel,
    RegistrationReason,
    RegistrationState,
    StandardBasis,
    VisitCategory,
    VisitFileKind,
    VisitState,
)


def private_storage() -> Storage:
    """Visit and expert files (scans, photos, CVs) live outside MEDIA_ROOT, served only through checked
    views."""
    return shared_private_storage()


def _case_log() -> GenericRelation:
    return GenericRelation(
        "workflow.TransitionLog", content_type_field="content_type", object_id_field="object_id"
    )


# --- visits --------------------------------------------------------------------------------------------


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user) -> VisitQuerySet:
        """The one place that decides which visits a user may see (see permissions.py)."""
        from meridian.visitors.permissions import visit_visibility_filter

        condition = visit_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class Visit(VersionedModel):
    """A visit to the university by one guest or a delegation: one case."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(
        _("name of the visit"), max_length=300, help_text=_("A short name for the visit.")
    )
    category = models.CharField(_("category"), max_length=30, choices=VisitCategory.choices)
    purpose = models.TextField(_("purpose"), help_text=_("What the guests come for, as stated in the forms."))
    host_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("host unit"), on_delete=models.PROTECT, related_name="visits"
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="visits_hosted",
        help_text=_("The member of staff who hosts the guests and answers for the visit."),
    )
    arrive_on = models.DateField(_("arrival date"))
    depart_on = models.DateField(_("departure date"))
    # The guests' organisation: a partner, an institution of the registry, or a typed name.
    guest_partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("guests' organisation (partner)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    guest_institution = models.ForeignKey(
        "reference.Institution",
        verbose_name=_("guests' organisation (registry)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    guest_organisation = models.CharField(_("guests' organisation"), max_length=300, blank=True)
    guest_country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("guests' country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reception_level = models.CharField(
        _("received by"), max_length=30, choices=ReceptionLevel.choices, default=ReceptionLevel.HOST
    )
    reception_leader = models.CharField(
        _("receiving leader"), max_length=200, blank=True, help_text=_("Name and post of who receives them.")
    )
    invitation_kind = models.CharField(
        _("visa invitation"), max_length=20, choices=InvitationKind.choices, default=InvitationKind.NONE
    )
    accommodation = models.CharField(
        _("accommodation"), max_length=20, choices=AccommodationKind.choices, default=AccommodationKind.HOTEL
    )
    accommodation_address = models.CharField(_("accommodation address"), max_length=300, blank=True)
    reciprocal = models.BooleanField(
        _("hosted on a reciprocal basis"),
        default=False,
        help_text=_("The guests' organisation hosts our delegations on the same terms."),
    )
    escalated = models.BooleanField(
        _("refer to a university leader"),
        default=False,
        help_text=_("The office refers the visit to a university leader's approval."),
    )
    agreements = models.ManyToManyField(
        "agreements.Agreement", verbose_name=_("agreements concerned"), blank=True, related_name="visits"
    )
    projects = models.CharField(_("projects concerned"), max_length=500, blank=True)
    funding_note = models.CharField(_("budget code or project"), max_length=200, blank=True)
    # Written justifications, by rule code, for rules whose severity asks for one.
    justifications = models.JSONField(_("justifications"), default=dict, blank=True)
    rules_version = models.PositiveIntegerField(_("rule-set version"), null=True, blank=True)
    rule_results = models.JSONField(_("rule results"), default=list, blank=True)
    rules_checked_at = models.DateTimeField(_("rules checked"), null=True, blank=True)
    # The visa invitation, once issued.
    invitation_number = models.CharField(_("invitation number"), max_length=60, blank=True)
    invitation_issued_on = models.DateField(_("invitation issued"), null=True, blank=True)
    visa_confirmed_on = models.DateField(_("visa confirmed"), null=True, blank=True)
    arrived_on = models.DateField(_("actual arrival"), null=True, blank=True)
    left_on = models.DateField(_("actual departure"), null=True, blank=True)
    # The visit note, after the visit: outcomes and follow-up; it closes the visit and shows on the partner
    # page.
    outcomes = models.TextField(_("outcomes"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    note_submitted_at = models.DateTimeField(_("visit note submitted"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=VisitState.choices, default=VisitState.DRAFT, db_index=True
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)

    transitions = _case_log()
    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "rule_results", "rules_checked_at"])

    class Meta:
        ordering = ["-arrive_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["state", "arrive_on"]),
            models.Index(fields=["host_unit", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(depart_on__gte=models.F("arrive_on")), name="visit_dates_in_order"
            ),
            # Invitation numbers are unique once given (services.invitations retries on a clash).
            models.UniqueConstraint(
                fields=["invitation_number"],
                condition=~models.Q(invitation_number=""),
                name="unique_visit_invitation_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("visitors:visit_detail", args=[self.pk])

    @property
    def days(self) -> int:
        """Days hosted, counting the arrival and the departure day."""
        return (self.depart_on - self.arrive_on).days + 1

    @property
    def needs_invitation(self) -> bool:
        return self.invitation_kind != InvitationKind.NONE

    @property
    def organisation_name(self) -> str:
        if self.guest_partner_id:
            return str(self.guest_partner)
        if self.guest_institution_id:
            return str(self.guest_institution)
        return self.guest_organisation


class VisitGuest(models.Model):
    """A guest of a visit: a protected Person record, their place in the delegation and what they entered
    themselves through the self-service link (CV, itinerary, dietary and accessibility needs)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="guests")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="visits_as_guest"
    )
    is_head = models.BooleanField(_("head of the delegation"), default=False)
    position = models.CharField(_("position or title"), max_length=200, blank=True)
    rank = models.CharField(_("standing"), max_length=20, choices=GuestRank.choices, default=GuestRank.OTHER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # What the guest enters themselves (self-service): CV rows [{"from": "YYYY-MM", "to": "YYYY-MM" or "",
    # "organisation": str, "position": str}], newest first; their own travel plan.
    cv = models.JSONField(_("CV, last ten years"), default=list, blank=True)
    arrival_date = models.DateField(_("arrival in China"), null=True, blank=True)
    arrival_flight = models.CharField(_("arrival flight or train"), max_length=60, blank=True)
    arrival_port = models.CharField(_("port of entry"), max_length=100, blank=True)
    departure_date = models.DateField(_("departure from China"), null=True, blank=True)
    departure_flight = models.CharField(_("departure flight or train"), max_length=60, blank=True)
    exit_port = models.CharField(_("port of exit"), max_length=100, blank=True)
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    # Self-service link state: a nonce voids older links; the office locks the data once checked.
    link_nonce = models.CharField(max_length=32, blank=True, editable=False)
    link_sent_at = models.DateTimeField(_("link sent"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("guest data entered"), null=True, blank=True)
    locked_at = models.DateTimeField(_("guest data locked"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Arrival as it happened (sets the accommodation-registration clock).
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)

    class Meta:
        ordering = ["visit", "-is_head", "order", "id"]
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        constraints = [models.UniqueConstraint(fields=["visit", "person"], name="unique_visit_guest")]

    def __str__(self) -> str:
        return str(self.person)


def _guest_file_path(instance: GuestFile, filename: str) -> str:
    return f"visitors/guests/{instance.guest_id}/{instance.kind}-{instance.sha256[:24]}"


class GuestFile(models.Model):
    """A file a guest (or the office for them) uploads: photo, CV document. Passport scans go to the Person's
    identity document (``people.DocumentScan``)."""

    guest = models.ForeignKey(VisitGuest, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=20, choices=GuestFileKind.choices)
    file = models.FileField(upload_to=_guest_file_path, storage=private_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["guest", "kind", "-uploaded_at"]
        verbose_name = _("guest file")
        verbose_name_plural = _("guest files")

    def __str__(self) -> str:
        return self.original_name


class ProgrammeItem(models.Model):
    """One item of the day-by-day programme."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="programme")
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("from"), null=True, blank=True)
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    title = models.CharField(_("activity"), max_length=300)
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.CharField(_("our participants"), max_length=300, blank=True)

    class Meta:
        ordering = ["visit", "day", "starts_at", "id"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")

    def __str__(self) -> str:
        return f"{self.day} {self.title}"


class VisitBudgetLine(models.Model):
    """A budget line in CNY: ``amount`` is the line's total; ``persons`` and ``days`` give the basis the
    hosting standards are checked on."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(_("kind"), max_length=20, choices=BudgetKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    persons = models.PositiveSmallIntegerField(_("persons"), default=1)
    days = models.PositiveSmallIntegerField(_("days or nights"), default=1)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["visit", "kind", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


def _visit_file_path(instance: VisitFile, filename: str) -> str:
    return f"visitors/visits/{instance.visit_id}/{instance.kind}-{instance.sha256[:24]}"


class VisitFile(models.Model):
    """A file filed with a visit: correspondence, visa copies, photos of the visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=20, choices=VisitFileKind.choices)
    file = models.FileField(upload_to=_visit_file_path, storage=private_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["visit", "kind", "-uploaded_at"]
        verbose_name = _("visit file")
        verbose_name_plural = _("visit files")

    def __str__(self) -> str:
        return self.original_name


class HostingStandard(models.Model):
    """A cap of the hosting standards table (CNY): what a budget line of ``kind`` may cost per ``basis``,
    optionally only for guests of a given standing. The most specific row that is valid on the visit's
    arrival date applies (rank-specific before general)."""

    kind = models.CharField(_("budget line"), max_length=20, choices=BudgetKind.choices)
    rank = models.CharField(_("guests' standing"), max_length=20, choices=GuestRank.choices, blank=True)
    basis = models.CharField(_("counted"), max_length=20, choices=StandardBasis.choices)
    cap = models.DecimalField(_("cap (CNY)"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note or source"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["kind", "rank", "-valid_from"]
        verbose_name = _("hosting standard")
        verbose_name_plural = _("hosting standards")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.cap} {self.get_basis_display()}"


class AccommodationRegistration(models.Model):
    """A guest's temporary accommodation registration with the police (境外人员临时住宿登记): due 24 hours
    after arrival or a change of address, 10 days after a new passport or visa. Hotels register their own
    guests (state ``by_hotel``, no clock)."""

    guest = models.ForeignKey(VisitGuest, on_delete=models.CASCADE, related_name="registrations")
    reason = models.CharField(_("reason"), max_length=20, choices=RegistrationReason.choices)
    occurred_at = models.DateTimeField(_("arrival or change"))
    due_at = models.DateTimeField(_("register by"))
    accommodation = models.CharField(_("accommodation"), max_length=20, choices=AccommodationKind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=RegistrationState.choices, default=RegistrationState.OPEN
    )
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    receipt_number = models.CharField(_("registration receipt number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("accommodation registration")
        verbose_name_plural = _("accommodation registrations")
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self) -> str:
        return f"{self.guest} {self.get_reason_display()}"

    def get_absolute_url(self) -> str:
        """The guest's arrival page, where the registration is recorded (reminders link there)."""
        return reverse("visitors:guest_arrival", args=[self.guest.visit_id, self.guest_id])


# --- lectures and the public calendar ------------------------------------------------------------------


class LectureQuerySet(models.QuerySet):
    def public(self) -> LectureQuerySet:
        """Lectures the public calendar shows: published, public, and reviewed where a review is needed."""
        return self.filter(state=LectureState.PUBLISHED, is_public=True).exclude(
            review__in=[LectureReview.PENDING, LectureReview.REJECTED]
        )


class Lecture(VersionedModel):
    """A lecture or talk, usually by a visiting scholar, on the university's public calendar once published.
    Public lectures may need their outline reviewed a configurable number of days ahead."""

    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lectures",
    )
    guest = models.ForeignKey(
        VisitGuest,
        verbose_name=_("speaker (guest)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lectures",
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organising unit"),
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    speaker = models.CharField(_("speaker"), max_length=200)
    speaker_affiliation = models.CharField(_("speaker's organisation"), max_length=300, blank=True)
    title_en = models.CharField(_("title in English"), max_length=300)
    title_zh = models.CharField(_("title in Chinese"), max_length=300, blank=True)
    abstract_en = models.TextField(_("abstract in English"), blank=True)
    abstract_zh = models.TextField(_("abstract in Chinese"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place_en = models.CharField(_("place in English"), max_length=300)
    place_zh = models.CharField(_("place in Chinese"), max_length=300, blank=True)
    is_public = models.BooleanField(_("open to the public"), default=True)
    outline = models.TextField(_("lecture outline"), blank=True)
    review = models.CharField(
        _("outline review"), max_length=20, choices=LectureReview.choices, default=LectureReview.NOT_NEEDED
    )
    review_due_on = models.DateField(_("review due"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=LectureState.choices, default=LectureState.DRAFT, db_index=True
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)  # iCalendar SEQUENCE, bumped on changes
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)

    objects = LectureQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="lecture_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return localised(self.title_en, self.title_zh)

    def get_absolute_url(self) -> str:
        return reverse("visitors:lecture_detail", args=[self.pk])


# --- foreign experts -----------------------------------------------------------------------------------


class ExpertHiringQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExpertHiringQuerySet:
        from meridian.visitors.permissions import expert_visibility_filter

        condition = expert_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class ExpertHiring(VersionedModel):
    """The hiring case of a foreign expert or teacher, from the open position to their leaving: work permit
    (category A/B/C), Z-visa notification, entry, residence permit, employment, changes and renewals."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ExpertKind.choices, default=ExpertKind.EXPERT)
    position = models.CharField(_("position"), max_length=300)
    duties = models.TextField(_("duties"), blank=True)
    host_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("host unit"),
        on_delete=models.PROTECT,
        related_name="expert_hirings",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible member of staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experts_supervised",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("candidate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert_hirings",
    )
    contract_starts_on = models.DateField(_("contract starts"))
    contract_ends_on = models.DateField(_("contract ends"))
    annual_salary = models.DecimalField(
        _("annual salary (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    permit_category = models.CharField(
        _("work permit category"), max_length=1, choices=PermitCategory.choices, blank=True
    )
    degree = models.CharField(_("highest degree"), max_length=20, choices=Degree.choices, blank=True)
    experience_years = models.PositiveSmallIntegerField(
        _("years of relevant experience"), null=True, blank=True
    )
    talent_programme = models.CharField(_("talent programme or project"), max_length=300, blank=True)
    programme_funds = models.DecimalField(
        _("programme funds spent (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Criteria check of the permit category (list of {code, outcome, message_en, message_zh}).
    criteria_results = models.JSONField(_("category criteria"), default=list, blank=True)
    permit_number = models.CharField(_("work permit number"), max_length=60, blank=True)
    permit_applied_on = models.DateField(_("work permit applied for"), null=True, blank=True)
    permit_issued_on = models.DateField(_("work permit notice issued"), null=True, blank=True)
    permit_expires_on = models.DateField(_("work permit valid until"), null=True, blank=True)
    visa_notice_on = models.DateField(_("visa notification issued"), null=True, blank=True)
    entered_on = models.DateField(_("entered China"), null=True, blank=True)
    residence_permit_on = models.DateField(_("residence permit issued"), null=True, blank=True)
    residence_permit_expires_on = models.DateField(_("residence permit valid until"), null=True, blank=True)
    employed_on = models.DateField(_("employment began"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ExpertState.choices, default=ExpertState.NEED, db_index=True
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)

    transitions = _case_log()
    objects = ExpertHiringQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "criteria_results"])

    class Meta:
        ordering = ["-contract_starts_on", "-id"]
        verbose_name = _("foreign expert hiring")
        verbose_name_plural = _("foreign expert hirings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contract_ends_on__gt=models.F("contract_starts_on")),
                name="expert_contract_in_order",
            )
        ]

    def __str__(self) -> str:
        who = str(self.person) if self.person_id else self.position
        return f"{self.number} {who}"

    def get_absolute_url(self) -> str:
        return reverse("visitors:expert_detail", args=[self.pk])

    def permit_ends_on(self) -> date | None:
        """The earlier of the permit's and the contract's end (what renewal counts back from)."""
        ends = [d for d in (self.permit_expires_on, self.contract_ends_on) if d]
        return min(ends) if ends else None


def _expert_file_path(instance: ExpertDocument, filename: str) -> str:
    return f"visitors/experts/{instance.hiring_id}/{instance.kind}-{instance.sha256[:24]}"


class ExpertDocument(models.Model):
    """A document of the hiring checklist (degree, criminal record, health check, contract, …) with its
    expiry date where it has one."""

    hiring = models.ForeignKey(ExpertHiring, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=ExpertDocumentKind.choices)
    received_on = models.DateField(_("received"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    file = models.FileField(
        upload_to=_expert_file_path, storage=private_storage, max_length=300, null=True, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["hiring", "kind", "-uploaded_at"]
        verbose_name = _("expert document")
        verbose_name_plural = _("expert documents")

    def __str__(self) -> str:
        return self.get_kind_display()


class ExpertChange(models.Model):
    """A change in an employed expert's situation, to be reported within 10 working days."""

    hiring = models.ForeignKey(ExpertHiring, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=20, choices=ExpertChangeKind.choices)
    description = models.CharField(_("what changed"), max_length=500)
    happened_on = models.DateField(_("changed on"))
    due_on = models.DateField(_("report by"))
    reported_on = models.DateField(_("reported"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["hiring", "-happened_on", "-id"]
        verbose_name = _("reported change")
        verbose_name_plural = _("reported changes")

    def __str__(self) -> str:
        return self.description
