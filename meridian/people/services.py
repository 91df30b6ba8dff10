"""Every change to person records, identity documents, scans, purposes and consent goes through here.

Reading protected data (a full document number, a scan) is a service too, because each read is written to
the access log (PIPL art. 51: measures to protect sensitive personal information; art. 55 impact records).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.accounts.models import User
from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError
from meridian.core.i18n import is_chinese
from meridian.core.text import clean_spaces, fold
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.people import permissions
from meridian.people.choices import AccessAction
from meridian.people.crypto import decrypt_bytes, encrypt_bytes, rotate_bytes
from meridian.people.models import (
    AccessLog,
    Consent,
    DataPurpose,
    DocumentScan,
    IdentityDocument,
    Person,
    Purpose,
)

# Fields a person edits on the person form; the stale-edit message compares these.
PERSON_FIELDS = [
    "kind", "family_name", "given_name", "name_zh", "gender", "birth_date", "birth_place", "nationality",
    "unit", "member_number", "email", "phone", "user",
]  # fmt: skip
DOCUMENT_FIELDS = ["kind", "number", "issuing_country", "issue_date", "expiry_date"]

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


def _acting(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _field_labels(model: type[models.Model], names: list[str]) -> str:
    return ", ".join(str(model._meta.get_field(n).verbose_name) for n in names)  # type: ignore[union-attr]


def _values(instance: models.Model, names: list[str]) -> dict[str, Any]:
    """The stored values (ids for relations) of the named fields, to tell what a change touched."""
    return {n: getattr(instance, cast(models.Field, instance._meta.get_field(n)).attname) for n in names}


# --- person records -------------------------------------------------------------------------------


def _normalise_person(person: Person) -> None:
    for name in ("family_name", "given_name", "name_zh", "birth_place", "member_number", "phone"):
        setattr(person, name, clean_spaces(getattr(person, name) or ""))
    person.email = (person.email or "").strip().lower()


def _validate_person(person: Person) -> None:
    """full_clean plus the rules of the domain; every problem is reported at once, per field."""
    errors: dict[str, list[str]] = {}
    try:
        person.full_clean()  # also turns strings into dates
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if isinstance(person.birth_date, date) and person.birth_date > timezone.localdate():
        errors.setdefault("birth_date", []).append(_("The date of birth lies in the future."))
    if errors:
        raise ValidationError(errors)


def similar_people(
    *,
    family_name: str,
    given_name: str,
    birth_date: date | None,
    nationality_id: str | None,
    exclude_pk: int | None = None,
) -> list[Person]:
    """People with the same Latin name (case and accents ignored), birth date and nationality.

    Returns an empty list when the birth date or the nationality is unknown: a bare name match says nothing.
    """
    if birth_date is None or not nationality_id:
        return []
    candidates = Person.objects.filter(
        birth_date=birth_date, nationality_id=nationality_id, purged_at__isnull=True
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    wanted = (fold(family_name), fold(given_name))
    return [p for p in candidates if (fold(p.family_name), fold(p.given_name)) == wanted]


def _warn_duplicate(person: Person, allow_duplicate: bool) -> None:
    if allow_duplicate:
        return
    found = similar_people(
        family_name=person.family_name,
        given_name=person.given_name,
        birth_date=person.birth_date,
        nationality_id=person.nationality_id,
        exclude_pk=person.pk,
    )
    if found:
        raise DuplicateError(
            _(
                "A person with the same name, date of birth and nationality is on record already (#%(id)s). "
                "Open that record, or confirm that this is a different person."
            )
            % {"id": found[0].pk},
            existing=found[0],
        )


def _check_unit(actor: User | None, unit_id: int | None) -> None:
    if actor is not None and not permissions.can_assign_unit(actor, unit_id):
        raise PermissionDeniedError(_("You may only record people of a unit you coordinate."))


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    allow_duplicate: bool = False,
    purposes: list[Purpose] | None = None,
    purpose_ends_on: date | None = None,
    **fields: Any,
) -> Person:
    """Create a person record from the fields in ``PERSON_FIELDS``.

    Raises ``PermissionDeniedError`` (role or unit), ``ValidationError`` (per field) and ``DuplicateError``
    when someone with the same name, birth date and nationality exists, unless ``allow_duplicate``.
    ``purposes`` record why the person's data is collected (they drive retention, see retention.py).
    """
    if actor is not None and not permissions.can_create_person(actor):
        raise PermissionDeniedError(_("You may not record people."))
    unknown = set(fields) - set(PERSON_FIELDS) - {f"{n}_id" for n in PERSON_FIELDS}
    if unknown:
        raise DomainError(_("Unknown person fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    person = Person(**fields)
    _check_unit(actor, person.unit_id)
    _normalise_person(person)
    _validate_person(person)
    _warn_duplicate(person, allow_duplicate)
    person.created_by = _acting(actor)
    person._history_user = _acting(actor)  # type: ignore[attr-defined]
    person.save()
    for purpose in purposes or []:
        DataPurpose.objects.create(person=person, purpose=purpose, ends_on=purpose_ends_on)
    # The activity stream is read widely: it names the record, never its personal data.
    activity_record(target=person, verb="created", actor=actor, message=lambda: _("Person record created"))
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    actor: User | None,
    expected_version: int | None = None,
    allow_duplicate: bool = False,
    **fields: Any,
) -> Person:
    """Change a person record; a save based on an older version raises ``StaleEditError`` (nothing saved).

    ``actor=None`` is the person themselves on the self-service page (the signed link is the permission).
    """
    if actor is not None and not permissions.can_edit_person(actor, person):
        raise PermissionDeniedError(_("You may not change this person's record."))
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.purged_at is not None:
        raise DomainError(_("This person's data was erased when its retention period ended."))
    ensure_fresh(instance=locked, expected_version=expected_version, fields=PERSON_FIELDS)
    before = _values(locked, PERSON_FIELDS)
    for name, value in fields.items():
        if name not in PERSON_FIELDS and name.removesuffix("_id") not in PERSON_FIELDS:
            raise DomainError(_("Unknown person field: %(name)s") % {"name": name})
        setattr(locked, name, value)
    if locked.unit_id != before["unit"]:
        _check_unit(actor, locked.unit_id)
    _normalise_person(locked)
    _validate_person(locked)
    _warn_duplicate(locked, allow_duplicate)
    after = _values(locked, PERSON_FIELDS)
    changed = [n for n in PERSON_FIELDS if after[n] != before[n]]
    if not changed:
        return locked
    bump_version(locked)
    locked._history_user = _acting(actor)  # type: ignore[attr-defined]
    locked.save()
    activity_record(
        target=locked,
        verb="updated",
        actor=actor,
        message=lambda: _("Changed %(fields)s") % {"fields": _field_labels(Person, changed)},
    )
    return locked


# --- purposes and consent -------------------------------------------------------------------------


def data_purpose_record(
    *, person: Person, purpose: Purpose, document: IdentityDocument | None = None, ends_on: date | None = None
) -> DataPurpose:
    """Record that the person's data (or one document) is held for ``purpose`` until ``ends_on``.

    An existing record for the same person, document and purpose is kept and its end date moved later.
    Case contexts call this when a case needs the data (a visit, a trip) with the case's last day.
    """
    existing = DataPurpose.objects.filter(person=person, document=document, purpose=purpose).first()
    if existing is None:
        return DataPurpose.objects.create(person=person, document=document, purpose=purpose, ends_on=ends_on)
    if ends_on is not None and (existing.ends_on is None or ends_on > existing.ends_on):
        existing.ends_on = ends_on
        existing.save(update_fields=["ends_on"])
    return existing


def consent_record(*, person: Person, purpose: Purpose, text_version: str, ip: str | None) -> Consent:
    """Store that the person agreed to the consent text ``text_version`` for ``purpose`` (PIPL art. 14, 29).

    Raises ``DomainError`` for an unknown text version.
    """
    from meridian.people.consent import TEXTS

    if text_version not in TEXTS:
        raise DomainError(_("Unknown consent text version."))
    consent = Consent.objects.create(person=person, purpose=purpose, text_version=text_version, ip_address=ip)
    activity_record(
        target=person,
        verb="consent",
        actor=None,
        message=lambda: (
            _("Consent given for %(purpose)s (text %(version)s)")
            % {"purpose": purpose.name_zh if is_chinese() else purpose.name_en, "version": text_version}
        ),
    )
    return consent


# --- identity documents ---------------------------------------------------------------------------


def _validate_document(document: IdentityDocument) -> None:
    errors: dict[str, list[str]] = {}
    document.number = "".join((document.number or "").split()).upper()
    try:
        document.full_clean(exclude=["person"])  # also turns strings into dates
    except ValidationError as exc:
        errors.update(exc.message_dict)
    issued, expires = document.issue_date, document.expiry_date
    if isinstance(issued, date) and isinstance(expires, date) and issued > expires:
        errors.setdefault("expiry_date", []).append(_("The date of expiry lies before the date of issue."))
    if isinstance(issued, date) and issued > timezone.localdate():
        errors.setdefault("issue_date", []).append(_("The date of issue lies in the future."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def identity_document_create(
    *,
    person: Person,
    actor: User | None,
    purposes: list[Purpose],
    purpose_ends_on: date | None = None,
    scan: UploadedFile | None = None,
    **fields: Any,
) -> IdentityDocument:
    """Add an identity document (fields of ``DOCUMENT_FIELDS``), optionally with a first scan, all or nothing.

    The number is stored encrypted. At least one purpose is required: data is collected only for a stated
    purpose (PIPL art. 6), and the purposes decide when the document is purged. Raises
    ``PermissionDeniedError``, ``ValidationError`` and, for a refused scan, ``DomainError`` (see
    ``document_scan_add``).
    """
    if actor is not None and not permissions.can_manage_documents(actor, person):
        raise PermissionDeniedError(_("You may not add identity documents to this person's record."))
    if not purposes:
        raise ValidationError({"purposes": [_("Say for which purpose the document is collected.")]})
    unknown = set(fields) - set(DOCUMENT_FIELDS) - {f"{n}_id" for n in DOCUMENT_FIELDS}
    if unknown:
        raise DomainError(_("Unknown document fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    document = IdentityDocument(person=person, created_by=_acting(actor), **fields)
    _validate_document(document)
    document.save()
    for purpose in purposes:
        data_purpose_record(person=person, purpose=purpose, document=document, ends_on=purpose_ends_on)
    if scan is not None:
        document_scan_add(document=document, actor=actor, uploaded_file=scan)
    activity_record(
        target=person,
        verb="document",
        actor=actor,
        message=lambda: _("Identity document added: %(kind)s") % {"kind": document.get_kind_display()},
    )
    return document


@transaction.atomic
def identity_document_update(
    *, document: IdentityDocument, actor: User | None, expected_version: int | None = None, **fields: Any
) -> IdentityDocument:
    """Change a document's type, number, issuer or dates; a stale save raises ``StaleEditError``."""
    if actor is not None and not permissions.can_manage_documents(actor, document.person):
        raise PermissionDeniedError(_("You may not change this person's identity documents."))
    locked = IdentityDocument.objects.select_for_update().get(pk=document.pk)
    ensure_fresh(instance=locked, expected_version=expected_version, fields=DOCUMENT_FIELDS)
    before = _values(locked, DOCUMENT_FIELDS)
    for name, value in fields.items():
        if name not in DOCUMENT_FIELDS and name.removesuffix("_id") not in DOCUMENT_FIELDS:
            raise DomainError(_("Unknown document field: %(name)s") % {"name": name})
        setattr(locked, name, value)
    _validate_document(locked)
    after = _values(locked, DOCUMENT_FIELDS)
    changed = [n for n in DOCUMENT_FIELDS if after[n] != before[n]]
    if not changed:
        return locked
    bump_version(locked)
    locked.save()
    activity_record(
        target=locked.person,
        verb="document",
        actor=actor,
        message=lambda: (
            _("%(kind)s changed: %(fields)s")
            % {"kind": locked.get_kind_display(), "fields": _field_labels(IdentityDocument, changed)}
        ),
    )
    return locked


def _delete_scan_files(document: IdentityDocument) -> int:
    count = 0
    for scan in document.scans.all():
        scan.file.delete(save=False)
        count += 1
    return count


@transaction.atomic
def identity_document_delete(*, document: IdentityDocument, actor: User | None) -> None:
    """Delete a document with its scans (files included); the audit entry names only its type."""
    if actor is not None and not permissions.can_manage_documents(actor, document.person):
        raise PermissionDeniedError(_("You may not delete this person's identity documents."))
    person, kind = document.person, document.get_kind_display()
    files = _delete_scan_files(document)
    document.delete()
    activity_record(
        target=person,
        verb="document",
        actor=actor,
        message=lambda: (
            _("Identity document deleted: %(kind)s (%(files)s scan files)") % {"kind": kind, "files": files}
        ),
    )


def detect_scan_type(uploaded_file: UploadedFile) -> str | None:
    """The content type read from the first bytes: PDF, JPEG or PNG; None for anything else."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


@transaction.atomic
def document_scan_add(
    *, document: IdentityDocument, actor: User | None, uploaded_file: UploadedFile
) -> DocumentScan:
    """Encrypt and store a scan (PDF, JPEG or PNG, judged by its content, at most PERSONAL_SCAN_MAX_MB).

    Raises ``DomainError`` with code ``invalid_file``, ``too_large`` or ``invalid_file_type``; nothing is
    stored then. ``actor=None`` is the holder on the self-service page.
    """
    if actor is not None and not permissions.can_manage_documents(actor, document.person):
        raise PermissionDeniedError(_("You may not add scans to this person's identity documents."))
    limit_mb = settings.PERSONAL_SCAN_MAX_MB
    if not uploaded_file.size:
        raise DomainError(_("The file is empty."), code="invalid_file")
    if uploaded_file.size > limit_mb * 1024 * 1024:
        raise DomainError(
            _("The scan is larger than the limit of %(mb)s MB.") % {"mb": limit_mb}, code="too_large"
        )
    content_type = detect_scan_type(uploaded_file)
    if content_type is None:
        raise DomainError(
            _("A scan must be a PDF, JPEG or PNG file; this file is none of them, whatever its name says."),
            code="invalid_file_type",
        )
    data = b"".join(uploaded_file.chunks())
    scan = DocumentScan(
        document=document,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=_acting(actor),
    )
    scan.file.save(f"{secrets.token_hex(16)}.enc", ContentFile(encrypt_bytes(data)), save=False)
    try:
        scan.save()
    except Exception:
        scan.file.delete(save=False)
        raise
    activity_record(
        target=document.person,
        verb="document",
        actor=actor,
        message=lambda: _("Scan added to %(kind)s") % {"kind": document.get_kind_display()},
    )
    return scan


# --- reading protected data (always logged) -------------------------------------------------------


def access_log_record(
    *,
    actor: User | None,
    action: str,
    person: Person | None = None,
    document: IdentityDocument | None = None,
    purpose: str = "",
    ip: str | None = None,
) -> AccessLog:
    """Write one access-log entry (``action`` is an ``AccessAction``); returns it. Never raises on content."""
    if document is not None and person is None:
        person = document.person
    user = _acting(actor)
    return AccessLog.objects.create(
        user=user,
        username=user.get_username() if user is not None else "",
        action=action,
        person=person,
        person_ref=person.pk if person is not None else None,
        document_ref=document.pk if document is not None else None,
        document_kind=document.kind if document is not None else "",
        purpose=clean_spaces(purpose)[:300],
        ip_address=ip or None,
    )


def identity_documents_viewed(
    *, documents: list[IdentityDocument], actor: User | None, ip: str | None, purpose: str = ""
) -> None:
    """Log that ``actor`` saw these documents with masked numbers (one entry per document).

    ``actor=None`` is the holder on the self-service page.
    """
    user = _acting(actor)
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=user,
                username=user.get_username() if user is not None else "",
                action=AccessAction.VIEW,
                person_id=d.person_id,
                person_ref=d.person_id,
                document_ref=d.pk,
                document_kind=d.kind,
                purpose=purpose[:300],
                ip_address=ip or None,
            )
            for d in documents
        ]
    )


def _require_purpose(purpose: str) -> str:
    purpose = clean_spaces(purpose)
    if not purpose:
        raise ValidationError({"purpose": [_("Say why you need to see this.")]})
    return purpose


@transaction.atomic
def identity_document_reveal(*, document: IdentityDocument, actor: User, purpose: str, ip: str | None) -> str:
    """The full document number, for ``actor`` with a stated ``purpose``; the read is logged first.

    Raises ``PermissionDeniedError`` when the actor may not see the person's documents and
    ``ValidationError`` when no purpose is given.
    """
    if not permissions.can_view_documents(actor, document.person):
        raise PermissionDeniedError(_("You may not see this person's identity documents."))
    purpose = _require_purpose(purpose)
    access_log_record(actor=actor, action=AccessAction.UNMASK, document=document, purpose=purpose, ip=ip)
    return document.number


@transaction.atomic
def document_scan_open(*, scan: DocumentScan, actor: User, purpose: str, ip: str | None) -> bytes:
    """The decrypted bytes of a scan for ``actor`` with a stated ``purpose``; the download is logged.

    Raises ``PermissionDeniedError``, ``ValidationError`` (no purpose), ``FileNotFoundError`` (file gone)
    and ``PersonalDataKeyError`` when no configured key decrypts it.
    """
    document = scan.document
    if not permissions.can_view_documents(actor, document.person):
        raise PermissionDeniedError(_("You may not see this person's identity documents."))
    purpose = _require_purpose(purpose)
    with scan.file.open("rb") as handle:
        data = decrypt_bytes(handle.read())
    access_log_record(actor=actor, action=AccessAction.DOWNLOAD, document=document, purpose=purpose, ip=ip)
    return data


# --- key rotation ---------------------------------------------------------------------------------


def personal_data_rotate_key(*, batch_size: int = 500) -> tuple[int, int]:
    """Re-encrypt every document number and scan with the newest key; returns (numbers, scans).

    Safe to interrupt and run again: each row and file is rewritten on its own, and data already under the
    newest key is simply rewritten under it again. Raises ``PersonalDataKeyError`` when a record was written
    with a key no longer configured.
    """
    numbers = scans = 0
    for document in IdentityDocument.objects.only("pk", "number").iterator(chunk_size=batch_size):
        # Reading decrypts with whichever key fits; the update encrypts with the first key.
        IdentityDocument.objects.filter(pk=document.pk).update(number=document.number)
        numbers += 1
    storage_scans = DocumentScan.objects.select_related("document").iterator(chunk_size=batch_size)
    for scan in storage_scans:
        storage, old_name = scan.file.storage, scan.file.name or ""
        with storage.open(old_name, "rb") as handle:
            token = handle.read()
        rotated = rotate_bytes(token)
        # Write beside the old file, then swap, so a crash never leaves a half-written scan.
        new_name = storage.save(
            f"people/{scan.document.person_id}/{secrets.token_hex(16)}.enc", ContentFile(rotated)
        )
        DocumentScan.objects.filter(pk=scan.pk).update(file=new_name)
        storage.delete(old_name)
        scans += 1
    return numbers, scans
