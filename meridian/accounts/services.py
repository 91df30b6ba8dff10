"""Writes for accounts and the organisational tree."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from meridian.accounts.choices import GrantAction, Role, UnitKind
from meridian.accounts.models import Membership, OrgUnit, RoleGrantRecord, User
from meridian.accounts.permissions import forget_standing, is_administrator
from meridian.core.errors import PermissionDeniedError


@transaction.atomic
def org_unit_create(
    *,
    kind: str,
    code: str,
    name_en: str,
    name_zh: str = "",
    parent: OrgUnit | None = None,
    is_international_office: bool = False,
) -> OrgUnit:
    unit = OrgUnit(
        kind=kind,
        code=code,
        name_en=name_en,
        name_zh=name_zh,
        parent=parent,
        is_international_office=is_international_office,
    )
    if kind != UnitKind.UNIVERSITY and parent is None:
        raise ValidationError({"parent": "Only the university itself has no parent unit."})
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    display_name: str = "",
    preferred_language: str = "en",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        display_name=display_name,
        preferred_language=preferred_language,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _record_grant(
    *, action: str, user: User, unit: OrgUnit, role: str, actor: User | None, note: str
) -> None:
    RoleGrantRecord.objects.create(
        action=action,
        user=user,
        username=user.get_username(),
        unit=unit,
        unit_name=unit.name_en[:200],
        role=role,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note[:300],
    )


def _check_granter(actor: User | None) -> None:
    if actor is not None and not is_administrator(actor):
        raise PermissionDeniedError(_("Only administrators may grant or revoke roles."))


@transaction.atomic
def membership_grant(
    *, user: User, unit: OrgUnit, role: str, actor: User | None = None, note: str = ""
) -> Membership:
    """Give `user` the `role` (a `Role` value) on `unit`, recording who granted it and when.

    Granting a role the user already holds there changes nothing and records nothing (it is idempotent).
    `actor` None means the system (set-up commands, demo data). Raises `ValidationError` for an unknown role
    and `PermissionDeniedError` when `actor` is not an administrator.
    """
    _check_granter(actor)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role: %(role)s") % {"role": role}})
    existing = Membership.objects.filter(user=user, unit=unit, role=role).first()
    if existing is not None:
        return existing
    membership = Membership.objects.create(
        user=user,
        unit=unit,
        role=Role(role),
        granted_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _record_grant(action=GrantAction.GRANTED, user=user, unit=unit, role=role, actor=actor, note=note)
    if role == Role.ADMINISTRATOR and not user.is_staff:
        # Administrators use the Django admin too.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget_standing(user)
    return membership


@transaction.atomic
def membership_revoke(
    *, user: User, unit: OrgUnit, role: str, actor: User | None = None, note: str = ""
) -> bool:
    """Take the `role` on `unit` away from `user`; the revocation is recorded with its actor and time.

    Returns False (and records nothing) when the user did not hold the role there. Raises
    `PermissionDeniedError` when `actor` is not an administrator.
    """
    _check_granter(actor)
    deleted, _rows = Membership.objects.filter(user=user, unit=unit, role=role).delete()
    if deleted:
        _record_grant(action=GrantAction.REVOKED, user=user, unit=unit, role=role, actor=actor, note=note)
    forget_standing(user)
    return bool(deleted)
