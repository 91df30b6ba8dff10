"""Reads for accounts and the organisational tree."""

from django.db.models import QuerySet

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
