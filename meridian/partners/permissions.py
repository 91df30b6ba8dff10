"""Who may see and change partners. Every list, detail, API call, export and search asks here.

- Administrators, officers and leadership see every partner; coordinators and staff members too (the registry
  is shared across the university). Students see only partners marked public. A partner contact sees only
  their own organisation. Anonymous users see nothing here (the public portal has its own selectors).
- Administrators and officers change any partner and merge duplicates. Coordinators create partners and change
  those managed by a unit within their reach. Leadership, staff, students and partner contacts change nothing.
"""

from __future__ import annotations

from django.db.models import Q

from meridian.accounts.choices import Role
from meridian.accounts.permissions import (
    can_read_university,
    can_write_university,
    coordinated_unit_ids,
    is_internal,
    standing,
)


def partner_visibility_filter(user) -> Q | None:
    """None means "everything"; otherwise the condition on Partner rows the user may see."""
    if can_read_university(user) or is_internal(user):
        return None
    me = standing(user)
    condition = Q(pk__in=[])
    if me.has(Role.STUDENT):
        condition |= Q(is_public=True)
    if me.has(Role.PARTNER_CONTACT) and hasattr(user, "partner_contact"):
        condition |= Q(pk=user.partner_contact.partner_id)
    return condition


def can_list_partners(user) -> bool:
    """Who has a partner list at all: university staff (every partner), students (public partners) and
    partner contacts (their own organisation). Users without a role see none, so get no menu entry."""
    if can_read_university(user) or is_internal(user):
        return True
    me = standing(user)
    return me.has(Role.STUDENT) or (me.has(Role.PARTNER_CONTACT) and hasattr(user, "partner_contact"))


def can_create_partner(user) -> bool:
    return can_write_university(user) or bool(coordinated_unit_ids(user))


def can_edit_partner(user, partner) -> bool:
    if can_write_university(user):
        return True
    return partner.owner_unit_id is not None and partner.owner_unit_id in coordinated_unit_ids(user)


def can_merge_partners(user) -> bool:
    return can_write_university(user)


def can_see_internal_notes(user) -> bool:
    """Internal notes and contacts are for university staff, never students or partner contacts."""
    return is_internal(user)


def can_export_partners(user) -> bool:
    return is_internal(user)


def can_assign_owner_unit(user, unit_id: int | None) -> bool:
    """Officers give a partner to any unit; a coordinator only to a unit within their reach."""
    if can_write_university(user):
        return True
    return unit_id is not None and unit_id in coordinated_unit_ids(user)
