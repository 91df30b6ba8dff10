"""Reads of documents and templates, restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.crypto import constant_time_compare

from meridian.documents import permissions
from meridian.documents.models import DocumentEvent, DocumentTemplate, GeneratedDocument
from meridian.documents.rendering import mask_name
from meridian.documents.sources import sources


def documents_for(*, subject: Model, user: Any) -> QuerySet[GeneratedDocument]:
    """The documents generated for ``subject`` (newest first), or none when ``user`` may not view them."""
    if not permissions.can_view_documents_of(user, subject):
        return GeneratedDocument.objects.none()
    return GeneratedDocument.objects.for_subject(subject).select_related(
        "template", "template_version", "created_by"
    )


def templates_for(*, subject: Model, user: Any) -> list[DocumentTemplate]:
    """The active templates of ``subject``'s case type that ``user`` may generate for it now: the source's
    ``refusal`` hook leaves out those it would refuse (the state of the case does not allow them yet)."""
    source = sources.for_object(subject)
    if source is None or not source.can_generate(user, subject):
        return []
    templates = DocumentTemplate.objects.filter(
        source=source.key, is_active=True, current_version__isnull=False
    ).order_by("kind", "code")
    return [template for template in templates if not source.refusal(user, subject, template.code)]


@dataclass
class CaseDocuments:
    """What the case-page panel shows: documents the user may view and templates they may use."""

    documents: list[GeneratedDocument] = field(default_factory=list)
    templates: list[DocumentTemplate] = field(default_factory=list)
    source_key: str = ""
    can_view: bool = False
    can_batch: bool = False

    @property
    def shown(self) -> bool:
        return self.can_view or bool(self.templates)


def case_documents(*, subject: Model, user: Any) -> CaseDocuments:
    source = sources.for_object(subject)
    if source is None:
        return CaseDocuments()
    can_view = bool(source.can_view(user, subject))
    return CaseDocuments(
        documents=list(documents_for(subject=subject, user=user)) if can_view else [],
        templates=templates_for(subject=subject, user=user),
        source_key=source.key,
        can_view=can_view,
        can_batch=source.batch_cases is not None and permissions.can_run_batches(user),
    )


def document_get(*, user: Any, pk: int) -> GeneratedDocument:
    """The document if ``user`` may view it; raises ``GeneratedDocument.DoesNotExist`` otherwise."""
    document = GeneratedDocument.objects.select_related("template", "template_version", "created_by").get(
        pk=pk
    )
    if not permissions.can_view_document(user, document):
        raise GeneratedDocument.DoesNotExist
    return document


def document_events(*, document: GeneratedDocument, limit: int = 50) -> list[DocumentEvent]:
    return list(document.events.select_related("actor")[:limit])


@dataclass(frozen=True)
class PublicVerification:
    """Exactly what the public verification page may show, nothing more."""

    serial: str
    kind_label: str
    title_en: str
    title_zh: str
    issued_on: Any
    issuing_unit: str
    issuing_unit_zh: str
    valid_until: Any
    holder_masked: str
    sha256: str
    revoked: bool
    revoked_on: Any


def document_verify(*, serial: str, token: str) -> PublicVerification | None:
    """The public facts of the document with this serial number, or None when the serial or the token is wrong
    (both cases look the same to the caller, so the serial alone reveals nothing)."""
    document = (
        GeneratedDocument.objects.only(
            "serial",
            "token",
            "kind",
            "title_en",
            "title_zh",
            "issued_on",
            "issuing_unit",
            "issuing_unit_zh",
            "valid_until",
            "holder_name",
            "sha256",
            "revoked_at",
        )
        .filter(serial=serial)
        .first()
    )
    if document is None or not token or not constant_time_compare(document.token, token):
        return None
    return PublicVerification(
        serial=document.serial,
        kind_label=str(document.get_kind_display()),
        title_en=document.title_en,
        title_zh=document.title_zh,
        issued_on=document.issued_on,
        issuing_unit=document.issuing_unit,
        issuing_unit_zh=document.issuing_unit_zh,
        valid_until=document.valid_until,
        holder_masked=mask_name(document.holder_name),
        sha256=document.sha256,
        revoked=document.revoked_at is not None,
        revoked_on=document.revoked_at.date() if document.revoked_at else None,
    )


def template_list(*, user: Any) -> QuerySet[DocumentTemplate]:
    if not permissions.can_manage_templates(user):
        return DocumentTemplate.objects.none()
    return DocumentTemplate.objects.select_related("current_version", "current_version__created_by")
