"""Document templates (versioned), serial-number counters, generated documents and their access log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meridian.core.i18n import localised
from meridian.core.storage import private_storage as shared_private_storage
from meridian.documents.choices import (
    OUTPUT_LANGUAGES,
    DocumentEventKind,
    DocumentFormat,
    OutputLanguage,
    TemplateKind,
    TemplateLanguages,
)


def private_storage() -> Storage:
    """Generated documents and DOCX templates live outside MEDIA_ROOT; only checked views serve them."""
    return shared_private_storage()


class DocumentTemplate(models.Model):
    """A template for one kind of document of one source (case type); its text lives in versions."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    source = models.CharField(_("case type"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind.choices)
    languages = models.CharField(_("languages"), max_length=10, choices=TemplateLanguages.choices)
    fmt = models.CharField(
        _("format"), max_length=5, choices=DocumentFormat.choices, default=DocumentFormat.PDF
    )
    serial_code = models.CharField(
        _("serial code"), max_length=12, help_text=_("Short code used in serial numbers, e.g. AD.")
    )
    serial_pattern = models.CharField(
        _("serial number scheme"),
        max_length=60,
        default="{year}-{code}-{seq:05d}",
        help_text=_("Placeholders: {year}, {code} and {seq} (e.g. {seq:05d} for five digits)."),
    )
    has_validity = models.BooleanField(
        _("has a validity date"),
        default=False,
        help_text=_("The document is valid until the case's end date."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "DocumentTemplateVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["source", "code"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("documents:template_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_zh)

    def output_languages(self) -> tuple[str, ...]:
        """The languages documents can be generated in: "en", "zh" and/or "bilingual"."""
        return OUTPUT_LANGUAGES[self.languages]


def _template_docx_path(instance: DocumentTemplateVersion, filename: str) -> str:
    return f"document-templates/{instance.template_id}/v{instance.number}.docx"


class DocumentTemplateVersion(models.Model):
    """One saved text of a template. Versions are never changed; every save makes a new one."""

    template = models.ForeignKey(DocumentTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    bodies = models.JSONField(_("template text"), default=dict, blank=True)
    docx = models.FileField(
        _("DOCX template"), upload_to=_template_docx_path, storage=private_storage, blank=True, max_length=300
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="unique_document_template_version")
        ]

    def __str__(self) -> str:
        return f"{self.template.code} v{self.number}"


class SerialCounter(models.Model):
    """The last sequence number used by a template in a year (year 0 when its scheme has no year)."""

    template = models.ForeignKey(DocumentTemplate, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template", "year"], name="unique_serial_counter")]

    def __str__(self) -> str:
        return f"{self.template_id}/{self.year}: {self.last}"


class GeneratedDocumentQuerySet(models.QuerySet):
    def for_subject(self, subject: models.Model) -> GeneratedDocumentQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk)


def _document_path(instance: GeneratedDocument, filename: str) -> str:
    return f"documents/{instance.issued_on:%Y}/{instance.serial}-{instance.sha256[:12]}.{instance.fmt}"


class GeneratedDocument(models.Model):
    """A document generated from a template version for one case, with what the public may verify."""

    serial = models.CharField(_("serial number"), max_length=80, unique=True)
    token = models.CharField(max_length=64, editable=False)
    source = models.CharField(_("case type"), max_length=40)
    template = models.ForeignKey(DocumentTemplate, on_delete=models.PROTECT, related_name="documents")
    template_version = models.ForeignKey(DocumentTemplateVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("document type"), max_length=20, choices=TemplateKind.choices)
    title_en = models.CharField(_("English title"), max_length=200)
    title_zh = models.CharField(_("Chinese title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=OutputLanguage.choices)
    fmt = models.CharField(_("format"), max_length=5, choices=DocumentFormat.choices)
    file = models.FileField(upload_to=_document_path, storage=private_storage, max_length=300)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_on = models.DateField(_("issue date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issuing_unit = models.CharField(_("issuing unit"), max_length=200)
    issuing_unit_zh = models.CharField(_("issuing unit (Chinese)"), max_length=200, blank=True)
    holder_name = models.CharField(_("holder"), max_length=300)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("generated"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.serial} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    @property
    def title(self) -> str:
        return localised(self.title_en, self.title_zh)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def verify_path(self) -> str:
        return reverse("documents:verify", args=[self.serial, self.token])

    @property
    def verify_url(self) -> str:
        """The absolute public verification address printed in the QR code (``SITE_URL`` + path)."""
        return settings.SITE_URL + self.verify_path

    @property
    def filename(self) -> str:
        return f"{self.serial}.{self.fmt}"

    @property
    def content_type_header(self) -> str:
        if self.fmt == DocumentFormat.DOCX:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return "application/pdf"


class DocumentEvent(models.Model):
    """Who generated, downloaded or revoked a document, and when (the access log)."""

    document = models.ForeignKey(GeneratedDocument, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=DocumentEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.kind}"
