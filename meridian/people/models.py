"""People casework concerns, their identity documents (protected), the access log, purposes and consent."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.i18n import is_chinese
from meridian.core.models import VersionedModel
from meridian.core.storage import private_storage as shared_private_storage
from meridian.people.choices import AccessAction, DocumentType, Gender, PersonKind
from meridian.people.crypto import EncryptedTextField, mask_number


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> PersonQuerySet:
        """The one place that decides which person records a user may see (see permissions.py)."""
        from meridian.people.permissions import person_visibility_filter

        condition = person_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class Person(VersionedModel):
    """Someone casework concerns: a staff member, a student, a visiting guest, a foreign expert."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=PersonKind.choices)
    family_name = models.CharField(
        _("family name (Latin script)"), max_length=100, help_text=_("As written in the passport.")
    )
    given_name = models.CharField(_("given names (Latin script)"), max_length=150, blank=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=60, blank=True)
    gender = models.PositiveSmallIntegerField(_("gender"), choices=Gender.choices, default=Gender.NOT_KNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_place = models.CharField(_("place of birth"), max_length=150, blank=True)
    nationality = models.ForeignKey(
        "reference.Country",
        verbose_name=_("nationality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    member_number = models.CharField(_("staff or student number"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when retention ended and the personal fields were erased; the row stays for the cases that cite it.
    purged_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    # Changing it revokes every self-service link issued before.
    self_service_nonce = models.CharField(max_length=32, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "self_service_nonce"])

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["kind", "unit"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def latin_name(self) -> str:
        """ "ZHANG San" style: family name in capitals, as on travel documents."""
        return " ".join(p for p in (self.family_name.upper(), self.given_name) if p)

    @property
    def display_name(self) -> str:
        if self.purged_at:
            return str(_("Erased person #%(id)s") % {"id": self.pk})
        if is_chinese() and self.name_zh:
            return self.name_zh
        if self.name_zh:
            return f"{self.latin_name} ({self.name_zh})"
        return self.latin_name

    def get_absolute_url(self) -> str:
        return reverse("people:detail", args=[self.pk])


class Purpose(models.Model):
    """Why personal data is collected, and how long it is kept after that purpose ends (PIPL art. 19)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    retention_days = models.PositiveIntegerField(
        _("retention (calendar days)"),
        help_text=_(
            "Days the data is kept after the purpose ends (or after collection, without an end date)."
        ),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("purpose of processing")
        verbose_name_plural = _("purposes of processing")

    def __str__(self) -> str:
        return self.name_zh if is_chinese() and self.name_zh else self.name_en


class IdentityDocument(VersionedModel):
    """A passport, permit or visa. The number and the scans are encrypted at rest and every read is logged."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type"), max_length=30, choices=DocumentType.choices)
    number = EncryptedTextField(_("number"))
    issuing_country = models.ForeignKey(
        "reference.Country", verbose_name=_("issuing country"), on_delete=models.PROTECT, related_name="+"
    )
    issue_date = models.DateField(_("date of issue"), null=True, blank=True)
    expiry_date = models.DateField(_("date of expiry"), db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-expiry_date", "id"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return mask_number(self.number)

    def is_expired(self, *, today: date) -> bool:
        return self.expiry_date < today


def private_storage() -> Storage:
    """Scans live outside MEDIA_ROOT, encrypted, and are served only through the logged download view."""
    return shared_private_storage()


def _scan_path(instance: DocumentScan, filename: str) -> str:
    # Neither the uploaded name nor anything personal goes into the stored name.
    return f"people/{instance.document.person_id}/{filename}"


class DocumentScan(models.Model):
    """A scanned page of an identity document; the stored file holds only ciphertext."""

    document = models.ForeignKey(IdentityDocument, on_delete=models.CASCADE, related_name="scans")
    file = models.FileField(upload_to=_scan_path, storage=private_storage, max_length=300)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256 of the scan"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")

    def __str__(self) -> str:
        return self.download_name

    @property
    def download_name(self) -> str:
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
            self.content_type, "bin"
        )
        return f"{self.document.kind}-scan-{self.pk}.{extension}"


class DataPurpose(models.Model):
    """Personal data collected for a purpose: of a document, or (without document) of the person record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="purposes")
    document = models.ForeignKey(
        IdentityDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="purposes"
    )
    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    collected_at = models.DateTimeField(_("collected"), auto_now_add=True)
    ends_on = models.DateField(
        _("purpose ends on"), null=True, blank=True, help_text=_("For example the last day of the visit.")
    )

    class Meta:
        ordering = ["collected_at", "id"]
        verbose_name = _("purpose of collection")
        verbose_name_plural = _("purposes of collection")

    def __str__(self) -> str:
        return str(self.purpose)

    def keep_until(self) -> date:
        """Last day the data may be kept for this purpose: end (or collection day) + retention days."""
        start = self.ends_on or self.collected_at.date()
        return start + timedelta(days=self.purpose.retention_days)


class Consent(models.Model):
    """A person's consent to processing for a purpose, with the exact text version they agreed to."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    text_version = models.CharField(_("consent text version"), max_length=40)
    given_at = models.DateTimeField(_("given"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose_id} {self.text_version}"


class AccessLog(models.Model):
    """One read of protected personal data: who, when, what, whose, why, from where. Never edited."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Plain ids stay when the document is purged, so the log still says which record was read.
    person_ref = models.PositiveBigIntegerField(_("person record"), null=True, blank=True, db_index=True)
    document_ref = models.PositiveBigIntegerField(_("document record"), null=True, blank=True)
    document_kind = models.CharField(
        _("document type"), max_length=30, choices=DocumentType.choices, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"]), models.Index(fields=["user", "-at"])]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"
