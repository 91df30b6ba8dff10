"""Agreements with partners: their parties, signatories, documents and reminders.

The lifecycle is declared in casework.py; its moves are logged by the workflow engine (`transitions`)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.files.storage import Storage
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.agreements.choices import (
    AgreementState,
    AgreementType,
    Channel,
    DocumentKind,
    ReminderKind,
    Side,
)
from meridian.agreements.search_text import (
    AGREEMENT_OWN_FIELDS,
    agreement_search_text_now,
    refresh_agreement_search_text,
)
from meridian.core.bulk import records_updated
from meridian.core.i18n import localised
from meridian.core.models import VersionedModel
from meridian.core.search_index import register_search_table
from meridian.core.sorting import localised_sort_keys
from meridian.core.storage import private_storage as shared_private_storage

SEARCHED_FIELDS = frozenset(AGREEMENT_OWN_FIELDS)
TITLE_FIELDS = frozenset({"title_en", "title_zh"})


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> AgreementQuerySet:
        """The one place that decides which agreements a user may see (see permissions.py)."""
        from meridian.agreements.permissions import agreement_visibility_filter

        condition = agreement_visibility_filter(user)
        return self if condition is None else self.filter(condition)

    def expiring_within(self, days: int, *, today: date | None = None) -> AgreementQuerySet:
        today = today or timezone.localdate()
        return self.filter(
            state=AgreementState.ACTIVE,
            end_date__isnull=False,
            end_date__gte=today,
            end_date__lte=today + timedelta(days=days),
        )


class Agreement(VersionedModel):
    number = models.CharField(_("number"), max_length=40, unique=True)
    title_en = models.CharField(_("English title"), max_length=300)
    title_zh = models.CharField(_("Chinese title"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=30, choices=AgreementType.choices)
    partners = models.ManyToManyField(
        "partners.Partner", through="AgreementPartner", verbose_name=_("partners"), related_name="agreements"
    )
    responsible_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    home_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator at our university"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_agreements",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Leave empty if open-ended.")
    )
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    renewal_notice_days = models.PositiveIntegerField(_("notice period (days)"), null=True, blank=True)
    languages = models.CharField(
        _("languages of the text"), max_length=60, blank=True, help_text=_("Language codes, e.g. en, zh")
    )
    umbrella = models.ForeignKey(
        "self",
        verbose_name=_("addendum to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="addenda",
    )
    renews = models.OneToOneField(
        "self",
        verbose_name=_("renews agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
    )
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=AgreementState.choices, default=AgreementState.DRAFT, db_index=True
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Number, titles and the partners' names in one normalised form, indexed for substring search
    # (see meridian/core/search_index.py); written by save(), by party changes and by the bulk refresher.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    # The title's sort keys for English and Chinese readers (Chinese by pinyin, meridian/core/sorting.py), so
    # that "sort by title" follows the title the list shows; written by save().
    title_sort_en = models.CharField(max_length=255, blank=True, default="", editable=False)
    title_sort_zh = models.CharField(max_length=255, blank=True, default="", editable=False)

    # Every lifecycle move and approval step, in the workflow engine's one log for all case types.
    transitions = GenericRelation(
        "workflow.TransitionLog", content_type_field="content_type", object_id_field="object_id"
    )

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["updated_at", "search_text", "title_sort_en", "title_sort_zh"]
    )

    class Meta:
        ordering = ["-start_date", "number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [
            models.Index(fields=["state", "end_date"]),
            models.Index(fields=["kind", "state"]),
            models.Index(fields=["title_sort_en", "id"], name="agreement_title_sort_en"),
            models.Index(fields=["title_sort_zh", "id"], name="agreement_title_sort_zh"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def title(self) -> str:
        return localised(self.title_en, self.title_zh)

    def save(self, *args, **kwargs) -> None:
        # The search column indexes this row's values and its parties' names; kept where every save passes.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or SEARCHED_FIELDS.intersection(update_fields):
            self.search_text = agreement_search_text_now(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        if update_fields is None or TITLE_FIELDS.intersection(update_fields):
            self.title_sort_en, self.title_sort_zh = localised_sort_keys(
                english=self.title_en, chinese=self.title_zh
            )
            if update_fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "title_sort_en", "title_sort_zh"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("agreements:detail", args=[self.pk])

    def days_left(self, *, today: date | None = None) -> int | None:
        if self.end_date is None:
            return None
        return (self.end_date - (today or timezone.localdate())).days

    def is_expiring_soon(self, *, today: date | None = None, window: int | None = None) -> bool:
        """Derived from the end date: an active agreement ending within the configured window."""
        left = self.days_left(today=today)
        window = settings.EXPIRING_SOON_DAYS if window is None else window
        return self.state == AgreementState.ACTIVE and left is not None and 0 <= left <= window

    # Edit rights live in permissions.py; `can_<move>(user)` for every lifecycle move is installed from the
    # case-type declaration (casework.py) by the workflow registry.
    def can_edit(self, user) -> bool:
        from meridian.agreements import permissions

        return permissions.can_edit_agreement(user, self)


register_search_table(Agreement._meta.db_table)


class AgreementChannel(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "channel"], name="unique_agreement_channel")
        ]
        indexes = [models.Index(fields=["channel", "agreement"])]

    def __str__(self) -> str:
        return self.get_channel_display()


@receiver(post_save, sender="partners.Partner", dispatch_uid="agreement-search-partner-renamed")
def _partner_renamed(sender, instance, created: bool, **kwargs) -> None:
    """Agreements are searched by their partners' names: a renamed partner's agreements follow."""
    if not created and instance.search_names_changed():
        refresh_agreement_search_text(ids=[], partner_ids=[instance.pk])


class AgreementPartner(models.Model):
    """A partner party to an agreement, with its coordinator and (optionally) the partner-side unit."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="agreement_parties"
    )
    partner_unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("partner-side unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    coordinator = models.ForeignKey(
        "partners.PartnerContact",
        verbose_name=_("partner coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "partner"], name="unique_agreement_partner")
        ]

    def __str__(self) -> str:
        return str(self.partner)


@receiver(post_save, sender=AgreementPartner, dispatch_uid="agreement-search-party-saved")
def _party_saved(sender, instance: AgreementPartner, update_fields=None, **kwargs) -> None:
    """An agreement is searched by its parties' names: a new or changed party refreshes its text."""
    if update_fields is None or "partner" in update_fields:
        refresh_agreement_search_text(ids=[instance.agreement_id])


@receiver(post_delete, sender=AgreementPartner, dispatch_uid="agreement-search-party-deleted")
def _party_deleted(sender, instance: AgreementPartner, **kwargs) -> None:
    refresh_agreement_search_text(ids=[instance.agreement_id])


class Signatory(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    class Meta:
        ordering = ["side", "signed_on", "name"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_side_display()})"


def private_storage() -> Storage:
    """Documents live outside MEDIA_ROOT and are served only through the permission-checked download view."""
    return shared_private_storage()


def _document_path(instance: AgreementDocument, filename: str) -> str:
    # The stored name never reuses the uploaded name: no path tricks, no clashes.
    return f"agreements/{instance.agreement_id}/{instance.sha256[:16]}-v{instance.version}"


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(
        _("kind"), max_length=10, choices=DocumentKind.choices, default=DocumentKind.DRAFT
    )
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(upload_to=_document_path, storage=private_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "version"], name="unique_document_version")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.version}"


class ReminderSent(models.Model):
    """Marks a reminder as sent, so that running the reminder command twice sends nothing twice."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    end_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "end_date"], name="unique_reminder_per_end_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.kind} {self.end_date}"


@receiver(
    records_updated, sender="partners.Partner", dispatch_uid="agreement-search-partners-renamed-in-bulk"
)
def _partners_renamed_in_bulk(sender, records, **kwargs) -> None:
    """The same for partners changed in bulk (an import): one refresh for all the renamed ones."""
    renamed = [partner.pk for partner in records if partner.search_names_changed()]
    if renamed:
        refresh_agreement_search_text(ids=[], partner_ids=renamed)
