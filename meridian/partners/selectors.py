"""Reads of partners, restricted to what the user may see and shaped for a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable
from django.utils.translation import gettext as _

from meridian.core.activity import activity_for
from meridian.core.history import HistoryEntry, history_entries
from meridian.core.models import Activity
from meridian.core.registry import registry
from meridian.core.sorting import localised_sort_field
from meridian.partners import permissions
from meridian.partners.choices import RelationshipStatus
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


def active_partner_condition() -> Q:
    """The definition of an "active partner", as a condition on ``Partner`` rows.

    A partner is active when its relationship status is active, or when any rule other contexts register in
    ``registry.active_partner_rules`` holds (agreements: "party to an active agreement"). Public or not does
    not matter. The dashboard, the public figures, the Global Partnership page and the reports all count
    with this condition, so they agree.
    """
    condition = Q(status=RelationshipStatus.ACTIVE)
    for rule in registry.active_partner_rules:
        condition |= rule.condition()
    return condition


def active_partner_description() -> str:
    """What "active partner" counts, in words, in the current language (shown next to the figures)."""
    reasons = [str(_("its relationship status is active"))] + [
        str(rule.label) for rule in registry.active_partner_rules
    ]
    return _("A partner counts as active when %(reasons)s.") % {"reasons": str(_(" or ")).join(reasons)}


def active_partners(queryset: QuerySet[Partner] | None = None) -> QuerySet[Partner]:
    """Active partners among `queryset` (every partner by default); see `active_partner_condition`."""
    base = Partner.objects.all() if queryset is None else queryset
    return base.filter(active_partner_condition())


def public_partner_condition() -> Q:
    """The definition of a "public partner": marked to be shown on the public site (``is_public``).

    The public directory, its map, feeds and widget list exactly these partners, active or not.
    """
    return Q(is_public=True)


def public_partners() -> QuerySet[Partner]:
    """Every public partner (see `public_partner_condition`)."""
    return Partner.objects.filter(public_partner_condition())


def attach_row_facts(partners: list[Partner], *, user) -> list[Partner]:
    """Give each partner the figures other contexts attach for list rows (``registry.partner_row_facts``).

    Every partner first gets each entry's defaults, so templates, serializers and exports can rely on the
    attributes; then each entry attaches its figures in its own fixed number of queries.
    """
    entries = list(registry.partner_row_facts)
    for partner in partners:
        for entry in entries:
            for name, value in entry.defaults.items():
                setattr(partner, name, value)
    if partners:
        for entry in entries:
            entry.attach(partners, user)
    return partners


# Partners counted per grouped query when many rows are read at once (export, API without paging).
STATS_BATCH = 1000


class _StatsIterable(ModelIterable):
    """Partners with their row figures (e.g. agreement counts), fetched per batch after the rows themselves.

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
                yield from attach_row_facts(batch, user=user)
                batch = []
        yield from attach_row_facts(batch, user=user)


class PartnerListQuerySet(PartnerQuerySet):
    """Visible partners whose rows come with the figures other contexts attach (as the user sees them)."""

    _stats_user = None

    def with_row_facts(self, user) -> PartnerListQuerySet:
        clone = self._chain()
        clone._stats_user = user
        clone._iterable_class = _StatsIterable
        return clone

    def _clone(self) -> PartnerListQuerySet:
        clone = super()._clone()
        clone._stats_user = self._stats_user
        return clone


def partner_list(*, user) -> QuerySet[Partner]:
    """Visible partners with country and unit joined; each row read gets the registered row figures.

    The figures (for example agreement_count, active_agreement_count, next_end_date, expiring_soon from
    agreements) are attached when rows are fetched, so filtering, counting and paging stay on the plain
    partner table.
    """
    return (
        PartnerListQuerySet(model=Partner)
        .visible_to(user)
        .select_related("country", "owner_unit")
        # By the name shown, in the reader's language (Chinese by pinyin), read from the sort key's index.
        .order_by(localised_sort_field(), "pk")
        .with_row_facts(user)
    )


@dataclass
class PartnerDetail:
    """What the partners context itself shows on the 360° page, already restricted to what the user may see.

    Other contexts add their panels through ``registry.partner_panels`` (see `partner_panels`).
    """

    partner: Partner
    show_internal: bool
    contacts: list[PartnerContact] = field(default_factory=list)
    units: list[PartnerUnit] = field(default_factory=list)
    children: list[Partner] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)


def partner_activity_targets(*, partner: Partner, user) -> dict[type, list[int]]:
    """The records whose activity shows on the partner page: the partner, and what contexts register."""
    targets: dict[type, list[int]] = {Partner: [partner.pk]}
    for source in registry.partner_activity:
        for model, ids in source.targets(partner, user).items():
            targets.setdefault(model, []).extend(ids)
    return targets


def partner_detail(*, partner: Partner, user) -> PartnerDetail:
    """The partner's own facts: contacts, activity and history for staff only; units and members for all."""
    show_internal = permissions.can_see_internal_notes(user)
    detail = PartnerDetail(
        partner=partner,
        show_internal=show_internal,
        units=list(partner.units.all()),
        children=list(Partner.objects.visible_to(user).filter(parent=partner).select_related("country")),
    )
    if show_internal:
        # Contacts, activity and history can reveal internal notes and people: university staff only.
        detail.contacts = list(partner.contacts.all())
        detail.activity = list(
            activity_for(targets=partner_activity_targets(partner=partner, user=user), user=user)
        )
        detail.history = history_entries(instance=partner)
    return detail


@dataclass(frozen=True)
class RenderedPanel:
    """A panel of the partner page ready for the template: ``template`` rendered with ``context``."""

    key: str
    title: str
    template: str
    context: dict
    wide: bool = False


def partner_panels(*, partner: Partner, user, base: dict | None = None) -> list[RenderedPanel]:
    """The panels of the 360° page the user may see, in registry order.

    Each panel's context is its entry's ``context(partner, user)`` on top of `base` (the page context: the
    partner, the detail, can_edit), so a panel template can use both.
    """
    panels = []
    for entry in registry.partner_panels:
        if not entry.visible(partner, user):
            continue
        context = {**(base or {}), **entry.context(partner, user)}
        panels.append(RenderedPanel(entry.key, str(entry.title), entry.template, context, entry.wide))
    return panels


def partner_actions(*, partner: Partner, user) -> list[dict]:
    """Buttons other contexts add to the partner page head: ``[{"label", "url", "primary"}]``."""
    return [
        {"key": a.key, "label": a.label, "url": a.url(partner), "primary": a.primary}
        for a in registry.partner_actions
        if a.visible(partner, user)
    ]


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


def partner_picker_search(*, user, query: str, limit: int = 20) -> list[Partner]:
    """Partners `user` may see whose names (English, Chinese, official, acronym), place or identifiers
    (ROR ID, Erasmus code, PIC, SCHAC code) contain every word of `query`, for the partner picker.

    Empty query: none. At most `limit` partners, by official name.
    """
    from meridian.partners.filters import text_condition

    if not query.strip():
        return []
    return list(
        Partner.objects.visible_to(user)
        .filter(text_condition(query))
        .select_related("country")
        .order_by("name")[:limit]
    )


def partner_picker_detail(partner: Partner) -> str:
    """The secondary line of a picker result: the names in the other languages, country and identifiers."""
    names = [n for n in (partner.name, partner.name_en, partner.name_zh) if n and n != partner.display_name]
    country = partner.country.name if partner.country_id else ""
    ids = [f"ROR {partner.ror_id}" if partner.ror_id else "", partner.erasmus_code, partner.pic]
    return " · ".join(dict.fromkeys(v for v in [*names, country, *ids] if v))


def partners_for_institutions(*, user, institutions: Iterable[Any]) -> dict[int, Partner]:
    """Registry institution id → the partner `user` may see that is already that institution.

    A partner is the institution when it is linked to it (`registry_institution`) or holds its ROR ID, its
    Erasmus code (compared without padding, see `meridian.reference.erasmus.erasmus_key`) or its PIC; the
    oldest such partner wins. Institutions without a partner are absent. One query.
    """
    from meridian.reference.erasmus import erasmus_key

    found: dict[int, Partner] = {}
    insts = list(institutions)
    if not insts:
        return found
    ids = {inst.pk for inst in insts}
    by_ror = {inst.ror_id: inst.pk for inst in insts if inst.ror_id}
    by_code = {erasmus_key(inst.erasmus_code): inst.pk for inst in insts if inst.erasmus_code}
    by_pic = {inst.pic: inst.pk for inst in insts if inst.pic}
    condition = Q(registry_institution_id__in=ids) | Q(ror_id__in=by_ror) | Q(pic__in=by_pic)
    for key in by_code:
        # Stored codes differ from the registry's only in padding: narrow by the first letter.
        condition |= Q(erasmus_code__istartswith=key[0]) & ~Q(erasmus_code="")
    partners = Partner.objects.visible_to(user).filter(condition).order_by("pk")
    fields = ("name", "name_en", "name_zh", "registry_institution_id", "ror_id", "pic", "erasmus_code")
    for partner in partners.only(*fields):
        matches = (
            partner.registry_institution_id if partner.registry_institution_id in ids else None,
            by_ror.get(partner.ror_id),
            by_code.get(erasmus_key(partner.erasmus_code)) if partner.erasmus_code else None,
            by_pic.get(partner.pic),
        )
        for inst_id in matches:
            if inst_id is not None:
                found.setdefault(inst_id, partner)
    return found
