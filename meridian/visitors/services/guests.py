"""Guests' self-service: personal expiring links, the data a guest enters, the office's lock, the checks.

The link (no account needed) is a token signed with Django's signing framework (HMAC with SECRET_KEY, own
salt) that names the ``VisitGuest`` and its ``link_nonce``; it expires after ``VISITORS_GUEST_LINK_DAYS``
calendar days (default 30). Issuing a link draws a new nonce, so only the newest link of a guest works;
revoking clears the nonce, so none does. What the guest enters goes through the people services (consent,
person data, passport and its scan: ``people.self_service.self_service_submit``) into the protected Person
record; the visit-specific part (CV, itinerary, needs, photo) is stored on the ``VisitGuest``.

Checks on entry (design note, "Visitors and invitations"; issue 8 §1–2) are the visitors rule pack's
(``visitors.rules.guest_checks`` on the data entered, ``entry_errors``): the passport stays valid more than
``passport_validity.months`` months beyond the departure from China; the CV covers the last
``cv_ten_years.years`` years without a gap longer than ``max_gap_months``; the itinerary shows the exit and
lies within the visit's dates, ``itinerary_exit.days_around`` calendar days either side. The office's view of
a guest and the visit's guests panel run the same rules.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, FieldChange, PermissionDeniedError, StaleEditError
from meridian.people.choices import DocumentType
from meridian.people.models import IdentityDocument, Purpose
from meridian.visitors import permissions
from meridian.visitors.choices import GuestFileKind, VisitState
from meridian.visitors.models import GuestFile, VisitGuest
from meridian.workflow.files import JPEG, PNG, checked_file, detect_type
from meridian.workflow.rulepack import FAIL, Joined

SALT = "meridian.visitors.guest-link"
PURPOSE_CODE = "visit"  # installed by people's default purposes; created here when missing
# Visits whose guests no longer enter anything: the link stops working.
CLOSED_STATES = (VisitState.CLOSED, VisitState.CANCELLED, VisitState.REJECTED)
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")  # a CV month, YYYY-MM
ITINERARY_FIELDS = [
    "arrival_date", "arrival_flight", "arrival_port", "departure_date", "departure_flight", "exit_port",
]  # fmt: skip
NEEDS_FIELDS = ["dietary_needs", "accessibility_needs"]


def link_days() -> int:
    """Days a guest link stays valid: setting ``VISITORS_GUEST_LINK_DAYS`` (default 30 calendar days)."""
    return int(getattr(settings, "VISITORS_GUEST_LINK_DAYS", 30))


def guest_purpose() -> Purpose:
    """The purpose of processing guests' data ("visit", retention 365 days after the visit), created with its
    bilingual names when a database lacks it."""
    purpose, _created = Purpose.objects.get_or_create(
        code=PURPOSE_CODE,
        defaults={"name_en": "Visit and hosting of guests", "name_zh": "来访接待", "retention_days": 365},
    )
    return purpose


# --- links ---------------------------------------------------------------------------------------------


def _token(guest: VisitGuest) -> str:
    return signing.dumps({"g": guest.pk, "n": guest.link_nonce}, salt=SALT)


def guest_link_path(guest: VisitGuest) -> str:
    """The path of a fresh link for the guest's current nonce (``/visitors/guest/<token>/``)."""
    return reverse("visitors:guest_form", args=[_token(guest)])


@dataclass(frozen=True)
class IssuedLink:
    """``path`` of the new link, and whether it was e-mailed to the guest (a known address)."""

    path: str
    emailed: bool


@transaction.atomic
def guest_link_issue(*, guest: VisitGuest, actor: Any) -> IssuedLink:
    """Issue the guest a new personal link (valid ``link_days()`` days; earlier links stop working), e-mail it
    after commit when the guest's e-mail is known, record ``link_sent_at`` and an activity entry.

    Raises ``PermissionDeniedError`` (``permissions.can_issue_guest_link``) and ``DomainError`` when the
    visit is closed, cancelled or rejected.
    """
    if not permissions.can_issue_guest_link(actor, guest.visit):
        raise PermissionDeniedError(_("You may not send this guest a link."))
    if guest.visit.state in CLOSED_STATES:
        raise DomainError(_("The visit is over: its guests no longer need a link."))
    locked = VisitGuest.objects.select_for_update().select_related("person", "visit").get(pk=guest.pk)
    locked.link_nonce = secrets.token_hex(16)
    locked.link_sent_at = timezone.now()
    locked.save(update_fields=["link_nonce", "link_sent_at"])
    email = locked.person.email
    if email:
        pk, nonce = locked.pk, locked.link_nonce
        transaction.on_commit(lambda: guest_link_email.enqueue(pk, nonce))
    days = link_days()
    activity_record(
        target=locked.visit,
        verb="guest_link",
        actor=actor,
        message=lambda: (
            ngettext(
                "Self-service link issued to %(guest)s, valid for %(days)s day",
                "Self-service link issued to %(guest)s, valid for %(days)s days",
                days,
            )
            % {"guest": locked.person, "days": days}
        ),
    )
    guest.link_nonce, guest.link_sent_at = locked.link_nonce, locked.link_sent_at
    return IssuedLink(path=guest_link_path(locked), emailed=bool(email))


@transaction.atomic
def guest_link_revoke(*, guest: VisitGuest, actor: Any) -> None:
    """Void every link issued to the guest (raises ``PermissionDeniedError`` like ``guest_link_issue``)."""
    if not permissions.can_issue_guest_link(actor, guest.visit):
        raise PermissionDeniedError(_("You may not revoke this guest's link."))
    VisitGuest.objects.filter(pk=guest.pk).update(link_nonce="", link_sent_at=None)
    guest.link_nonce, guest.link_sent_at = "", None
    activity_record(
        target=guest.visit,
        verb="guest_link",
        actor=actor,
        message=lambda: _("Self-service link of %(guest)s revoked") % {"guest": guest.person},
    )


def _email_text(guest: VisitGuest, url: str, days: int) -> tuple[str, str]:
    visit = guest.visit
    parts_subject, parts_body = [], []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            parts_subject.append(
                _("Your visit to %(unit)s: please enter your data") % {"unit": visit.host_unit}
            )
            parts_body.append(
                ngettext(
                    "Dear %(name)s,\n\nfor your visit from %(start)s to %(end)s, hosted by %(unit)s, please "
                    "enter your passport data, CV and travel plan through this personal link (valid for "
                    "%(days)s day, no account needed):\n\n%(url)s\n\nPlease do not forward it: it opens "
                    "your personal data.\n\nInternational Office",
                    "Dear %(name)s,\n\nfor your visit from %(start)s to %(end)s, hosted by %(unit)s, please "
                    "enter your passport data, CV and travel plan through this personal link (valid for "
                    "%(days)s days, no account needed):\n\n%(url)s\n\nPlease do not forward it: it opens "
                    "your personal data.\n\nInternational Office",
                    days,
                )
                % {
                    "name": guest.person.latin_name,
                    "start": visit.arrive_on.isoformat(),
                    "end": visit.depart_on.isoformat(),
                    "unit": visit.host_unit,
                    "days": days,
                    "url": url,
                }
            )
    return " / ".join(parts_subject), "\n\n----------\n\n".join(parts_body)


@task()
def guest_link_email(guest_id: int, nonce: str) -> bool:
    """E-mail the guest their link, in English and Chinese, if the link issued with ``nonce`` is still the
    current one (the token is signed here, so no link sits in the task queue). Returns whether it was sent."""
    guest = VisitGuest.objects.select_related("person", "visit__host_unit").filter(pk=guest_id).first()
    if guest is None or not guest.person.email or not nonce or guest.link_nonce != nonce:
        return False
    url = f"{settings.SITE_URL}{guest_link_path(guest)}"
    subject, body = _email_text(guest, url, link_days())
    EmailMessage(subject=subject, body=body, to=[guest.person.email]).send()
    return True


def guest_grant(token: str) -> VisitGuest | None:
    """The guest a token grants, or None when it is forged, expired, revoked, superseded by a newer link, or
    its visit is over. Never raises: the caller shows the same "link not valid" page for every case."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=timedelta(days=link_days()))
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("g"), int):
        return None
    guest = (
        VisitGuest.objects.select_related(
            "person", "visit__host_unit", "visit__guest_partner", "visit__guest_institution"
        )
        .filter(pk=payload["g"], person__purged_at__isnull=True)
        .first()
    )
    if guest is None or not guest.link_nonce or guest.visit.state in CLOSED_STATES:
        return None
    if not secrets.compare_digest(guest.link_nonce, str(payload.get("n", ""))):
        return None
    return guest


# --- checks --------------------------------------------------------------------------------------------

# The rule of the visitors rule pack that judges each part of what a guest enters, and the data it reads.
PASSPORT_RULE, ITINERARY_RULE, CV_RULE = "passport_validity", "itinerary_exit", "cv_ten_years"
ITINERARY_RULE_FIELDS = ("arrival_date", "departure_date", "departure_flight", "exit_port")


def current_passport(guest: VisitGuest) -> IdentityDocument | None:
    """The guest's passport (ordinary or official) expiring last (None without one)."""
    from meridian.visitors.rules import PASSPORT_KINDS

    documents = [d for d in guest.person.documents.all() if d.kind in PASSPORT_KINDS]
    return max(documents, key=lambda d: d.expiry_date, default=None)


def _stretch(gap: tuple[date, date]) -> str:
    first, last = (f"{d.year:04d}-{d.month:02d}" for d in gap)
    return first if first == last else f"{first} – {last}"


def entry_errors(
    *,
    guest: VisitGuest,
    cv: list[dict[str, Any]],
    itinerary: dict[str, Any],
    passport_expiry: date | None,
) -> dict[str, list[str]]:
    """The on-entry checks of what a guest submits, as ``{field: [messages]}`` (empty when all pass).

    The verdict is the visitors rule pack's (``rules.guest_checks`` on the data entered, current rule set):
    the entry is refused exactly when a rule fails on the part the guest entered — ``passport_validity``
    (field ``expiry_date``), ``itinerary_exit`` (``arrival_date``, ``departure_date``, ``exit_port``) and
    ``cv_ten_years`` (``cv``) — so the form and the visit's checks never disagree. The messages speak to the
    guest, with the rule's parameters (``rules.parameter``, ``add_months``, ``cv_gaps``,
    ``itinerary_windows``). A part not entered at all is not an error here (the office sees what is missing
    in ``guest_checks``); the rules do not apply to a visit without a visa invitation. Whatever the visit, a
    CV row that ends before it starts and a departure before the arrival are refused.
    """
    from meridian.visitors import rules
    from meridian.visitors.casework import today as evaluation_day

    visit = guest.visit
    arrival, departure = itinerary.get("arrival_date"), itinerary.get("departure_date")
    data: dict[str, Any] = {"cv": cv, **{name: itinerary.get(name) for name in ITINERARY_RULE_FIELDS}}
    if passport_expiry is not None:
        data["passport_expiry"] = passport_expiry
    verdict = {r["code"]: r for r in rules.guest_checks(guest, data=data)}

    def fails(code: str) -> bool:
        return verdict.get(code, {}).get("outcome") == FAIL

    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        if message not in errors.setdefault(name, []):
            errors[name].append(message)

    for row in rules.cv_invalid_rows(cv):
        add("cv", _("CV, row %(row)s: the end is before the start.") % {"row": row})
    if arrival is not None and departure is not None and departure < arrival:
        add("departure_date", _("The departure lies before the arrival."))
    if passport_expiry is not None and fails(PASSPORT_RULE):
        months = rules.parameter(PASSPORT_RULE, "months")
        leaves = departure or visit.depart_on
        needed = rules.add_months(leaves, months)
        add(
            "expiry_date",
            ngettext(
                "The passport must be valid for more than %(months)s month after you leave China "
                "(%(leaves)s), that is after %(needed)s.",
                "The passport must be valid for more than %(months)s months after you leave China "
                "(%(leaves)s), that is after %(needed)s.",
                months,
            )
            % {"months": months, "leaves": leaves.isoformat(), "needed": needed.isoformat()},
        )
    if cv and fails(CV_RULE):
        years = rules.parameter(CV_RULE, "years")
        allowed = rules.parameter(CV_RULE, "max_gap_months")
        gaps = rules.cv_gaps(cv, years=years, today=evaluation_day(), longer_than=allowed)
        if gaps:
            add(
                "cv",
                ngettext(
                    "The CV must cover the last %(years)s year without gaps; missing: %(gaps)s.",
                    "The CV must cover the last %(years)s years without gaps; missing: %(gaps)s.",
                    years,
                )
                % {"years": years, "gaps": str(Joined(_stretch(g) for g in gaps))},
            )
        if "cv" not in errors:  # the rule failed for a reason the messages above do not name
            add("cv", str(verdict[CV_RULE]["message"]))
    if any(data[name] for name in ITINERARY_RULE_FIELDS) and fails(ITINERARY_RULE):
        arrivals, departures = rules.itinerary_windows(
            visit.arrive_on, visit.depart_on, rules.parameter(ITINERARY_RULE, "days_around")
        )
        for name, day, (first, last) in (
            ("arrival_date", arrival, arrivals),
            ("departure_date", departure, departures),
        ):
            if day is not None and not first <= day <= last:
                add(
                    name,
                    _(
                        "This date lies outside the visit (%(start)s to %(end)s, allowing a few days either "
                        "side)."
                    )
                    % {"start": first.isoformat(), "end": last.isoformat()},
                )
        if departure is None:
            add("departure_date", _("Enter the day you leave China: the invitation needs it."))
        if not (
            str(itinerary.get("exit_port") or "").strip()
            or str(itinerary.get("departure_flight") or "").strip()
        ):
            add("exit_port", _("Enter the port of exit, or the flight or train you leave on."))
        if not any(errors.get(name) for name in ("arrival_date", "departure_date", "exit_port")):
            add(NON_FIELD_ERRORS, str(verdict[ITINERARY_RULE]["message"]))
    return {name: messages for name, messages in errors.items() if messages}


def guest_checks(guest: VisitGuest) -> list[dict[str, Any]]:
    """The invitation-package rules of the visitors rule pack (``visitors.rules.guest_checks``: passport,
    itinerary with exit, CV) on one guest, in the active language: one dict per rule (``code``, ``label``,
    ``severity``, ``outcome`` pass|fail|not_applicable, ``message``, ``blocking``). They do not apply to
    visits without a visa invitation."""
    from meridian.visitors import rules

    return rules.result_rows(rules.guest_checks(guest))


def visit_guest_checks(visit: Any) -> dict[int, list[dict[str, Any]]]:
    """``guest_checks`` for every guest of ``visit`` by ``VisitGuest`` id, in a fixed number of queries
    (``visitors.rules.visit_guest_checks``)."""
    from meridian.visitors import rules

    return {pk: rules.result_rows(results) for pk, results in rules.visit_guest_checks(visit).items()}


def failing(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in results if r.get("outcome") == "fail"]


# --- stale edits: a fingerprint of everything the guest form saves ------------------------------------------


@dataclass
class GuestStaleEditError(StaleEditError):
    """The guest's stored data changed after the form was opened (another tab, or the office): nothing was
    saved. ``changes`` lists the parts that differ, with what is stored now (``after``);
    ``current_fingerprint`` and ``current_version`` let the form, shown again with the guest's input, save
    over the current data."""

    current_fingerprint: str = ""


def _fingerprint_parts(guest: VisitGuest) -> dict[str, Any]:
    """What the guest form saves, part by part, as stored: the person fields it shows, the identity documents
    (those it may update), the CV, the itinerary and the needs. Photos are only ever added, never replaced."""
    from meridian.people.self_service import GUEST_FIELDS

    person = guest.person
    parts: dict[str, Any] = {
        name: getattr(person, cast(Any, person._meta.get_field(name)).attname) for name in GUEST_FIELDS
    }
    parts["documents"] = [
        [d.pk, d.kind, d.masked_number, d.issuing_country_id, d.issue_date, d.expiry_date]
        for d in person.documents.order_by("pk")
    ]
    parts["cv"] = guest.cv or []
    for name in ITINERARY_FIELDS + NEEDS_FIELDS:
        parts[name] = getattr(guest, name)
    return parts


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()[:12]


def guest_data_fingerprint(guest: VisitGuest) -> str:
    """A fingerprint of the stored data the guest form saves (``"part:digest,..."``, one short SHA-256 digest
    per part, no personal data in clear), carried by the form in a hidden field so that a save from a page
    opened before another save is refused (``guest_data_submit``) instead of overwriting it. Reads the guest
    and its person as loaded, and their documents from the database."""
    return ",".join(f"{name}:{_digest(value)}" for name, value in _fingerprint_parts(guest).items())


def _shown(guest: VisitGuest, name: str) -> tuple[str, str]:
    """The label and the stored value of one fingerprint part, as the guest reads them."""
    person = guest.person
    if name == "documents":
        documents = person.documents.order_by("pk")
        return _("Passport"), "; ".join(
            f"{d.get_kind_display()} {d.masked_number} ({d.expiry_date.isoformat()})" for d in documents
        )
    if name == "cv":
        rows = guest.cv or []
        return _("CV"), "; ".join(
            f"{r.get('from', '')} – {r.get('to') or _('now')}: {r.get('organisation', '')}" for r in rows
        )
    instance: Any = guest if name in ITINERARY_FIELDS + NEEDS_FIELDS else person
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if field.choices:
        value = getattr(instance, f"get_{name}_display")()
    elif isinstance(value, date):
        value = value.isoformat()
    return str(field.verbose_name), "" if value is None else str(value)


def guest_data_changes(guest: VisitGuest, fingerprint: str) -> list[FieldChange]:
    """The parts of the guest's stored data that differ from ``fingerprint`` (``guest_data_fingerprint`` of
    an earlier state): label and value now stored (``after``; ``before`` is unknown and left empty)."""
    seen = dict(item.split(":", 1) for item in fingerprint.split(",") if ":" in item)
    changes = []
    for name, value in _fingerprint_parts(guest).items():
        if seen.get(name) != _digest(value):
            label, after = _shown(guest, name)
            changes.append(FieldChange(field=name, label=label, before="", after=after))
    return changes


# --- what the guest enters -----------------------------------------------------------------------------


def _checked_photo(uploaded: UploadedFile) -> tuple[Any, str, str, int, str]:
    """The photo's content, name, type, size and digest; ``DomainError`` (code ``invalid_photo``) unless it
    is a JPEG or PNG image by its bytes, within ``MAX_UPLOAD_MB``. The messages name what the photo field
    accepts (JPEG or PNG), not every type other uploads take."""
    if (uploaded.size or 0) > 0 and detect_type(uploaded) not in (JPEG, PNG):
        raise DomainError(
            _("The file %(name)s is not a JPEG or PNG image: the photo must be one.")
            % {"name": uploaded.name},
            code="invalid_photo",
        )
    try:
        return checked_file(uploaded)
    except DomainError as exc:
        raise DomainError(exc.message, code="invalid_photo") from exc


def _photo_store(guest: VisitGuest, checked: tuple[Any, str, str, int, str]) -> GuestFile:
    content, name, content_type, size, digest = checked
    record = GuestFile(
        guest=guest,
        kind=GuestFileKind.PHOTO,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
    )
    record.file.save(name, content, save=False)
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)
        raise
    return record


@transaction.atomic
def guest_data_submit(
    *,
    guest: VisitGuest,
    consent_version: str,
    ip: str | None,
    expected_version: int | None,
    person_fields: dict[str, Any],
    document_fields: dict[str, Any] | None,
    scan: UploadedFile | None,
    photo: UploadedFile | None,
    cv: list[dict[str, str]],
    itinerary: dict[str, Any],
    needs: dict[str, str],
    expected_fingerprint: str | None = None,
) -> VisitGuest:
    """Store what the guest entered through their link, all or nothing.

    ``expected_fingerprint`` is ``guest_data_fingerprint`` of the data the form was opened on: when what is
    stored now differs (another tab or the office saved meanwhile), nothing is saved and
    ``GuestStaleEditError`` names the parts that changed. When it matches, the person's own ``version``
    check is not needed (the fingerprint covers every person field the form saves) and is skipped; without a
    fingerprint, ``expected_version`` (``Person.version``) guards the person fields as before.

    Consent (``consent_version`` of ``people.consent``), person data and passport (with its scan) go through
    ``people.self_service.self_service_submit`` for the "visit" purpose, held until the visit's last day;
    ``cv`` rows {from, to, organisation, position} ("YYYY-MM"; ``to`` empty = until now), ``itinerary``
    (``ITINERARY_FIELDS``) and ``needs`` (``NEEDS_FIELDS``) are stored on the guest; ``photo`` (JPEG or PNG,
    by content) becomes a ``GuestFile``. Raises ``DomainError`` (locked data, no consent, refused file: code
    ``invalid_photo`` for the photo, ``invalid_file``/``too_large``/``invalid_file_type`` for the scan),
    ``ValidationError`` (``entry_errors`` and the people services' checks, by field) and ``StaleEditError``.
    """
    from meridian.people.self_service import SelfServiceGrant, self_service_submit

    current = VisitGuest.objects.select_for_update().select_related("visit", "person").get(pk=guest.pk)
    if current.locked_at is not None:
        raise DomainError(_("Your data was locked by the office; please contact your host to change it."))
    if expected_fingerprint is not None:
        changes = guest_data_changes(current, expected_fingerprint)
        if changes:
            raise GuestStaleEditError(
                message=_(
                    "Your data was changed in another window or by the office after you opened this page. "
                    "Nothing was saved, so nothing was overwritten. What is stored now is listed below; your "
                    "entries are still in the form: check them and save again."
                ),
                changes=changes,
                current_version=current.person.version,
                current_fingerprint=guest_data_fingerprint(current),
            )
        expected_version = None
    if not consent_version:
        raise DomainError(_("Please read the consent statement and tick the box to agree."))
    expiry = None
    if document_fields and document_fields.get("kind") in (
        DocumentType.PASSPORT,
        DocumentType.OFFICIAL_PASSPORT,
    ):
        expiry = document_fields.get("expiry_date")
    elif not document_fields:
        passport = current_passport(current)
        expiry = passport.expiry_date if passport else None
    errors = entry_errors(guest=current, cv=cv, itinerary=itinerary, passport_expiry=expiry)
    if errors:
        raise ValidationError(errors)
    checked_photo = _checked_photo(photo) if photo is not None else None
    grant = SelfServiceGrant(person=current.person, purpose=guest_purpose())
    self_service_submit(
        grant=grant,
        consent_version=consent_version,
        ip=ip,
        expected_version=expected_version,
        person_fields=person_fields,
        document_fields=document_fields,
        scan=scan,
        purpose_ends_on=current.visit.depart_on,
    )
    current.cv = [
        {k: str(row.get(k) or "") for k in ("from", "to", "organisation", "position")} for row in cv
    ]
    for name in ITINERARY_FIELDS:
        setattr(current, name, itinerary.get(name) or ("" if not name.endswith("_date") else None))
    for name in NEEDS_FIELDS:
        setattr(current, name, needs.get(name) or "")
    current.submitted_at = timezone.now()
    current.save()
    if checked_photo is not None:
        _photo_store(current, checked_photo)
    activity_record(
        target=current.visit,
        verb="guest_data",
        actor=None,
        message=lambda: (
            _("%(guest)s entered their data through the self-service link") % {"guest": current.person}
        ),
    )
    return current


# --- the office's lock ---------------------------------------------------------------------------------


@transaction.atomic
def guest_lock(*, guest: VisitGuest, actor: Any, confirm_failing: bool = False) -> list[dict[str, Any]]:
    """Lock the guest's data (the link then shows it read-only); returns the check results.

    The checks run first: when any fails, the lock is refused with ``DomainError`` (code ``checks_failing``)
    unless ``confirm_failing`` — the office has read the failures and locks anyway (for instance a passport
    renewal under way); the activity entry then names the failing checks. Raises ``PermissionDeniedError``
    (office only, ``permissions.can_lock_guest_data``) and ``DomainError`` when nothing was entered yet.
    """
    if not permissions.can_lock_guest_data(actor):
        raise PermissionDeniedError(_("Only the International Office locks guests' data."))
    current = VisitGuest.objects.select_for_update().select_related("visit", "person").get(pk=guest.pk)
    if current.locked_at is not None:
        return guest_checks(current)
    if current.submitted_at is None:
        raise DomainError(_("The guest has not entered their data yet."))
    results = guest_checks(current)
    failures = failing(results)
    if failures and not confirm_failing:
        raise DomainError(
            _("Checks failing: %(checks)s. Tick the box to lock anyway.")
            % {"checks": "; ".join(str(r["label"]) for r in failures)},
            code="checks_failing",
        )
    current.locked_at, current.locked_by = timezone.now(), actor
    current.save(update_fields=["locked_at", "locked_by"])
    guest.locked_at, guest.locked_by = current.locked_at, actor
    labels = [str(r["label"]) for r in failures]
    activity_record(
        target=current.visit,
        verb="guest_lock",
        actor=actor,
        message=lambda: (
            _("Data of %(guest)s locked despite failing checks: %(checks)s")
            % {"guest": current.person, "checks": "; ".join(labels)}
            if labels
            else _("Data of %(guest)s locked") % {"guest": current.person}
        ),
    )
    return results


@transaction.atomic
def guest_unlock(*, guest: VisitGuest, actor: Any) -> None:
    """Unlock the guest's data so the guest can correct it through a valid link (office only)."""
    if not permissions.can_lock_guest_data(actor):
        raise PermissionDeniedError(_("Only the International Office unlocks guests' data."))
    VisitGuest.objects.filter(pk=guest.pk).update(locked_at=None, locked_by=None)
    guest.locked_at, guest.locked_by = None, None
    activity_record(
        target=guest.visit,
        verb="guest_lock",
        actor=actor,
        message=lambda: _("Data of %(guest)s unlocked for corrections") % {"guest": guest.person},
    )
