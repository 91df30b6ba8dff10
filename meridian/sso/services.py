"""Sign-in through a campus provider: find or create the account, keep it and its person record current,
and give the default role on the person's unit.

Rules (README "Single sign-on"):
- The account is found through its `ExternalIdentity` (provider + CAS user name / OIDC subject), never by a
  user name that merely looks alike; the first sign-in creates the account and the link.
- Every sign-in updates the display name, e-mail and names on the account and the person record, and the
  unit when the provider names a known one. Roles granted by hand are never removed.
- The default role (SSO_STAFF_ROLE / SSO_STUDENT_ROLE) is granted on the unit whose OrgUnit.code the unit
  attribute gives. When the unit or the kind changes, the role sign-in granted before is revoked (unless an
  administrator had granted that same role there by hand) and the new one granted.
- An unknown unit code does not refuse the sign-in: the person signs in without a unit role and is told so.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.accounts.choices import GrantAction
from meridian.accounts.models import OrgUnit, RoleGrantRecord, User
from meridian.accounts.services import membership_grant, membership_revoke, user_create
from meridian.core.errors import DomainError
from meridian.people.choices import PersonKind
from meridian.people.models import Person
from meridian.people.services import person_create, person_update
from meridian.sso.choices import MemberKind
from meridian.sso.conf import ALLOWED_ROLES
from meridian.sso.mapping import CampusProfile
from meridian.sso.models import ExternalIdentity

logger = logging.getLogger(__name__)

GRANT_NOTE = "campus sign-in"
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")
_SWITCHABLE_KINDS = {PersonKind.STAFF, PersonKind.STUDENT}


@dataclass
class SignInResult:
    """The signed-in account, whether this sign-in created it, and notes to show the person."""

    user: User
    created: bool
    notes: list[str] = field(default_factory=list)


def _clean_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _free_username(wanted: str, provider: str) -> str:
    """`wanted` made safe for a user name, with ".<provider>" (and a number) added while it is taken."""
    base = _USERNAME_UNSAFE.sub("_", wanted)[:130] or provider
    candidates = [base, f"{base}.{provider}"] + [f"{base}.{provider}{n}" for n in range(2, 1000)]
    for candidate in candidates:
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    raise DomainError(_("No free user name for this campus account."))


def _default_role(kind: str) -> str:
    role = settings.SSO_STUDENT_ROLE if kind == MemberKind.STUDENT else settings.SSO_STAFF_ROLE
    return role if kind and role in ALLOWED_ROLES else ""


def _update_user(user: User, profile: CampusProfile) -> None:
    changes = {
        "display_name": profile.display_name,
        "email": _clean_email(profile.email),
        "first_name": profile.given_name[:150],
        "last_name": profile.family_name[:150],
    }
    changed = [n for n, v in changes.items() if v and getattr(user, n) != v]
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        user.save(update_fields=changed)


def _person_names(profile: CampusProfile, person: Person | None) -> dict[str, str]:
    """Latin family/given names from their own attributes; a Chinese display name goes to `name_zh`."""
    names: dict[str, str] = {}
    if profile.family_name:
        names["family_name"] = profile.family_name
        names["given_name"] = profile.given_name
    if profile.display_name and profile.name_is_chinese:
        names["name_zh"] = profile.display_name[:60]
    if "family_name" not in names and (person is None or not person.family_name):
        # The model needs a family name: until someone enters the passport spelling, the name given.
        names["family_name"] = (profile.display_name or profile.username)[:100]
    return names


def _sync_person(user: User, profile: CampusProfile, unit: OrgUnit | None) -> None:
    """Create or update the person record linked to `user` through people's services."""
    fields: dict[str, Any] = {"email": _clean_email(profile.email)}
    if profile.member_number:
        fields["member_number"] = profile.member_number
    if unit is not None:
        fields["unit"] = unit
    person = Person.objects.filter(user=user).first()
    if person is None and profile.member_number and profile.kind:
        # A record the International Office kept before the first sign-in: same staff or student number.
        matches = list(
            Person.objects.filter(
                user__isnull=True,
                member_number=profile.member_number,
                kind__in=_SWITCHABLE_KINDS,
                purged_at__isnull=True,
            )[:2]
        )
        if len(matches) == 1:
            person = matches[0]
            fields["user"] = user
    fields.update(_person_names(profile, person))
    fields = {k: v for k, v in fields.items() if v not in ("", None)}
    try:
        if person is None:
            if not profile.kind:
                return  # neither student nor staff: no record until someone decides
            person_create(actor=None, allow_duplicate=True, kind=profile.kind, user=user, **fields)
            return
        if profile.kind and person.kind in _SWITCHABLE_KINDS:
            fields["kind"] = profile.kind
        person_update(person=person, actor=None, allow_duplicate=True, **fields)
    except (ValidationError, DomainError) as exc:
        # The account still signs in; the record is left for the International Office to put right.
        logger.warning("Campus sign-in could not update the person record of %s: %s", user.pk, exc)


def _granted_by_hand(user: User, unit: OrgUnit, role: str) -> bool:
    return RoleGrantRecord.objects.filter(
        user=user, unit=unit, role=role, action=GrantAction.GRANTED, actor__isnull=False
    ).exists()


def _sync_role(identity: ExternalIdentity, unit: OrgUnit | None, role: str) -> None:
    """Move the default role sign-in granted to (`unit`, `role`); roles granted by hand stay."""
    if unit is None or not role:
        return
    if identity.granted_unit_id == unit.pk and identity.granted_role == role:
        return  # granted before (and perhaps revoked by hand since: then it stays revoked)
    user = identity.user
    old_unit, old_role = identity.granted_unit, identity.granted_role
    if old_unit is not None and old_role and not _granted_by_hand(user, old_unit, old_role):
        membership_revoke(user=user, unit=old_unit, role=old_role, note=GRANT_NOTE)
    membership_grant(user=user, unit=unit, role=role, note=GRANT_NOTE)
    identity.granted_unit, identity.granted_role = unit, role


@transaction.atomic
def campus_sign_in(*, profile: CampusProfile) -> SignInResult | None:
    """Sign-in of the person `profile` describes: returns the account to log in, or None for a deactivated
    account (Django's `is_active`). Raises `DomainError` only when no user name can be found for a new
    account. Writes the account, the person record (people.services) and the role (accounts.services).
    """
    identity = (
        ExternalIdentity.objects.select_for_update(of=("self",))
        .select_related("user", "granted_unit")
        .filter(provider=profile.provider, subject=profile.subject)
        .first()
    )
    created = identity is None
    if identity is None:
        user = user_create(
            username=_free_username(profile.username, profile.provider),
            email=_clean_email(profile.email),
            first_name=profile.given_name[:150],
            last_name=profile.family_name[:150],
            display_name=profile.display_name,
        )
        identity = ExternalIdentity.objects.create(
            provider=profile.provider, subject=profile.subject, user=user
        )
    else:
        user = identity.user
        if not user.is_active:
            return None
        _update_user(user, profile)

    result = SignInResult(user=user, created=created)
    unit = OrgUnit.objects.filter(code__iexact=profile.unit_code).first() if profile.unit_code else None
    if profile.unit_code and unit is None:
        result.notes.append(
            _(
                "Your campus account names the unit “%(code)s”, which Meridian does not know. You are signed "
                "in without a role on a unit; ask the International Office to give you one."
            )
            % {"code": profile.unit_code}
        )
    elif not profile.kind and created:
        result.notes.append(
            _(
                "Your campus account does not say whether you are a student or a staff member. You are "
                "signed in without a role on a unit; ask the International Office to give you one."
            )
        )
    _sync_person(user, profile, unit)
    _sync_role(identity, unit, _default_role(profile.kind))
    identity.last_login_at = timezone.now()
    identity.save()
    return result
