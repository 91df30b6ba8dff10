"""Who may see and change agreements, per state. Views, API, exports and downloads all ask here.

Visibility: administrators, officers and leadership see all agreements; coordinators and staff members see the
agreements of units within their reach, and any agreement whose approval step they decide or decided (a
legal-office lawyer, a dean, a deputy); a partner contact sees agreements their organisation is party to;
students see none.

Changes: the lifecycle (declared in casework.py) is draft → under review → approved → active → expired /
terminated, and renewal creates a successor and marks the old agreement renewed. Coordinators create and edit
agreements of their units while they are drafts, submit them for review and start renewals. Officers and
administrators do everything. Leadership, staff, students and partner contacts change nothing. Approval
steps are decided by the people the approval chain assigns (see meridian.workflow).
"""

from __future__ import annotations

from django.db.models import Q

from meridian.accounts.choices import Role
from meridian.accounts.permissions import (
    can_read_university,
    can_write_university,
    coordinated_unit_ids,
    is_internal,
    member_unit_ids,
    standing,
)
from meridian.agreements.choices import AgreementState

S = AgreementState


def _transition_table() -> dict[str, tuple[frozenset[str], str, bool]]:
    """move: (allowed starting states, target state, whether unit coordinators may take it too).

    Derived from the case-type declaration in casework.py, the one place the lifecycle is declared.
    """
    from meridian.agreements.casework import AGREEMENT, office_or_unit_coordinator

    return {
        t.name: (frozenset(t.sources), t.target, t.allowed is office_or_unit_coordinator)
        for t in AGREEMENT.transitions
    }


TRANSITIONS = _transition_table()


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
    if is_internal(user):
        # Approvers from other units (the legal or research office, a dean) read what they decide.
        from meridian.agreements.models import Agreement
        from meridian.workflow.selectors import assigned_case_ids

        condition |= Q(pk__in=assigned_case_ids(user=user, model=Agreement))
    return condition


def can_read_review(user) -> bool:
    """The review of an agreement (its moves, approval steps and reviewers' comments) is internal: partner
    contacts read their organisation's agreements but never the university's deliberation."""
    return is_internal(user)


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
    """May `user` take `action` on `agreement` now? State, role, guards and a running approval chain are all
    checked by the workflow engine from the declaration (unknown actions: False)."""
    from meridian.workflow.services import can_move

    if action not in TRANSITIONS:
        return False
    return can_move(case=agreement, user=user, move=action)


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
