"""Who must use a second factor: the one place that decides it."""

from __future__ import annotations

from django.conf import settings

from meridian.accounts.choices import Role
from meridian.accounts.models import User


def required_roles() -> set[str]:
    """The roles named in ``TWO_FACTOR_REQUIRED_ROLES`` (unknown names are ignored; empty = nobody)."""
    return {role for role in settings.TWO_FACTOR_REQUIRED_ROLES if role in Role.values}


def two_factor_required(user: User) -> bool:
    """True when ``user`` holds a role listed in ``TWO_FACTOR_REQUIRED_ROLES`` on any unit.

    A superuser counts as an administrator. Runs at most one query, none when no role is configured.
    """
    roles = required_roles()
    if not roles or not user.is_authenticated:
        return False
    if Role.ADMINISTRATOR in roles and user.is_superuser:
        return True
    return user.memberships.filter(role__in=roles).exists()
