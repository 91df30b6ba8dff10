"""Reads for accounts and the organisational tree."""

from django.db.models import Q, QuerySet

from meridian.accounts.choices import Role
from meridian.accounts.models import OrgUnit, User


def org_unit_descendants(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The unit and every unit below it."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def org_unit_ancestors(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    return OrgUnit.objects.filter(pk__in=ids).order_by("path")


def unit_coordinators(*, unit: OrgUnit) -> QuerySet[User]:
    """Active coordinators who reach `unit`: those holding the role on it or on any of its ancestors."""
    ancestor_ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    return (
        User.objects.filter(
            is_active=True, memberships__role=Role.COORDINATOR, memberships__unit_id__in=ancestor_ids
        )
        .distinct()
        .order_by("username")
    )


def org_unit_choices() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.order_by("path")


# Roles whose holders work for the university and may be named as the person responsible for something
# (a coordinator, a host, a deputy): never students, partner contacts or leadership viewers.
STAFF_ROLES = (Role.ADMINISTRATOR, Role.OFFICER, Role.COORDINATOR, Role.STAFF)
# Every role of the university's own people, leadership included (for posts such as a unit's leader).
INTERNAL_ROLES = (*STAFF_ROLES, Role.LEADERSHIP)
# Roles that reach the whole university: their holders are eligible whatever the unit.
UNIVERSITY_WIDE_ROLES = (Role.ADMINISTRATOR, Role.OFFICER)


def eligible_staff(
    *, unit: OrgUnit | None = None, keeping: int | None = None, roles: tuple[str, ...] = STAFF_ROLES
) -> QuerySet[User]:
    """Active people who may be named as responsible staff (coordinator, host, deputy) for `unit`.

    Eligible: holders of a staff role (administrator, officer, coordinator, staff member). With `unit`, only
    officers and administrators (university-wide) and those whose role is held on the unit, one of its
    ancestors or one of its descendants. Students, partner contacts and leadership viewers never are.
    `keeping` is the id of the person a record already names: kept valid, so an old record can be saved.
    `roles` widens or narrows the roles that count (`INTERNAL_ROLES` adds leadership, e.g. for posts).
    """
    people = User.objects.filter(is_active=True)
    if unit is None:
        condition = Q(memberships__role__in=roles)
    else:
        ancestor_ids = [int(p) for p in unit.path.strip("/").split("/") if p]
        condition = Q(memberships__role__in=UNIVERSITY_WIDE_ROLES) | Q(
            Q(memberships__role__in=roles),
            Q(memberships__unit_id__in=ancestor_ids) | Q(memberships__unit__path__startswith=unit.path),
        )
    chosen = Q(pk__in=people.filter(condition).values("pk"))
    if keeping is not None:
        chosen |= Q(pk=keeping)
    return User.objects.filter(chosen).order_by("display_name", "username")


def people_search(
    *, query: str, unit: OrgUnit | None = None, roles: tuple[str, ...] = STAFF_ROLES, limit: int = 20
) -> QuerySet[User]:
    """Eligible staff (see `eligible_staff`) whose name, user name (the staff number) or e-mail contains
    every word of `query`, ignoring case; names in any language or script. Empty query: no one."""
    words = query.split()
    if not words:
        return User.objects.none()
    people = eligible_staff(unit=unit, roles=roles)
    for word in words[:6]:
        people = people.filter(
            Q(display_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return people[:limit]


def unit_display_name(*, name: str) -> str:
    """``name`` in the reader's language when it is the English or Chinese name of one of our units (the
    unit's ``name``: Chinese on Chinese pages when it has one), else ``name`` unchanged (a person, or a unit
    we do not know). For texts that name an author or owner in writing, such as an article's author line."""
    text = (name or "").strip()
    if not text:
        return name
    unit = OrgUnit.objects.filter(Q(name_en=text) | Q(name_zh=text)).order_by("pk").first()
    return unit.name if unit is not None else name
