"""Who a user is in the organisation: the one place that turns memberships into reach.

Every app's own `permissions.py` builds on these helpers; no view reads memberships directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from meridian.accounts.choices import Role
from meridian.accounts.models import OrgUnit, User

UNIVERSITY_READ_ROLES = {Role.ADMINISTRATOR, Role.OFFICER, Role.LEADERSHIP}
UNIVERSITY_WRITE_ROLES = {Role.ADMINISTRATOR, Role.OFFICER}
INTERNAL_ROLES = {Role.ADMINISTRATOR, Role.OFFICER, Role.COORDINATOR, Role.STAFF, Role.LEADERSHIP}


@dataclass(frozen=True)
class Standing:
    """A user's roles and the units each role reaches (unit and descendants), computed once per request."""

    roles: frozenset[str] = frozenset()
    units_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    is_superuser: bool = False

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def units(self, *roles: str) -> frozenset[int]:
        found: set[int] = set()
        for role in roles:
            found |= self.units_by_role.get(role, frozenset())
        return frozenset(found)


ANONYMOUS = Standing()


def standing(user: User | AnonymousUser | None) -> Standing:
    """Return the user's standing, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_meridian_standing", None)
    if cached is not None:
        return cached
    memberships = list(user.memberships.select_related("unit").only("role", "unit__id", "unit__path"))
    roles = {m.role for m in memberships}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    paths_by_role: dict[str, list[str]] = {}
    for m in memberships:
        paths_by_role.setdefault(m.role, []).append(m.unit.path)
    units_by_role: dict[str, frozenset[int]] = {}
    if paths_by_role:
        all_units = list(OrgUnit.objects.values_list("id", "path"))
        for role, paths in paths_by_role.items():
            units_by_role[role] = frozenset(
                uid for uid, p in all_units if any(p.startswith(x) for x in paths)
            )
    result = Standing(roles=frozenset(roles), units_by_role=units_by_role, is_superuser=user.is_superuser)
    user._meridian_standing = result  # type: ignore[union-attr]
    return result


def is_administrator(user) -> bool:
    return standing(user).has(Role.ADMINISTRATOR)


def can_read_university(user) -> bool:
    """Administrators, officers and leadership read everything."""
    return standing(user).has(*UNIVERSITY_READ_ROLES)


def can_write_university(user) -> bool:
    """Administrators and officers change anything; leadership never changes anything."""
    return standing(user).has(*UNIVERSITY_WRITE_ROLES)


def is_internal(user) -> bool:
    """Staff of the university (every role but student and partner contact)."""
    return standing(user).has(*INTERNAL_ROLES)


def coordinated_unit_ids(user) -> frozenset[int]:
    """Units a coordinator may manage: each coordinated unit and its descendants."""
    return standing(user).units(Role.COORDINATOR)


def member_unit_ids(user) -> frozenset[int]:
    """Units whose work the user may read as coordinator or staff member."""
    return standing(user).units(Role.COORDINATOR, Role.STAFF)


def forget_standing(user) -> None:
    """Drop the cached standing (after memberships change within the same request)."""
    if hasattr(user, "_meridian_standing"):
        del user._meridian_standing
