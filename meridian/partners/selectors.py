"""Reads of partners, restricted to what the user may see and shaped for a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone

from meridian.core.activity import activity_for
from meridian.core.history import HistoryEntry, history_entries
from meridian.core.models import Activity
from meridian.partners import permissions
from meridian.partners.models import Partner, PartnerContact, PartnerQuerySet, PartnerUnit
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


def visible_parties(user) -> QuerySet:
    """Agreement parties of agreements the user may see (for counts and agreement-based filters)."""
    from meridian.agreements.models import Agreement, AgreementPartner
    from meridian.agreements.permissions import agreement_visibility_filter

    parties = AgreementPartner.objects.all()
    if agreement_visibility_filter(user) is None:
        # Sees every agreement: a restriction would only make the database do more work.
        return parties
    return parties.filter(agreement__in=Agreement.objects.visible_to(user).values("pk"))


@dataclass(frozen=True)
class AgreementStats:
    """A partner's agreements as far as the user may see them."""

    agreement_count: int = 0
    active_agreement_count: int = 0
    next_end_date: date | None = None

    @property
    def expiring_soon(self) -> bool:
        soon = timezone.localdate() + timedelta(days=settings.EXPIRING_SOON_DAYS)
        return self.next_end_date is not None and self.next_end_date <= soon


def partner_agreement_stats(*, partner_ids: Iterable[int], user) -> dict[int, AgreementStats]:
    """Counts and the next end date of visible agreements for these partners, in one grouped query."""
    from meridian.agreements.choices import AgreementState
    from meridian.agreements.models import Agreement

    ids = list(partner_ids)
    if not ids:
        return {}
    active = Q(state=AgreementState.ACTIVE)
    # Grouped over the agreement-party join; the visibility condition applies to the joined agreement
    # row, so the database starts from these few partners instead of every agreement the user may see.
    rows = (
        Agreement.objects.visible_to(user)
        .filter(parties__partner_id__in=ids)
        .order_by()
        .values("parties__partner_id")
        .annotate(
            total=Count("pk"),
            active=Count("pk", filter=active),
            next_end=Min("end_date", filter=active & Q(end_date__gte=timezone.localdate())),
        )
    )
    return {
        row["parties__partner_id"]: AgreementStats(row["total"], row["active"], row["next_end"])
        for row in rows
    }


def attach_agreement_stats(partners: list[Partner], *, user) -> list[Partner]:
    """Set agreement_count, active_agreement_count, next_end_date and expiring_soon on each partner."""
    stats = partner_agreement_stats(partner_ids=[p.pk for p in partners], user=user)
    for partner in partners:
        row = stats.get(partner.pk, AgreementStats())
        partner.agreement_count = row.agreement_count
        partner.active_agreement_count = row.active_agreement_count
        partner.next_end_date = row.next_end_date
        partner.expiring_soon = row.expiring_soon
    return partners


# Partners counted per grouped query when many rows are read at once (export, API without paging).
STATS_BATCH = 1000


class _StatsIterable(ModelIterable):
    """Partners with their agreement figures, fetched per batch of rows after the rows themselves.

    Annotating every row with subqueries makes the database compute the figures for all matching
    partners before it sorts and cuts out a page; this way only the rows actually read are counted,
    with one grouped query per page (or per export chunk), however many partners match.
    """

    def __iter__(self) -> Iterator[Partner]:
        user = self.queryset._stats_user
        batch: list[Partner] = []
        size = max(self.chunk_size, STATS_BATCH)
        for partner in super().__iter__():
            batch.append(partner)
            if len(batch) >= size:
                yield from attach_agreement_stats(batch, user=user)
                batch = []
        yield from attach_agreement_stats(batch, user=user)


class PartnerListQuerySet(PartnerQuerySet):
    """Visible partners whose rows come with the user's agreement figures attached."""

    _stats_user = None

    def with_agreement_stats(self, user) -> PartnerListQuerySet:
        clone = self._chain()
        clone._stats_user = user
        clone._iterable_class = _StatsIterable
        return clone

    def _clone(self) -> PartnerListQuerySet:
        clone = super()._clone()
        clone._stats_user = self._stats_user
        return clone


def partner_list(*, user) -> QuerySet[Partner]:
    """Visible partners with country and unit joined; each row read gets its visible agreements counted.

    The figures (agreement_count, active_agreement_count, next_end_date, expiring_soon) are attached when
    rows are fetched, so filtering, counting and paging stay on the plain partner table.
    """
    return (
        PartnerListQuerySet(model=Partner)
        .visible_to(user)
        .select_related("country", "owner_unit")
        .order_by("name", "pk")
        .with_agreement_stats(user)
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
