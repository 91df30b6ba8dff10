"""Writes for accounts and the organisational tree."""

from django.db import transaction

from meridian.accounts.choices import Role, UnitKind
from meridian.accounts.models import Membership, OrgUnit, User
from meridian.accounts.permissions import forget_standing


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
        from django.core.exceptions import ValidationError

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


@transaction.atomic
def membership_grant(*, user: User, unit: OrgUnit, role: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(user=user, unit=unit, role=Role(role))
    if role == Role.ADMINISTRATOR and not user.is_staff:
        # Administrators use the Django admin too.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget_standing(user)
    return membership


@transaction.atomic
def membership_revoke(*, user: User, unit: OrgUnit, role: str) -> None:
    Membership.objects.filter(user=user, unit=unit, role=role).delete()
    forget_standing(user)
