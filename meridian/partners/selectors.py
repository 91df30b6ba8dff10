"""Reads of partners, restricted to what the user may see and shaped for a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from meridian.core.activity import activity_for
from meridian.core.history import HistoryEntry, history_entries
from meridian.core.models import Activity
from meridian.partners import permissions
from meridian.partners.models import Partner, PartnerContact, PartnerUnit
from meridian.partners.services import find_duplicate


def partner_find_duplicate(
    *,
    ror_id: str = "",
    erasmus_code: str = "",
    pic: str = "",
    website: str = "",
    exclude_pk: int | None = None,
) -> Partner | None:
    """The partner that already holds this ROR ID, Erasmus code, PIC or website domain, if any."""
    found = find_duplicate(
        ror_id=ror_id, erasmus_code=erasmus_code, pic=pic, website=website, exclude_pk=exclude_pk
    )
    return found[0] if found else None


def visible_parties(user):
    """Agreement parties of agreements the user may see (for counts and agreement-based filters)."""
    from meridian.agreements.models import Agreement, AgreementPartner

    return AgreementPartner.objects.filter(agreement__in=Agreement.objects.visible_to(user).values("pk"))


def partner_list(*, user) -> QuerySet[Partner]:
    """Visible partners with country and unit joined and their visible agreements counted (no N+1)."""
    from meridian.agreements.choices import AgreementState

    parties = visible_parties(user).filter(partner=OuterRef("pk"))
    active = parties.filter(agreement__state=AgreementState.ACTIVE)
    today = timezone.localdate()
    soon = active.filter(
        agreement__end_date__gte=today,
        agreement__end_date__lte=today + timedelta(days=settings.EXPIRING_SOON_DAYS),
    )

    def counted(rows):
        return Coalesce(
            Subquery(rows.order_by().values("partner").annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
            output_field=IntegerField(),
        )

    return (
        Partner.objects.visible_to(user)
        .select_related("country", "owner_unit")
        .order_by("name", "pk")
        .annotate(
            agreement_count=counted(parties),
            active_agreement_count=counted(active),
            next_end_date=Subquery(
                active.filter(agreement__end_date__gte=today)
                .order_by()
                .values("partner")
                .annotate(first=Min("agreement__end_date"))
                .values("first")[:1]
            ),
            expiring_soon=Exists(soon),
        )
    )


@dataclass
class PartnerDetail:
    """Everything the 360° page shows, already restricted to what the user may see."""

    partner: Partner
    show_internal: bool
    contacts: list[PartnerContact] = field(default_factory=list)
    units: list[PartnerUnit] = field(default_factory=list)
    agreements: list = field(default_factory=list)
    children: list[Partner] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)


def partner_agreements(*, partner: Partner, user) -> QuerySet:
    """This partner's agreements that the user may see, newest first."""
    from meridian.agreements.models import Agreement

    return (
        Agreement.objects.visible_to(user)
        .filter(parties__partner=partner)
        .select_related("responsible_unit")
        .prefetch_related("channels")
        .order_by("-start_date", "-pk")
    )


def partner_detail(*, partner: Partner, user) -> PartnerDetail:
    """The 360° view: contacts, activity and history for staff only; agreements as far as visible."""
    from meridian.agreements.models import Agreement

    show_internal = permissions.can_see_internal_notes(user)
    agreements = list(partner_agreements(partner=partner, user=user))
    detail = PartnerDetail(
        partner=partner,
        show_internal=show_internal,
        units=list(partner.units.all()),
        agreements=agreements,
        children=list(Partner.objects.visible_to(user).filter(parent=partner).select_related("country")),
    )
    if show_internal:
        # Contacts, activity and history can reveal internal notes and people: university staff only.
        detail.contacts = list(partner.contacts.all())
        detail.activity = list(
            activity_for(targets={Partner: [partner.pk], Agreement: [a.pk for a in agreements]})
        )
        detail.history = history_entries(instance=partner)
    return detail


def partner_merge_candidates(*, user, partner: Partner, query: str, limit: int = 20) -> QuerySet[Partner]:
    """Visible partners (other than `partner`) whose names or identifiers contain `query`."""
    from meridian.partners.filters import text_condition

    if not query.strip():
        return Partner.objects.none()
    return (
        Partner.objects.visible_to(user)
        .exclude(pk=partner.pk)
        .filter(text_condition(query))
        .select_related("country")[:limit]
    )
