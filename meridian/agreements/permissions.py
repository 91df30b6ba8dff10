"""Who may see and change agreements, per state. Views, API, exports and downloads all ask here.

Visibility: administrators, officers and leadership see all agreements; coordinators and staff members see the
agreements of units within their reach; a partner contact sees agreements their organisation is party to;
students see none.

Changes: the lifecycle is draft → under review → approved → active → expired / terminated, and renewal
creates a successor and marks the old agreement renewed. Coordinators create and edit agreements of their
units while they are drafts, submit them for review and start renewals. Officers and administrators do
everything. Leadership changes nothing.
"""

from __future__ import annotations

from django.db.models import Q

from meridian.accounts.choices import Role
from meridian.accounts.permissions import (
    can_read_university,
    can_write_university,
    coordinated_unit_ids,
    member_unit_ids,
    standing,
)
from meridian.agreements.choices import AgreementState

S = AgreementState

# action: (allowed starting states, target state, roles beyond officers/administrators who may act)
TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    "submit": (frozenset({S.DRAFT}), S.UNDER_REVIEW, True),
    "return": (frozenset({S.UNDER_REVIEW}), S.DRAFT, False),
    "approve": (frozenset({S.UNDER_REVIEW}), S.APPROVED, False),
    "activate": (frozenset({S.APPROVED}), S.ACTIVE, False),
    "expire": (frozenset({S.ACTIVE}), S.EXPIRED, False),
    "terminate": (frozenset({S.ACTIVE, S.APPROVED}), S.TERMINATED, False),
    "renew": (frozenset({S.ACTIVE, S.EXPIRED}), S.RENEWED, True),
}


def agreement_visibility_filter(user) -> Q | None:
    """None means "everything"; otherwise the condition on Agreement rows the user may see."""
    if can_read_university(user):
        return None
    me = standing(user)
    condition = Q(pk__in=[])
    units = member_unit_ids(user)
    if units:
        condition |= Q(responsible_unit_id__in=units)
    if me.has(Role.PARTNER_CONTACT) and hasattr(user, "partner_contact"):
        from meridian.agreements.models import AgreementPartner

        party_of = AgreementPartner.objects.filter(partner_id=user.partner_contact.partner_id)
        condition |= Q(pk__in=party_of.values("agreement_id"))
    return condition


def can_create_agreement(user) -> bool:
    return can_write_university(user) or bool(coordinated_unit_ids(user))


def _coordinates(user, agreement) -> bool:
    return agreement.responsible_unit_id in coordinated_unit_ids(user)


def can_edit_agreement(user, agreement) -> bool:
    if agreement.state in (S.EXPIRED, S.TERMINATED, S.RENEWED):
        return False
    if can_write_university(user):
        return True
    return agreement.state == S.DRAFT and _coordinates(user, agreement)


def can_transition(user, agreement, action: str) -> bool:
    """May `user` take `action` on `agreement` now (state and role both checked)?"""
    starts, _target, coordinators_too = TRANSITIONS[action]
    if agreement.state not in starts:
        return False
    if can_write_university(user):
        return True
    return coordinators_too and _coordinates(user, agreement)


def can_upload_document(user, agreement) -> bool:
    if agreement.state in (S.EXPIRED, S.TERMINATED, S.RENEWED):
        return can_write_university(user)
    return can_write_university(user) or _coordinates(user, agreement)


def can_export_agreements(user) -> bool:
    return can_read_university(user) or bool(member_unit_ids(user))


def agreement_unit_filter(user) -> Q | None:
    """Units the user may make responsible for an agreement they create or edit (None means every unit)."""
    if can_write_university(user):
        return None
    return Q(pk__in=coordinated_unit_ids(user))
