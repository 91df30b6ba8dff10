"""Incoming students (design note, "Student exchange", incoming): the partner nominates → the student is
invited to complete an application through an external account → our side accepts (bilingual acceptance
letter, QR-verified) or rejects → visa documents → arrival and registration.

The invitation link is a token signed with Django's signing framework (HMAC with SECRET_KEY, own salt) that
names the mobility and its ``invitation_nonce``; it expires after ``MOBILITY_INVITATION_DAYS`` calendar days
(default 30). Each invitation draws a new nonce, so a re-invitation voids the earlier link; setting the
password through the link clears the nonce, so a link works once. The student then signs in with their
password like any user: the account holds no role, so it reaches only the student's own pages.

What the student enters goes where it belongs: names, gender, birth date and nationality into their
``Person`` and the passport as a protected identity document (``people.self_service.self_service_submit``:
consent first, then ``person_update`` and ``identity_document_create``, PIPL art. 14 and 29), for the purpose
"exchange" (Student exchange, kept 1825 days after the mobility's planned end); the study data onto the
``Mobility``; uploads as ``MobilityFile`` rows checked by content (``workflow.files.checked_file``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from meridian.accounts.models import User
from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.notifications import notify
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.mobility.choices import CefrLevel, Direction, MobilityFileKind, MobilityState
from meridian.mobility.models import Mobility, MobilityFile
from meridian.people.choices import DocumentType, Gender
from meridian.people.models import Consent, IdentityDocument, Purpose

SALT = "meridian.mobility.incoming-invitation"
PURPOSE_CODE = "exchange"  # installed by people's default purposes; created here when missing
# What the student fills in on their application (the ``Mobility`` fields), in the form's order.
APPLICATION_FIELDS = [
    "home_programme",
    "eqf_level",
    "isced_code",
    "language",
    "cefr_level",
    "motivation",
    "accommodation_needed",
    "planned_arrival",
]
# The person fields the application asks (names in Latin script; the Chinese name is optional).
PERSON_FIELDS = ["family_name", "given_name", "name_zh", "gender", "birth_date", "nationality"]
# The uploads the application asks for, each required once.
APPLICATION_FILE_KINDS = (MobilityFileKind.PASSPORT, MobilityFileKind.TRANSCRIPT, MobilityFileKind.LANGUAGE)
EQF_LEVELS = (5, 6, 7, 8)
ISCED = re.compile(r"^\d{2,4}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ' .\-]*$")
# Chinese visas (X1/X2) ask for a passport valid at least six months beyond the stay (consular rules).
PASSPORT_DAYS_BEYOND_STAY = 183
LETTER_PREFIX = "ACC"
LETTER_ATTEMPTS = 5


def invitation_days() -> int:
    """Calendar days an invitation link stays valid: setting ``MOBILITY_INVITATION_DAYS`` (default 30)."""
    return int(getattr(settings, "MOBILITY_INVITATION_DAYS", 30))


def exchange_purpose() -> Purpose:
    """The purpose the student's data is processed for ("exchange", retention 1825 days after the stay),
    created with its bilingual names when a database lacks it."""
    purpose, _created = Purpose.objects.get_or_create(
        code=PURPOSE_CODE,
        defaults={"name_en": "Student exchange", "name_zh": "学生交流", "retention_days": 1825},
    )
    return purpose


def _is_staff_or_partner(user: User) -> bool:
    from meridian.accounts.permissions import is_internal
    from meridian.mobility.permissions import is_partner_contact

    return is_internal(user) or is_partner_contact(user) or user.is_staff or user.is_superuser


def _has_role(user: User) -> bool:
    """Whether the account holds any role here (staff, student, partner contact, administrator): such an
    account is never linked to, nor set up through, an invitation."""
    return _is_staff_or_partner(user) or user.memberships.exists()


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token, salted for invitations: it binds a link to the account's password,
    last sign-in and e-mail address, so it stops working once a password is set or the student signs in.
    The signed link carries the expiry (``invitation_days()``), so the token's own clock stands still."""

    key_salt = "meridian.mobility.incoming-invitation.account"

    def _now(self) -> datetime:
        return datetime(2001, 1, 1)


account_tokens = InvitationTokenGenerator()


def invitation_sets_password(mobility: Mobility, user: User) -> bool:
    """Whether the invitation link may set ``user``'s password: only an account without roles that never had
    a password and was never signed in to, whose own address is the one the link goes to (the rule of
    Django's password reset). Any other account keeps its credentials; its owner signs in with them."""
    return (
        not user.has_usable_password()
        and user.last_login is None
        and (user.email or "").strip().lower() == _student_email(mobility)
        and not _has_role(user)
    )


# --- the invitation ------------------------------------------------------------------------------------


def invitation_token(mobility: Mobility) -> str:
    """A token for the mobility's current nonce and the student's account as it is now (signed, salted, with
    Django's password-reset token of the account; checked by ``invitation_grant``)."""
    student = mobility.student
    account = account_tokens.make_token(student) if student is not None else ""
    return signing.dumps({"m": mobility.pk, "n": mobility.invitation_nonce, "t": account}, salt=SALT)


def application_path(mobility: Mobility) -> str:
    """The path of the student's application page (``/exchange/incoming/<pk>/…``)."""
    return reverse("mobility:incoming_application", args=[mobility.pk])


def invitation_path(mobility: Mobility) -> str:
    """The path of a fresh link for the mobility's current nonce (``/exchange/invitation/<token>/``)."""
    return reverse("mobility:incoming_invitation", args=[invitation_token(mobility)])


def _student_email(mobility: Mobility) -> str:
    return (mobility.student_email or mobility.person.email or "").strip().lower()


def _unique_username(email: str) -> str:
    base = email[:140] or "student"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _student_account(mobility: Mobility, email: str) -> User:
    """The student's external account: the mobility's own, else the person's, else an external account
    with that e-mail address, else a new one (no role, unusable password). An existing account is only
    linked, its password and roles untouched (``invitation_sets_password`` decides whether the link may set
    a password); an account with any role (staff, student, partner) is never used: an incoming student is
    given their own."""
    for candidate in (mobility.student, getattr(mobility.person, "user", None)):
        if candidate is not None:
            if _has_role(candidate):
                raise DomainError(
                    _(
                        "The student's record is linked to a staff or partner account; an incoming student "
                        "needs an account of their own. Correct the student's record first."
                    )
                )
            return candidate
    found = list(User.objects.filter(email__iexact=email)[:2])
    if len(found) > 1:
        raise DomainError(
            _("Several accounts use the address %(email)s; ask an administrator to sort them out first.")
            % {"email": email}
        )
    if found:
        if _is_staff_or_partner(found[0]):
            raise DomainError(
                _(
                    "The address %(email)s belongs to a staff or partner account. Enter the student's own "
                    "e-mail address."
                )
                % {"email": email}
            )
        if _has_role(found[0]):
            raise DomainError(
                _(
                    "An account with the address %(email)s already exists and has a role here (for example "
                    "one of our students); it is not used for this invitation and stays unchanged. Check the "
                    "address with the partner, or enter another address of the student."
                )
                % {"email": email}
            )
        return found[0]
    from meridian.accounts.services import user_create

    person = mobility.person
    return user_create(
        username=_unique_username(email),
        email=email,
        password=None,
        first_name=person.given_name[:150],
        last_name=person.family_name[:150],
    )


def invitation_send(*, mobility: Mobility, actor: Any) -> Mobility:
    """Invite an incoming student to complete their application (effect of the ``invite`` move).

    Creates (or reuses, by e-mail) the student's external account (``mobility.student``: no role, unusable
    password until they set one through the link) and links it to their person record when it has none;
    draws a fresh ``invitation_nonce`` (every earlier link stops working), stamps ``invited_at`` and, after
    commit, e-mails the link in English and Chinese (valid ``invitation_days()`` calendar days). Returns the
    mobility (the instance given, updated).

    Raises ``DomainError`` when the mobility is not incoming, when no e-mail address of the student is known
    (``student_email`` or the person's), or when the address belongs to a staff or partner account; the
    move's transaction then rolls back and nothing is stored.
    """
    if mobility.direction != Direction.INCOMING:
        raise DomainError(_("Only incoming students are invited to apply."))
    email = _student_email(mobility)
    if not email:
        raise DomainError(_("Enter the student's e-mail address first: the invitation is sent there."))
    user = _student_account(mobility, email)
    if not user.has_usable_password() and not invitation_sets_password(mobility, user):
        # Neither a password of their own nor one they may set through a link sent to this address.
        raise DomainError(
            _(
                "The student's existing account has no password and uses another e-mail address, so the "
                "invitation cannot set one up. Check the address, or ask an administrator to look at the "
                "account."
            )
        )
    person = mobility.person
    if person.user_id is None and not hasattr(user, "person"):
        from meridian.people.services import person_update

        person_update(person=person, actor=None, allow_duplicate=True, user=user)
        mobility.person.refresh_from_db()
    mobility.student = user
    mobility.student_email = email
    mobility.invitation_nonce = secrets.token_hex(16)
    mobility.invited_at = timezone.now()
    mobility.invitation_used_at = None
    mobility.save(
        update_fields=["student", "student_email", "invitation_nonce", "invited_at", "invitation_used_at"]
    )
    pk, nonce, days = mobility.pk, mobility.invitation_nonce, invitation_days()
    transaction.on_commit(lambda: invitation_email.enqueue(pk, nonce))
    activity_record(
        target=mobility,
        verb="invitation",
        actor=actor,
        message=lambda: (
            ngettext(
                "Invitation to apply sent to the student, valid for %(days)s day",
                "Invitation to apply sent to the student, valid for %(days)s days",
                days,
            )
            % {"days": days}
        ),
    )
    return mobility


def _mail_values(mobility: Mobility, url: str) -> dict[str, Any]:
    """What the invitation e-mails name, in the active language (the semester's label)."""
    return {
        "name": mobility.person.latin_name,
        "partner": mobility.partner,
        "unit": mobility.home_unit,
        "year": mobility.year_label,
        "semester": mobility.get_semester_display(),
        "url": url,
    }


def _sign_in_text(mobility: Mobility, url: str) -> str:
    return _(
        "Dear %(name)s,\n\n%(partner)s has nominated you for an exchange stay at %(unit)s "
        "(%(year)s, %(semester)s). You have an account with us already: please sign in with it and "
        "complete your application here:\n\n%(url)s\n\n"
        "If you have forgotten your password, choose “Forgotten your password?” on the sign-in page.\n\n"
        "International Office"
    ) % _mail_values(mobility, url)


def _email_text(
    mobility: Mobility, url: str, days: int, sign_in: bool = False, language: str | None = None
) -> tuple[str, str]:
    """The invitation's subject and body in ``language`` (None: English and Chinese, ``mail.in_language``)."""
    from meridian.mobility.mail import in_language

    def build() -> tuple[str, str]:
        subject = _("Your exchange at %(unit)s: complete your application") % {"unit": mobility.home_unit}
        if sign_in:
            return subject, _sign_in_text(mobility, url)
        return subject, (
            ngettext(
                "Dear %(name)s,\n\n%(partner)s has nominated you for an exchange stay at %(unit)s "
                "(%(year)s, %(semester)s). Please set your password and complete your application "
                "through this personal link (valid for %(days)s day, usable once):\n\n%(url)s\n\n"
                "Afterwards, sign in with your e-mail address and your password.\n\n"
                "International Office",
                "Dear %(name)s,\n\n%(partner)s has nominated you for an exchange stay at %(unit)s "
                "(%(year)s, %(semester)s). Please set your password and complete your application "
                "through this personal link (valid for %(days)s days, usable once):\n\n%(url)s\n\n"
                "Afterwards, sign in with your e-mail address and your password.\n\n"
                "International Office",
                days,
            )
            % {**_mail_values(mobility, url), "days": days}
        )

    return in_language(language, build)


@task()
def invitation_email(mobility_id: int, nonce: str) -> bool:
    """E-mail the student their invitation link (in their language, ``mail.user_language``; English and
    Chinese while it is not known), if the invitation issued with
    ``nonce`` is still the current one (the token is signed here, so no link sits in the task queue).
    Returns whether it was sent."""
    mobility = (
        Mobility.objects.select_related("person", "partner", "home_unit", "student")
        .filter(pk=mobility_id)
        .first()
    )
    if mobility is None or not nonce or mobility.invitation_nonce != nonce:
        return False
    email = _student_email(mobility)
    if not email or mobility.student is None:
        return False
    # An account with a password keeps it: its owner gets the sign-in page, never a link that sets one.
    sign_in = not invitation_sets_password(mobility, mobility.student)
    if sign_in:
        path = reverse("accounts:login") + "?" + urlencode({"next": application_path(mobility)})
    else:
        path = invitation_path(mobility)
    url = f"{settings.SITE_URL}{path}"
    from meridian.mobility.mail import user_language

    # In the student's language once their account has one; an account made for the invitation has none yet.
    language = user_language(mobility.student)
    subject, body = _email_text(mobility, url, invitation_days(), sign_in=sign_in, language=language)
    EmailMessage(subject=subject, body=body, to=[email]).send()
    return True


def invitation_grant(token: str) -> Mobility | None:
    """The mobility a token grants, or None when it is forged, expired, superseded by a newer invitation,
    used already, or the mobility no longer waits for the student's application. Never raises: the caller
    shows the same "link not valid" page for every case."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=timedelta(days=invitation_days()))
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("m"), int):
        return None
    mobility = (
        Mobility.objects.select_related("person", "partner", "home_unit", "student")
        .filter(pk=payload["m"], direction=Direction.INCOMING, state=MobilityState.INVITED)
        .first()
    )
    if mobility is None or mobility.student is None or not mobility.invitation_nonce:
        return None
    if not secrets.compare_digest(mobility.invitation_nonce, str(payload.get("n", ""))):
        return None
    # The account must still be one the link may set up, in the state the link was issued for.
    if not invitation_sets_password(mobility, mobility.student):
        return None
    if not account_tokens.check_token(mobility.student, str(payload.get("t", ""))):
        return None
    return mobility


@transaction.atomic
def invitation_accept(*, mobility: Mobility, nonce: str, password: str) -> User:
    """The student sets their password through a valid link (``invitation_grant``): the link is used up (its
    nonce cleared, ``invitation_used_at`` stamped). Returns the student's account, for signing them in.

    ``password`` must have passed Django's password validators (the form checks them). Raises ``DomainError``
    when the link was used or replaced meanwhile (two tabs, a re-invitation): nothing changes then.
    """
    locked = Mobility.objects.select_for_update(of=("self",)).select_related("student").get(pk=mobility.pk)
    if (
        not nonce
        or not locked.invitation_nonce
        or not secrets.compare_digest(locked.invitation_nonce, nonce)
        or locked.student is None
        or not invitation_sets_password(locked, locked.student)
    ):
        raise DomainError(_("This link is not valid any more."))
    user = locked.student
    user.set_password(password)
    user.save(update_fields=["password"])
    locked.invitation_nonce = ""
    locked.invitation_used_at = timezone.now()
    locked.save(update_fields=["invitation_nonce", "invitation_used_at"])
    activity_record(
        target=locked,
        verb="invitation",
        actor=user,
        message=lambda: _("The student set their password through the invitation"),
    )
    return user


# --- the student's application ---------------------------------------------------------------------------


def consent_given(mobility: Mobility) -> bool:
    """Whether the student consented to the current consent statement for the "exchange" purpose."""
    from meridian.people.consent import CURRENT_VERSION

    return Consent.objects.filter(
        person=mobility.person, purpose__code=PURPOSE_CODE, text_version=CURRENT_VERSION
    ).exists()


def current_passport(mobility: Mobility) -> IdentityDocument | None:
    """The student's passport expiring last (None without one)."""
    return (
        mobility.person.documents.filter(kind__in=[DocumentType.PASSPORT, DocumentType.OFFICIAL_PASSPORT])
        .select_related("issuing_country")
        .order_by("-expiry_date", "-id")
        .first()
    )


def _application_errors(
    mobility: Mobility, person_fields: dict[str, Any], fields: dict[str, Any], passport: dict[str, Any] | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("family_name", "given_name"):
        if not LATIN_NAME.match(str(person_fields.get(name) or "")):
            errors[name] = [_("Write the name in Latin letters, as in the passport.")]
    eqf = fields.get("eqf_level")
    if eqf not in (None, "") and int(eqf) not in EQF_LEVELS:
        errors["eqf_level"] = [_("Choose a study level from 5 to 8.")]
    isced = str(fields.get("isced_code") or "")
    if isced:
        from meridian.reference.models import IscedField

        if not ISCED.match(isced):
            errors["isced_code"] = [_("Enter an ISCED-F code of 2 to 4 digits, for example 0714.")]
        elif IscedField.objects.exists() and not IscedField.objects.filter(code=isced).exists():
            errors["isced_code"] = [_("There is no ISCED-F field with the code %(code)s.") % {"code": isced}]
    from meridian.mobility.selectors.conditions import iso_639_1_codes  # the conditions' languages

    language = str(fields.get("language") or "")
    if language and (not LANGUAGE_CODE.match(language) or language not in iso_639_1_codes()):
        errors["language"] = [_("Enter the language as an ISO 639 code, for example en, de or fr.")]
    if fields.get("cefr_level") and fields["cefr_level"] not in CefrLevel.values:
        errors["cefr_level"] = [_("Choose a level from A1 to C2.")]
    arrival = fields.get("planned_arrival")
    if isinstance(arrival, date) and arrival < timezone.localdate():
        errors["planned_arrival"] = [_("The planned arrival lies in the past.")]
    expiry = (passport or {}).get("expiry_date")
    if passport and passport.get("number") and isinstance(expiry, date):
        stay_ends = mobility.planned_end or (arrival if isinstance(arrival, date) else None)
        needed = (stay_ends or timezone.localdate()) + timedelta(days=PASSPORT_DAYS_BEYOND_STAY)
        if expiry < needed:
            errors["passport_expiry"] = [
                _(
                    "For a study visa the passport must stay valid at least six months after your stay, "
                    "that is until %(day)s or later."
                )
                % {"day": needed.isoformat()}
            ]
    return errors


def _store_file(mobility: Mobility, kind: str, checked: tuple[Any, str, str, int, str], actor: Any) -> None:
    content, name, content_type, size, digest = checked
    record = MobilityFile(
        mobility=mobility,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record.file.save(f"{secrets.token_hex(8)}-{name}", content, save=False)
    stored = record.file.name
    try:
        record.save()
    except Exception:
        if stored:
            record.file.storage.delete(stored)
        raise


def _planned_end(mobility: Mobility) -> date | None:
    return mobility.planned_end or (
        mobility.planned_start + timedelta(days=183) if mobility.planned_start else None
    )


@transaction.atomic
def incoming_application_save(
    *,
    mobility: Mobility,
    actor: Any,
    expected_version: int | None,
    consent_version: str,
    ip: str | None,
    person_fields: dict[str, Any],
    passport: dict[str, Any] | None,
    fields: dict[str, Any],
    uploads: dict[str, UploadedFile] | None = None,
) -> Mobility:
    """Store what the incoming student entered on their application, all or nothing.

    ``person_fields``: ``PERSON_FIELDS`` (names in Latin script; ``name_zh`` optional; ``gender`` an
    ISO/IEC 5218 code; ``nationality`` a ``Country``). ``passport``: ``{number, expiry_date,
    issuing_country, issue_date}`` or None to keep the one on record. ``fields``: ``APPLICATION_FIELDS`` of
    the mobility (EQF level 5–8, ISCED-F code, ISO 639 language code with a CEFR level, planned arrival
    not in the past). ``uploads`` maps ``APPLICATION_FILE_KINDS`` to uploaded files (PDF, Word, Excel, PNG
    or JPEG by content, at most ``MAX_UPLOAD_MB``); each adds a file, earlier ones stay.

    Consent first, with every save (``consent_version`` of ``people.consent``, the statement the student
    ticked): person data and passport go through
    ``people.self_service.self_service_submit`` for the "exchange" purpose, held until the stay's planned
    end. ``expected_version`` is the mobility's ``version`` the form was opened on.

    Raises ``PermissionDeniedError`` (not the mobility's student), ``DomainError`` (the application was sent
    already, no consent, a refused file), ``ValidationError`` (by field) and ``StaleEditError`` (the
    application or the person record changed since the form was opened). Nothing is stored when it raises.
    """
    from meridian.people.self_service import SelfServiceGrant, self_service_submit
    from meridian.workflow.files import checked_file

    locked = Mobility.objects.select_for_update(of=("self",)).select_related("person").get(pk=mobility.pk)
    if not getattr(actor, "is_authenticated", False) or locked.student_id != actor.pk:
        raise PermissionDeniedError(_("Only the student completes their application."))
    if locked.state != MobilityState.INVITED:
        raise DomainError(_("Your application has been sent; it can no longer be changed."))
    ensure_fresh(instance=locked, expected_version=expected_version, fields=APPLICATION_FIELDS)
    if not consent_version:
        raise DomainError(_("Please read the consent statement and tick the box to agree."))
    errors = _application_errors(locked, person_fields, fields, passport)
    if errors:
        raise ValidationError(errors)
    checked = {kind: checked_file(uploaded) for kind, uploaded in (uploads or {}).items() if uploaded}
    unknown = set(checked) - set(APPLICATION_FILE_KINDS)
    if unknown:
        raise DomainError(_("Unknown kind of file: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))})
    purpose = exchange_purpose()
    grant = SelfServiceGrant(person=locked.person, purpose=purpose)
    document_fields = None
    if passport and passport.get("number"):
        document_fields = {
            "kind": DocumentType.PASSPORT,
            "number": passport["number"],
            "issuing_country": passport.get("issuing_country") or person_fields.get("nationality"),
            "issue_date": passport.get("issue_date"),
            "expiry_date": passport.get("expiry_date"),
        }
        if document_fields["issuing_country"] is None:
            raise ValidationError({"issuing_country": [_("Needed with the passport number.")]})
    self_service_submit(
        grant=grant,
        consent_version=consent_version,
        ip=ip,
        expected_version=None,
        person_fields=person_fields,
        document_fields=document_fields,
        purpose_ends_on=_planned_end(locked),
    )
    before = {name: getattr(locked, name) for name in APPLICATION_FIELDS}
    for name in APPLICATION_FIELDS:
        value = fields.get(name)
        if name == "accommodation_needed":
            value = bool(value)
        elif value is None and name not in ("eqf_level", "planned_arrival"):
            value = ""
        setattr(locked, name, value)
    try:
        locked.full_clean(exclude=[f.name for f in locked._meta.fields if f.name not in APPLICATION_FIELDS])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    if any(getattr(locked, name) != before[name] for name in APPLICATION_FIELDS):
        bump_version(locked)
        locked._history_user = actor  # type: ignore[attr-defined]
        locked.save()
    for kind, item in checked.items():
        _store_file(locked, kind, item, actor)
    activity_record(
        target=locked,
        verb="incoming_application",
        actor=actor,
        message=lambda: _("The student saved their application"),
    )
    mobility.version = locked.version
    return locked


def incoming_missing(mobility: Mobility) -> list[str]:
    """What the incoming student's application still lacks, in the active language ([] when it can be sent):
    personal data (names in Latin script, gender, birth date, nationality), a passport, the study data
    (programme, EQF level, ISCED-F field, language and CEFR level, motivation, planned arrival), the uploads
    (passport copy, transcript, language certificate) and the consent."""
    person = mobility.person
    missing: list[str] = []
    if not person.family_name or not person.given_name:
        missing.append(_("Your names as in the passport."))
    if person.gender == Gender.NOT_KNOWN:
        missing.append(_("Your gender."))
    if person.birth_date is None:
        missing.append(_("Your date of birth."))
    if person.nationality_id is None:
        missing.append(_("Your nationality."))
    if current_passport(mobility) is None:
        missing.append(_("Your passport number and its date of expiry."))
    labels = {
        "home_programme": _("Your programme at your home university."),
        "eqf_level": _("Your study level (EQF)."),
        "isced_code": _("Your subject area (ISCED-F)."),
        "language": _("The language you will study in."),
        "cefr_level": _("Your level in that language (CEFR)."),
        "motivation": _("Your motivation."),
        "planned_arrival": _("The day you plan to arrive."),
    }
    for name, label in labels.items():
        if getattr(mobility, name) in (None, ""):
            missing.append(str(label))
    present = set(mobility.files.values_list("kind", flat=True))
    for kind in APPLICATION_FILE_KINDS:
        if kind not in present:
            missing.append(_("Upload: %(kind)s.") % {"kind": MobilityFileKind(kind).label})
    if not consent_given(mobility):
        missing.append(_("Your consent to the processing of your personal data."))
    return missing


def incoming_application_send(*, mobility: Mobility, actor: Any, comment: str = "") -> Mobility:
    """Send the completed application (the ``complete_application`` move); the office's officers and the host
    school's coordinators are notified (``handlers_of``) and then accept or reject.

    Raises ``DomainError`` listing what is missing (``incoming_missing``), and what
    ``workflow.services.case_move`` raises (``TransitionError``, ``PermissionDeniedError``)."""
    from meridian.workflow.services import case_move

    missing = incoming_missing(mobility)
    if missing:
        raise DomainError(
            _("Your application is not complete yet: %(missing)s") % {"missing": " ".join(missing)},
            code="incomplete",
        )
    moved = case_move(case=mobility, actor=actor, move="complete_application", comment=comment)
    number, name = moved.number, moved.person.latin_name
    notify(
        recipients=handlers_of(moved),
        subject=lambda: (
            _("%(number)s: %(name)s completed the application") % {"number": number, "name": name}
        ),
        body=lambda: _("Accept the student, or reject with a reason, on the mobility's page."),
        url=reverse("mobility:mobility_detail", args=[moved.pk]),
        verb="mobility.incoming_applied",
        target=moved,
    )
    return moved


def handlers_of(mobility: Mobility) -> list[User]:
    """Who decides on an incoming student: the International Office's officers and the coordinators of the
    host school (or a unit above it); at most 50."""
    from meridian.accounts.choices import Role
    from meridian.accounts.models import OrgUnit

    path = mobility.home_unit.path or ""
    above = [
        unit.pk
        for unit in OrgUnit.objects.all().only("pk", "path")
        if unit.path and path.startswith(unit.path)
    ]
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__role=Role.OFFICER)
            | Q(memberships__role=Role.COORDINATOR, memberships__unit_id__in=above)
        )
        .distinct()[:50]
    )


# --- acceptance --------------------------------------------------------------------------------------------


def letter_number_next(year: int) -> str:
    """The next free acceptance letter number of ``year``: ``ACC-<year>-<4 digits>``. Raises
    ``DomainError`` when the year's 9,999 numbers are used up."""
    head = f"{LETTER_PREFIX}-{year}-"
    numbers = Mobility.objects.filter(letter_number__startswith=head).values_list("letter_number", flat=True)
    highest = max((int(n[len(head) :]) for n in numbers if n[len(head) :].isdigit()), default=0)
    if highest >= 9999:
        raise DomainError(_("No acceptance letter number is left for %(year)s.") % {"year": year})
    return f"{head}{highest + 1:04d}"


def _assign_letter_number(mobility: Mobility) -> str:
    """Give the mobility its letter number (kept when it has one); retries when another acceptance took the
    same number at the same moment (the unique constraint decides)."""
    if mobility.letter_number:
        return mobility.letter_number
    year = timezone.localdate().year
    for _attempt in range(LETTER_ATTEMPTS):
        number = letter_number_next(year)
        try:
            with transaction.atomic():
                Mobility.objects.filter(pk=mobility.pk, letter_number="").update(letter_number=number)
        except IntegrityError:
            continue
        mobility.letter_number = number
        return number
    raise DomainError(_("No acceptance letter number could be reserved; please try again."))


@dataclass(frozen=True)
class AcceptanceIssued:
    """The letter number and the generated letters (English and Chinese twins)."""

    letter_number: str
    documents: list[Any]


def acceptance_issue(*, mobility: Mobility, actor: Any) -> AcceptanceIssued:
    """Issue the acceptance letter of an accepted incoming student (effect of the ``accept`` move).

    Gives the mobility its letter number ``ACC-<year>-<4 digits>`` (year of issue; unique, retried on a
    clash), generates the letter in English and Chinese through the documents platform (template
    ``documents_incoming.LETTER``: serial number and QR verification; the passport number printed on it is
    written to the access log under ``actor``) and, after commit, e-mails both to the student and the
    partner's coordinator contacts.

    Raises ``DomainError`` for an outgoing mobility or one not accepted, ``PermissionDeniedError`` when
    ``actor`` may not issue it, and the documents platform's ``DocumentError``; the move's transaction then
    rolls back and nothing is stored.
    """
    from meridian.mobility.documents_incoming import acceptance_generate

    if mobility.direction != Direction.INCOMING:
        raise DomainError(_("Acceptance letters are issued to incoming students only."))
    if mobility.state != MobilityState.ACCEPTED:
        raise DomainError(_("The student is not accepted."))
    number = _assign_letter_number(mobility)
    documents = [
        acceptance_generate(mobility=mobility, actor=actor, language=language) for language in ("en", "zh")
    ]
    ids = [d.pk for d in documents]
    transaction.on_commit(lambda: acceptance_email.enqueue(mobility.pk, ids))
    activity_record(
        target=mobility,
        verb="acceptance",
        actor=actor,
        message=lambda: _("Acceptance letter %(number)s issued") % {"number": number},
    )
    return AcceptanceIssued(letter_number=number, documents=documents)


def acceptance_recipients(mobility: Mobility) -> list[str]:
    """Addresses the acceptance letter goes to: the student, then the partner's coordinator contacts (who
    may see the student's personal data, ``permissions.can_see_personal_data``)."""
    return list(_acceptance_languages(mobility))


def _acceptance_languages(mobility: Mobility) -> dict[str, str | None]:
    """``acceptance_recipients`` in order, each with the language of its e-mail (``mail``; None: both)."""
    from meridian.mobility.mail import contact_language, user_language
    from meridian.partners.choices import PortalRole

    found: dict[str, str | None] = {}
    student = _student_email(mobility)
    if student:
        found[student] = user_language(mobility.student)
    contacts = mobility.partner.contacts.filter(portal_role=PortalRole.COORDINATOR).exclude(email="")
    for contact in contacts.select_related("user"):
        found.setdefault(contact.email.strip().lower(), contact_language(contact))
    return found


@task()
def acceptance_email(mobility_id: int, document_ids: list[int]) -> int:
    """E-mail the acceptance letters (PDF attachments) to ``acceptance_recipients``: one message per language,
    each recipient's own (English and Chinese together where it is not known), the first address of a
    message in "to" and the others in "cc". Returns the number of recipients (0 when the letters were revoked
    meanwhile)."""
    from meridian.documents.models import GeneratedDocument
    from meridian.mobility.mail import in_language

    mobility = (
        Mobility.objects.select_related("person", "partner", "home_unit", "student")
        .filter(pk=mobility_id)
        .first()
    )
    documents = list(GeneratedDocument.objects.filter(pk__in=document_ids, revoked_at__isnull=True))
    if mobility is None or not documents:
        return 0
    recipients = _acceptance_languages(mobility)
    if not recipients:
        return 0

    def build() -> tuple[str, str]:
        return (
            _("Acceptance letter %(number)s: %(name)s")
            % {"number": mobility.letter_number, "name": mobility.person.latin_name},
            _(
                "%(name)s is accepted for an exchange stay at %(unit)s (%(year)s, %(semester)s). "
                "The acceptance letter %(number)s is attached in English and Chinese; its authenticity "
                "can be confirmed through the QR code on each page. The student needs it for the visa "
                "application.\n\nInternational Office"
            )
            % {
                "name": mobility.person.latin_name,
                "unit": mobility.home_unit,
                "year": mobility.year_label,
                "semester": mobility.get_semester_display(),
                "number": mobility.letter_number,
            },
        )

    groups: dict[str | None, list[str]] = {}
    for address, language in recipients.items():
        groups.setdefault(language, []).append(address)
    attachments = []
    for document in documents:
        with document.file.open("rb") as handle:
            attachments.append((document.filename, handle.read(), "application/pdf"))
    for language, addresses in groups.items():
        subject, body = in_language(language, build)
        message = EmailMessage(subject=subject, body=body, to=addresses[:1], cc=addresses[1:])
        for attachment in attachments:
            message.attach(*attachment)
        message.send()
    return len(recipients)
