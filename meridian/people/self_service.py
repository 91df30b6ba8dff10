"""Guests enter their own data through a signed, expiring link, after consenting to a versioned statement.

An officer issues the link from the person page (``self_service_link_issue``). The token is signed with
Django's signing framework (HMAC with SECRET_KEY, salted), names the person, the purpose and the person's
current link nonce, and expires after ``SELF_SERVICE_LINK_DAYS``. Revoking changes the nonce, which voids
every link issued before.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from meridian.accounts.models import User
from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.people import permissions
from meridian.people.models import IdentityDocument, Person, Purpose
from meridian.people.services import (
    consent_record,
    data_purpose_record,
    document_scan_add,
    identity_document_create,
    identity_document_update,
    person_update,
)

SALT = "meridian.people.self-service"
# What a guest may change about themselves; unit, kind, numbers and the account link stay with the office.
GUEST_FIELDS = [
    "family_name", "given_name", "name_zh", "gender", "birth_date", "birth_place", "nationality", "email",
    "phone",
]  # fmt: skip


@dataclass(frozen=True)
class SelfServiceGrant:
    """What a valid link allows: this person, for this purpose."""

    person: Person
    purpose: Purpose


def _max_age() -> int:
    return settings.SELF_SERVICE_LINK_DAYS * 24 * 3600


@transaction.atomic
def self_service_link_issue(*, person: Person, purpose: Purpose, actor: User) -> str:
    """A link path (``/people/self-service/<token>/``) valid for SELF_SERVICE_LINK_DAYS days.

    Raises ``PermissionDeniedError`` when the actor may not edit the person or the person signs in
    (people with an account do not need a link).
    """
    if not permissions.can_issue_self_service_link(actor, person):
        raise PermissionDeniedError(_("You may not issue a self-service link for this person."))
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if not locked.self_service_nonce:
        locked.self_service_nonce = secrets.token_hex(8)
        locked.save(update_fields=["self_service_nonce"])
    token = signing.dumps({"p": locked.pk, "n": locked.self_service_nonce, "u": purpose.code}, salt=SALT)
    activity_record(
        target=locked,
        verb="self_service",
        actor=actor,
        message=lambda: (
            _("Self-service link issued, valid for %(days)s days") % {"days": settings.SELF_SERVICE_LINK_DAYS}
        ),
    )
    return reverse("people:self_service", args=[token])


@transaction.atomic
def self_service_links_revoke(*, person: Person, actor: User) -> None:
    """Void every self-service link issued for the person so far."""
    if not permissions.can_edit_person(actor, person):
        raise PermissionDeniedError(_("You may not change this person's record."))
    Person.objects.filter(pk=person.pk).update(self_service_nonce=secrets.token_hex(8))
    activity_record(
        target=person, verb="self_service", actor=actor, message=lambda: _("Self-service links revoked")
    )


def self_service_grant(token: str) -> SelfServiceGrant | None:
    """The person and purpose a token grants, or None when it is forged, expired or revoked."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=_max_age())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int):
        return None
    person = Person.objects.filter(pk=payload["p"], purged_at__isnull=True).first()
    purpose = Purpose.objects.filter(code=payload.get("u")).first()
    if person is None or purpose is None or not person.self_service_nonce:
        return None
    if not secrets.compare_digest(person.self_service_nonce, str(payload.get("n", ""))):
        return None
    return SelfServiceGrant(person=person, purpose=purpose)


def _matching_document(person: Person, kind: str, number: str) -> IdentityDocument | None:
    wanted = "".join(number.split()).upper()
    for document in person.documents.filter(kind=kind):
        if document.number == wanted:
            return document
    return None


@transaction.atomic
def self_service_submit(
    *,
    grant: SelfServiceGrant,
    consent_version: str,
    ip: str | None,
    expected_version: int | None,
    person_fields: dict[str, Any],
    document_fields: dict[str, Any] | None = None,
    scan: UploadedFile | None = None,
    purpose_ends_on: date | None = None,
) -> Person:
    """Record the consent, then the guest's own data, document and scan, all or nothing.

    ``person_fields`` may hold only ``GUEST_FIELDS``; ``document_fields`` (kind, number, issuing_country,
    issue_date, expiry_date) updates the document of that type and number when the person has it, else adds
    one. Raises ``DomainError`` (no consent or unknown text), ``ValidationError`` and ``StaleEditError``.
    """
    if not consent_version:
        raise DomainError(_("Please read the consent statement and tick the box to agree."))
    extra = set(person_fields) - set(GUEST_FIELDS)
    if extra:
        raise DomainError(_("Unknown person fields: %(names)s") % {"names": ", ".join(sorted(extra))})
    person, purpose = grant.person, grant.purpose
    consent_record(person=person, purpose=purpose, text_version=consent_version, ip=ip)
    # The guest is not a duplicate of someone else just because they typed their own data.
    person = person_update(
        person=person, actor=None, expected_version=expected_version, allow_duplicate=True, **person_fields
    )
    data_purpose_record(person=person, purpose=purpose, ends_on=purpose_ends_on)
    if document_fields and document_fields.get("number"):
        document = _matching_document(person, document_fields["kind"], document_fields["number"])
        if document is None:
            identity_document_create(
                person=person,
                actor=None,
                purposes=[purpose],
                purpose_ends_on=purpose_ends_on,
                scan=scan,
                **document_fields,
            )
        else:
            document = identity_document_update(document=document, actor=None, **document_fields)
            data_purpose_record(person=person, purpose=purpose, document=document, ends_on=purpose_ends_on)
            if scan is not None:
                document_scan_add(document=document, actor=None, uploaded_file=scan)
    elif scan is not None:
        raise DomainError(_("Enter the document's number with its scan."))
    return person
