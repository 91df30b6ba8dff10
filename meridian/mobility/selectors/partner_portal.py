"""Reads of the partner portal and of the office's nomination page.

Every read of the portal is restricted to the signed-in contact's own organisation (``permissions.
partner_contact_of``), on top of the context's visibility rules (``visible_to``): a contact of another
partner finds nothing, so the views answer 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from meridian.agreements.choices import AgreementState
from meridian.agreements.models import Agreement
from meridian.mobility import permissions
from meridian.mobility.choices import Direction, LearningAgreementState, MobilityState
from meridian.mobility.models import (
    Application,
    Call,
    CooperationCondition,
    LearningAgreement,
    Mobility,
    PartnerFactsheet,
    academic_year_label,
)
from meridian.mobility.services.partner_portal import RELEASED_STATES, nomination_deadline

WAITING_FOR_PARTNER = (MobilityState.NOMINATED, MobilityState.DOCUMENTS_REQUESTED)


@dataclass
class ConditionYear:
    """One cooperation condition in one academic year: ``places`` persons, ``used`` by mobilities that hold a
    place (all but rejected and cancelled), ``left`` (never below 0). ``year`` None: a condition of the whole
    agreement period with no mobility yet."""

    condition: CooperationCondition
    year: int | None
    used: int

    @property
    def year_label(self) -> str:
        return academic_year_label(self.year)

    @property
    def left(self) -> int:
        return max(self.condition.places - self.used, 0)

    @property
    def is_outgoing(self) -> bool:
        return self.condition.direction == Direction.OUTGOING


@dataclass
class PartnerHome:
    """What the partner portal's home page shows to one contact."""

    contact: Any
    partner: Any
    can_act: bool
    agreements: list[Agreement]
    conditions: list[ConditionYear]
    waiting: list[Mobility]
    incoming: list[Mobility]
    learning_agreements: list[LearningAgreement]
    contacts: list[Any]
    factsheet: PartnerFactsheet | None = None


def partner_mobilities(user) -> QuerySet[Mobility]:
    """The mobilities of the contact's own organisation (both directions), as far as ``user`` may see them;
    none for anyone who is not a partner contact."""
    partner_id = permissions.partner_id_of(user)
    if partner_id is None:
        return Mobility.objects.none()
    return Mobility.objects.visible_to(user).filter(partner_id=partner_id)


def partner_mobility_get(*, user, pk: int) -> Mobility | None:
    """One mobility of the contact's organisation with the student's data, or None (another partner's, or
    not a partner contact: the view answers 404)."""
    return (
        partner_mobilities(user)
        .select_related("person__nationality", "home_unit", "agreement", "condition", "application")
        .filter(pk=pk)
        .first()
    )


def partner_agreements(*, user, partner) -> QuerySet[Agreement]:
    """The agreements ``partner`` is party to that ``user`` may read."""
    return (
        Agreement.objects.visible_to(user)
        .filter(parties__partner=partner)
        .distinct()
        .order_by("-start_date", "number")
    )


def condition_years(*, user, partner) -> list[ConditionYear]:
    """The cooperation conditions with ``partner`` that ``user`` may see, each per academic year with the
    places used in its direction: a condition of one year gives one row; a condition of the whole agreement
    period gives a row per year that has mobilities (or one row without a year). Sorted by year, direction,
    mobility type. Two queries."""
    conditions = list(
        CooperationCondition.objects.visible_to(user)
        .filter(partner=partner)
        .select_related("agreement", "home_unit", "partner_unit")
        .prefetch_related("languages")
    )
    usage: dict[int, dict[int, int]] = defaultdict(dict)
    counts = (
        Mobility.objects.filter(condition__in=[c.pk for c in conditions])
        .exclude(state__in=RELEASED_STATES)
        .values("condition_id", "direction", "academic_year")
        .annotate(n=Count("pk"))
    )
    by_pk = {c.pk: c for c in conditions}
    for row in counts:
        condition = by_pk[row["condition_id"]]
        if row["direction"] == condition.direction:
            usage[condition.pk][row["academic_year"]] = row["n"]
    rows: list[ConditionYear] = []
    for condition in conditions:
        if condition.academic_year is not None:
            rows.append(
                ConditionYear(
                    condition, condition.academic_year, usage[condition.pk].get(condition.academic_year, 0)
                )
            )
        elif usage[condition.pk]:
            rows.extend(ConditionYear(condition, year, n) for year, n in sorted(usage[condition.pk].items()))
        else:
            rows.append(ConditionYear(condition, None, 0))
    rows.sort(
        key=lambda r: (r.year is None, -(r.year or 0), r.condition.direction, r.condition.mobility_type)
    )
    return rows


def partner_home(*, user) -> PartnerHome | None:
    """Everything the portal's home page shows to ``user``, or None when ``user`` is not a partner contact.

    Our nominations waiting for the partner's decision (outgoing, nominated or documents requested); their
    nominations to us (incoming, every state, newest year first); learning agreements signed by the student
    and waiting for the partner coordinator's signature (receiving side for outgoing, sending side for
    incoming); the organisation's contacts who have an account, with their portal role.
    """
    contact = permissions.partner_contact_of(user)
    if contact is None:
        return None
    partner = contact.partner
    mobilities = partner_mobilities(user).select_related("person", "home_unit")
    waiting = list(
        mobilities.filter(direction=Direction.OUTGOING, state__in=WAITING_FOR_PARTNER).order_by(
            "academic_year", "nominated_at", "pk"
        )
    )
    incoming = list(
        mobilities.filter(direction=Direction.INCOMING).order_by("-academic_year", "-nominated_at", "-pk")
    )
    unsigned = Q(mobility__direction=Direction.OUTGOING, receiving_signed_at__isnull=True) | Q(
        mobility__direction=Direction.INCOMING, sending_signed_at__isnull=True
    )
    learning_agreements = list(
        LearningAgreement.objects.filter(
            mobility__in=partner_mobilities(user), state=LearningAgreementState.SUBMITTED
        )
        .filter(unsigned)
        .select_related("mobility__person")
        .order_by("student_signed_at", "pk")
    )
    from meridian.partners.models import PartnerContact

    contacts = list(
        PartnerContact.objects.filter(partner=partner, user__isnull=False, user__is_active=True).order_by(
            "-is_primary", "name"
        )
    )
    return PartnerHome(
        contact=contact,
        partner=partner,
        can_act=permissions.acts_for_partner(user, partner.pk),
        agreements=list(partner_agreements(user=user, partner=partner)),
        conditions=condition_years(user=user, partner=partner),
        waiting=waiting,
        incoming=incoming,
        learning_agreements=learning_agreements,
        contacts=contacts,
        factsheet=PartnerFactsheet.objects.filter(partner=partner).first(),
    )


def incoming_conditions(*, user, partner) -> QuerySet[CooperationCondition]:
    """The incoming conditions (places for the partner's students) under agreements in force that ``user``
    may see: what a partner nominates under."""
    return (
        CooperationCondition.objects.visible_to(user)
        .filter(partner=partner, direction=Direction.INCOMING, agreement__state=AgreementState.ACTIVE)
        .select_related("agreement")
        .order_by("-academic_year", "mobility_type", "pk")
    )


def condition_deadlines(condition: CooperationCondition) -> dict[str, Any]:
    """The autumn and spring nomination deadlines of a condition of one academic year, as dates (None when
    it has none, or for a condition of the whole period)."""
    if condition.academic_year is None:
        return {"autumn": None, "spring": None}
    return {
        "autumn": nomination_deadline(
            condition=condition, academic_year=condition.academic_year, semester="autumn"
        ),
        "spring": nomination_deadline(
            condition=condition, academic_year=condition.academic_year, semester="spring"
        ),
    }


# --- the office's nomination page -----------------------------------------------------------------------


@dataclass
class NominationGroup:
    """The students of one call to nominate to one partner, and those nominated already."""

    partner: Any
    applications: list[Application]
    nominated: list[Mobility]


def nomination_groups(*, call: Call) -> list[NominationGroup]:
    """Per partner (by name), the call's applications with an accepted place there and the mobilities already
    nominated from this call. Two queries."""
    from meridian.mobility.services.nominations import nominable_applications

    groups: dict[int, NominationGroup] = {}
    for application in nominable_applications(call=call):
        destination = application.offered
        if destination is None:  # nominable_applications filters these out
            continue
        partner = destination.partner
        groups.setdefault(partner.pk, NominationGroup(partner, [], [])).applications.append(application)
    nominated = (
        Mobility.objects.filter(application__call=call, direction=Direction.OUTGOING)
        .select_related("partner", "person", "home_unit")
        .order_by("pk")
    )
    for mobility in nominated:
        groups.setdefault(mobility.partner_id, NominationGroup(mobility.partner, [], [])).nominated.append(
            mobility
        )
    return sorted(groups.values(), key=lambda g: str(g.partner))
