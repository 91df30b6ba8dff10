"""Every write of generated documents: templates and their versions, generating, revoking, the access log."""

from __future__ import annotations

import re
import secrets
import string
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.documents import permissions
from meridian.documents.choices import (
    OUTPUT_LANGUAGES,
    DocumentEventKind,
    DocumentFormat,
    TemplateKind,
    TemplateLanguages,
)
from meridian.documents.models import (
    DocumentEvent,
    DocumentTemplate,
    DocumentTemplateVersion,
    GeneratedDocument,
    SerialCounter,
)
from meridian.documents.rendering import (
    TemplateProblem,
    check_body,
    html_to_pdf,
    looks_like_docx,
    qr_svg_data_uri,
    render_body,
    render_docx,
    sha256_hex,
)
from meridian.documents.sources import DOCUMENT_FIELDS, DocumentSource, sources


class DocumentError(DomainError):
    code = "document_error"


class DocumentRefusedError(DocumentError):
    """The user may generate documents for the case, but not this template now; ``message`` says why (the
    source's ``refusal``)."""

    code = "document_refused"


# --- serial numbers -------------------------------------------------------------------------------

_SERIAL_FIELDS = {"year", "code", "seq"}
_SERIAL_LITERAL = re.compile(r"^[A-Za-z0-9._-]*$")
_SEQ_SPEC = re.compile(r"^0?[1-9]?d?$")


def serial_pattern_check(pattern: str) -> None:
    """Refuse a serial scheme other than literal letters, digits, ``.``, ``_``, ``-`` and the placeholders
    ``{year}``, ``{code}``, ``{seq}`` (optionally ``{seq:05d}``); ``{seq}`` is required.

    Raises ``DocumentError`` with the reason.
    """
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise DocumentError(_("The serial number scheme is not valid: %(error)s") % {"error": exc}) from exc
    seen: set[str] = set()
    for literal, name, spec, conversion in parts:
        if not _SERIAL_LITERAL.match(literal):
            raise DocumentError(
                _("A serial number may contain only letters, digits, dots, hyphens and underscores.")
            )
        if name is None:
            continue
        if (
            name not in _SERIAL_FIELDS
            or conversion
            or (spec and (name != "seq" or not _SEQ_SPEC.match(spec)))
        ):
            raise DocumentError(
                _("Unknown placeholder {%(name)s} in the serial number scheme; use {year}, {code} and {seq}.")
                % {"name": name + (f":{spec}" if spec else "")}
            )
        seen.add(name)
    if "seq" not in seen:
        raise DocumentError(_("The serial number scheme must contain {seq}."))


def _format_serial(template: DocumentTemplate, year: int, seq: int) -> str:
    return template.serial_pattern.format(year=year, code=template.serial_code, seq=seq)


def _next_serial(template: DocumentTemplate, issued_on: date) -> str:
    """Reserve the next serial number of ``template`` (call inside a transaction; the counter row is locked by
    the UPDATE until commit, so two concurrent generations never get the same number)."""
    year = issued_on.year if "{year" in template.serial_pattern else 0
    counter, _created = SerialCounter.objects.get_or_create(template=template, year=year)
    for _attempt in range(1000):
        SerialCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        seq = SerialCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
        serial = _format_serial(template, issued_on.year, seq)
        # A scheme changed by an administrator could repeat an older serial: skip numbers already used.
        if not GeneratedDocument.objects.filter(serial=serial).exists():
            return serial
    raise DocumentError(
        _("No free serial number is left for this template; change its serial number scheme.")
    )


# --- templates ------------------------------------------------------------------------------------


def _source(key: str) -> DocumentSource:
    try:
        return sources.get(key)
    except KeyError as exc:
        raise DocumentError(_("Unknown case type: %(key)s.") % {"key": key}) from exc


def document_sample_fields() -> dict[str, Any]:
    """The ``document`` fields with example values, as every template sees them."""
    return {f.name.split(".", 1)[1]: str(f.example) for f in DOCUMENT_FIELDS}


def template_sample_context(source: DocumentSource) -> dict[str, Any]:
    """The example context an edited template must render against: the source's sample plus ``document``."""
    return {**source.sample(), "document": document_sample_fields()}


def _check_content(
    *, template: DocumentTemplate, source: DocumentSource, bodies: dict[str, str], docx: bytes | None
) -> dict[str, str]:
    sample = template_sample_context(source)
    if template.fmt == DocumentFormat.DOCX:
        if template.languages == TemplateLanguages.TWINS:
            raise DocumentError(_("A DOCX template holds one language or both side by side, not two twins."))
        if docx is None:
            raise DocumentError(_("Upload the DOCX template."))
        if len(docx) > settings.MAX_UPLOAD_MB * 1024 * 1024:
            raise DocumentError(_("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB})
        if not looks_like_docx(docx):
            raise DocumentError(_("The file is not a Word document (DOCX)."))
        try:
            render_docx(template=docx, context=sample)
        except TemplateProblem as exc:
            raise DocumentError(exc.message) from exc
        return {}
    cleaned: dict[str, str] = {}
    for language in template.output_languages():
        body = (bodies.get(language) or "").replace("\r\n", "\n")
        try:
            check_body(body, sample)
        except TemplateProblem as exc:
            label = dict(_language_labels())[language]
            raise DocumentError(f"{label}: {exc.message}") from exc
        cleaned[language] = body
    return cleaned


def _language_labels() -> list[tuple[str, str]]:
    return [("en", _("English text")), ("zh", _("Chinese text")), ("bilingual", _("Bilingual text"))]


@transaction.atomic
def document_template_create(
    *,
    actor: Any,
    code: str,
    source: str,
    name_en: str,
    name_zh: str = "",
    kind: str,
    languages: str,
    fmt: str = DocumentFormat.PDF,
    serial_code: str = "",
    serial_pattern: str = "{year}-{code}-{seq:05d}",
    has_validity: bool = False,
    bodies: dict[str, str] | None = None,
    docx: bytes | None = None,
    comment: str = "",
    check_actor: bool = True,
) -> DocumentTemplate:
    """Create a template of ``source`` with its first version.

    ``bodies`` maps each output language of ``languages`` ("en", "zh", "bilingual") to an HTML template body
    (PDF formats); ``docx`` is the DOCX template (DOCX formats). Raises ``PermissionDeniedError`` for
    non-administrators and ``DocumentError`` for an unknown source, a duplicate code, a bad serial scheme or a
    template that does not render against the source's documented fields (nothing is stored then).
    """
    if check_actor and not permissions.can_manage_templates(actor):
        raise PermissionDeniedError(_("Only administrators may edit document templates."))
    src = _source(source)
    if DocumentTemplate.objects.filter(code=code).exists():
        raise DocumentError(_("A template with the code %(code)s exists already.") % {"code": code})
    if (
        kind not in TemplateKind.values
        or languages not in TemplateLanguages.values
        or fmt not in DocumentFormat.values
    ):
        raise DocumentError(_("Choose a kind, languages and a format from the lists."))
    serial_code = (serial_code or code).upper()[:12]
    serial_pattern_check(serial_pattern)
    template = DocumentTemplate(
        code=code,
        source=source,
        name_en=name_en,
        name_zh=name_zh,
        kind=kind,
        languages=languages,
        fmt=fmt,
        serial_code=serial_code,
        serial_pattern=serial_pattern,
        has_validity=has_validity,
    )
    template.full_clean(exclude=["current_version"])
    cleaned = _check_content(template=template, source=src, bodies=bodies or {}, docx=docx)
    template.save()
    _store_version(template=template, actor=actor, bodies=cleaned, docx=docx, comment=comment, number=1)
    return template


def _store_version(
    *,
    template: DocumentTemplate,
    actor: Any,
    bodies: dict[str, str],
    docx: bytes | None,
    comment: str,
    number: int,
) -> DocumentTemplateVersion:
    version = DocumentTemplateVersion(
        template=template,
        number=number,
        bodies=bodies,
        comment=comment[:300],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if docx is not None:
        version.docx.save(f"v{number}.docx", ContentFile(docx), save=False)
    version.save()
    template.current_version = version
    template.save(update_fields=["current_version"])
    return version


@transaction.atomic
def document_template_save_version(
    *,
    template: DocumentTemplate,
    actor: Any,
    bodies: dict[str, str] | None = None,
    docx: bytes | None = None,
    comment: str = "",
) -> DocumentTemplateVersion:
    """Save a new version of ``template`` (older versions stay readable and documents keep theirs).

    For DOCX templates without a new file the current file is kept. Raises ``PermissionDeniedError`` for
    non-administrators and ``DocumentError`` when the text is invalid (syntax error, unknown field, unsafe
    construct) or nothing changed; nothing is stored then.
    """
    if not permissions.can_manage_templates(actor):
        raise PermissionDeniedError(_("Only administrators may edit document templates."))
    template = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
    current = template.current_version
    if docx is None and current is not None and current.docx and template.fmt == DocumentFormat.DOCX:
        with current.docx.open("rb") as handle:
            kept = handle.read()
        cleaned = _check_content(template=template, source=_source(template.source), bodies={}, docx=kept)
        raise_if_same = True
    else:
        kept = None
        cleaned = _check_content(
            template=template, source=_source(template.source), bodies=bodies or {}, docx=docx
        )
        raise_if_same = docx is None
    if raise_if_same and current is not None and current.bodies == cleaned:
        raise DocumentError(_("Nothing has changed since version %(number)s.") % {"number": current.number})
    number = (template.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    return _store_version(
        template=template,
        actor=actor,
        bodies=cleaned,
        docx=docx if docx is not None else kept,
        comment=comment,
        number=number,
    )


@transaction.atomic
def document_template_update(
    *,
    template: DocumentTemplate,
    actor: Any,
    name_en: str,
    name_zh: str,
    serial_pattern: str,
    has_validity: bool,
    is_active: bool,
) -> DocumentTemplate:
    """Change a template's names, serial scheme, validity and whether it is offered (not its text).

    Raises ``PermissionDeniedError`` for non-administrators and ``DocumentError`` for a bad serial scheme.
    """
    if not permissions.can_manage_templates(actor):
        raise PermissionDeniedError(_("Only administrators may edit document templates."))
    serial_pattern_check(serial_pattern)
    template = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
    template.name_en, template.name_zh = name_en, name_zh
    template.serial_pattern, template.has_validity, template.is_active = (
        serial_pattern,
        has_validity,
        is_active,
    )
    template.full_clean(exclude=["current_version"])
    template.save()
    return template


def document_templates_install_defaults() -> list[DocumentTemplate]:
    """Install every registered source's default templates that do not exist yet (by code); never overwrites.

    Idempotent: runs after every ``migrate`` and may run any number of times. Returns the templates created.
    """
    created = []
    for source in sources:
        for default in source.defaults:
            if DocumentTemplate.objects.filter(code=default.code).exists():
                continue
            created.append(
                document_template_create(
                    actor=None,
                    check_actor=False,
                    code=default.code,
                    source=source.key,
                    name_en=default.name_en,
                    name_zh=default.name_zh,
                    kind=default.kind,
                    languages=default.languages,
                    fmt=default.fmt,
                    serial_code=default.serial_code,
                    serial_pattern=default.serial_pattern,
                    has_validity=default.validity,
                    bodies=default.bodies(),
                    docx=default.docx() if default.docx else None,
                    comment="Installed default",
                )
            )
    return created


# --- generating -----------------------------------------------------------------------------------


def _active_template(code: str) -> DocumentTemplate:
    template = (
        DocumentTemplate.objects.select_related("current_version").filter(code=code, is_active=True).first()
    )
    if template is None or template.current_version is None:
        raise DocumentError(_("There is no active document template %(code)s.") % {"code": code})
    return template


def document_generate(
    *,
    template_code: str,
    subject: models.Model,
    actor: Any,
    language: str | None = None,
    fmt: str | None = None,
    valid_until: date | None = None,
) -> GeneratedDocument:
    """Generate a document for ``subject`` (a case) from the current version of template ``template_code``.

    ``language`` is one of the template's output languages ("en", "zh", "bilingual"; None = its first);
    ``fmt`` must be the template's format ("pdf" or "docx"; None = it). ``valid_until`` overrides the source's
    validity for templates that have one. The file is stored privately with its SHA-256 and a serial number
    from the template's scheme, and carries a QR code with the public verification address.

    Raises ``PermissionDeniedError`` when the source's ``can_generate(actor, subject)`` refuses;
    ``DocumentRefusedError`` (a ``DocumentError``) with the source's reason when, after that, its
    ``refusal(actor, subject, template_code)`` refuses this template now (the case's state, missing data);
    ``DocumentError`` for an unknown or inactive template, a template of another case type, a language or
    format the template does not offer, or a template that fails on this case's data. Nothing is stored when
    it raises. The case's fields come from the source's ``generation_context`` when it has one.
    """
    template = _active_template(template_code)
    source = _source(template.source)
    if not isinstance(subject, source.model()) or subject.pk is None:
        raise DocumentError(_("This template is not for this kind of case."))
    if not source.can_generate(actor, subject):
        raise PermissionDeniedError(_("You may not generate documents for this case."))
    reason = source.refusal(actor, subject, template.code)
    if reason:
        raise DocumentRefusedError(str(reason))
    language = language or template.output_languages()[0]
    if language not in OUTPUT_LANGUAGES[template.languages]:
        raise DocumentError(_("This template is not available in that language."))
    if fmt is not None and fmt != template.fmt:
        raise DocumentError(_("This template produces %(fmt)s files.") % {"fmt": template.get_fmt_display()})
    version = template.current_version
    assert version is not None  # _active_template guarantees it
    issued_on = timezone.localdate()
    # Only templates marked as having a validity print one; the case gives it unless the caller does.
    valid_until = (valid_until or source.valid_until(subject)) if template.has_validity else None
    unit_en, unit_zh = source.issuing_unit(subject)
    holder = source.holder_name(subject)
    if source.generation_context is not None:
        case_context = source.generation_context(subject, template.code, actor)
    else:
        case_context = source.context(subject)
    stored = None
    try:
        with transaction.atomic():
            document = GeneratedDocument(
                serial=_next_serial(template, issued_on),
                token=secrets.token_urlsafe(24),
                source=source.key,
                template=template,
                template_version=version,
                kind=template.kind,
                title_en=template.name_en,
                title_zh=template.name_zh,
                language=language,
                fmt=template.fmt,
                issued_on=issued_on,
                valid_until=valid_until,
                issuing_unit=unit_en[:200],
                issuing_unit_zh=unit_zh[:200],
                holder_name=holder[:300],
                content_type_id=_content_type_id(subject),
                object_id=subject.pk,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
            data = _render(template=template, version=version, document=document, case_context=case_context)
            document.sha256 = sha256_hex(data)
            document.size = len(data)
            document.file.save(document.filename, ContentFile(data), save=False)
            stored = document.file.name
            document.save()
            DocumentEvent.objects.create(
                document=document, kind=DocumentEventKind.GENERATED, actor=document.created_by
            )
            activity_record(
                target=subject,
                verb="document_generated",
                actor=actor,
                message=lambda: (
                    _("Generated %(title)s, serial number %(serial)s")
                    % {"title": template.name, "serial": document.serial}
                ),
            )
    except IntegrityError as exc:
        _discard(stored)
        raise DocumentError(_("The document could not be stored; please try again.")) from exc
    except Exception:
        _discard(stored)
        raise
    return document


def _discard(name: str | None) -> None:
    if name:
        from meridian.documents.models import private_storage

        private_storage().delete(name)


def _content_type_id(subject: models.Model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(subject).pk


def _render(
    *,
    template: DocumentTemplate,
    version: DocumentTemplateVersion,
    document: GeneratedDocument,
    case_context: dict[str, Any],
) -> bytes:
    verify_url = document.verify_url
    fields = {
        "serial": document.serial,
        "issued_on": document.issued_on.isoformat(),
        "valid_until": document.valid_until.isoformat() if document.valid_until else "",
        "issuing_unit": document.issuing_unit,
        "issuing_unit_zh": document.issuing_unit_zh,
        "holder_name": document.holder_name,
        "language": document.language,
        "title": document.title_en,
        "title_zh": document.title_zh,
        "verify_url": verify_url,
    }
    context = {**case_context, "document": fields}
    verify_line = _verify_line(document)
    try:
        if template.fmt == DocumentFormat.DOCX:
            with version.docx.open("rb") as handle:
                source_docx = handle.read()
            return render_docx(
                template=source_docx,
                context=context,
                verify_line=f"{verify_line}\n{verify_url}",
                url=verify_url,
            )
        body = render_body(version.bodies.get(document.language, ""), context)
    except TemplateProblem as exc:
        raise DocumentError(
            _("The template %(code)s cannot be filled in for this case: %(error)s")
            % {"code": template.code, "error": exc.message}
        ) from exc
    meta = {
        "title": document.title_zh if document.language == "zh" and document.title_zh else document.title_en,
        "language": document.language,
        "serial": document.serial,
        "verify_url": verify_url,
        "verify_line": verify_line,
        "qr": qr_svg_data_uri(verify_url),
        "issuing_unit": document.issuing_unit,
        "issuing_unit_zh": document.issuing_unit_zh,
    }
    return html_to_pdf(body_html=body, meta=meta)


def _verify_line(document: GeneratedDocument) -> str:
    """The line printed beside the QR code (the address itself follows it on its own line)."""
    lines = {
        "zh": f"编号 {document.serial} · 扫描二维码或访问以下地址验证本文件",
        "en": f"Serial number {document.serial} · scan the QR code or open this address to verify "
        "this document",
    }
    if document.language in lines:
        return lines[document.language]
    return lines["zh"] + "\n" + lines["en"]


@transaction.atomic
def document_revoke(*, document: GeneratedDocument, actor: Any, reason: str) -> GeneratedDocument:
    """Revoke a document: the public verification page then says it is revoked (the file stays stored).

    Raises ``PermissionDeniedError`` unless ``actor`` is an officer or administrator who may view the
    document, and ``DocumentError`` when the reason is empty or the document is revoked already.
    """
    reason = reason.strip()
    if not reason:
        raise DocumentError(_("Give the reason for revoking the document."))
    document = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
    if document.is_revoked:
        raise DocumentError(_("This document is revoked already."))
    if not permissions.can_revoke_document(actor, document):
        raise PermissionDeniedError(_("You may not revoke this document."))
    document.revoked_at = timezone.now()
    document.revoked_by = actor
    document.revoke_reason = reason
    document.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    DocumentEvent.objects.create(
        document=document, kind=DocumentEventKind.REVOKED, actor=actor, detail=reason[:300]
    )
    subject = document.subject
    if subject is not None:
        activity_record(
            target=subject,
            verb="document_revoked",
            actor=actor,
            comment=reason,
            message=lambda: _("Revoked document %(serial)s") % {"serial": document.serial},
        )
    return document


def document_download_record(*, document: GeneratedDocument, actor: Any) -> DocumentEvent:
    """Write a download to the document's access log (call after the permission check, before serving)."""
    return DocumentEvent.objects.create(
        document=document,
        kind=DocumentEventKind.DOWNLOADED,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def document_preview(*, template: DocumentTemplate, version: DocumentTemplateVersion, language: str) -> bytes:
    """Render ``version`` of ``template`` with the source's example data, marked as a preview; stores nothing.

    Raises ``DocumentError`` when the language is not offered or the template fails on the example data.
    """
    if language not in template.output_languages():
        raise DocumentError(_("This template is not available in that language."))
    source = _source(template.source)
    sample = document_sample_fields()
    document = GeneratedDocument(
        serial="PREVIEW",
        token="preview",
        template=template,
        kind=template.kind,
        title_en=template.name_en,
        title_zh=template.name_zh,
        language=language,
        fmt=template.fmt,
        issued_on=timezone.localdate(),
        issuing_unit=sample["issuing_unit"],
        issuing_unit_zh=sample["issuing_unit_zh"],
        holder_name=sample["holder_name"],
    )
    return _render(template=template, version=version, document=document, case_context=source.sample())
