"""Reads for agreements, restricted to what the user may see and shaped for a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from meridian.agreements import permissions
from meridian.agreements.choices import AgreementState, AgreementType, Channel
from meridian.agreements.models import Agreement, AgreementChannel, AgreementPartner
from meridian.core.activity import activity_for
from meridian.core.history import HistoryEntry, history_entries
from meridian.core.i18n import localised
from meridian.core.search_index import search_filter, search_terms
from meridian.workflow.services import MoveOption, moves_for


def agreement_list(*, user) -> QuerySet[Agreement]:
    """Visible agreements with their unit, parties (partner and country) and channels loaded in bulk."""
    parties = AgreementPartner.objects.select_related("partner__country").order_by("partner__name")
    return (
        Agreement.objects.visible_to(user)
        .select_related("responsible_unit")
        .prefetch_related(Prefetch("parties", queryset=parties), "channels")
    )


def agreement_get(*, user, pk: int) -> Agreement:
    """One visible agreement (Agreement.DoesNotExist for missing and invisible alike)."""
    return (
        Agreement.objects.visible_to(user)
        .select_related("responsible_unit", "home_coordinator", "created_by")
        .get(pk=pk)
    )


def agreement_moves(*, user, agreement: Agreement) -> list[MoveOption]:
    """The lifecycle moves open to the user's role in the agreement's state, in declaration order; each is
    `available` or carries the `reasons` it is not (a missing start date, a running approval chain, …)."""
    return moves_for(case=agreement, user=user)


def allowed_actions(*, user, agreement: Agreement) -> list[str]:
    """The lifecycle actions (renew included) the user may take now, in lifecycle order."""
    return [m.name for m in agreement_moves(user=user, agreement=agreement) if m.available]


@dataclass
class AgreementDetail:
    agreement: Agreement
    parties: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    signatories: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    moves: list[MoveOption] = field(default_factory=list)
    addenda: list = field(default_factory=list)
    successor: Agreement | None = None
    umbrella: Agreement | None = None
    renews: Agreement | None = None
    actions: list[str] = field(default_factory=list)
    activity: list = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    can_edit: bool = False
    can_upload: bool = False


def agreement_detail(*, user, agreement: Agreement) -> AgreementDetail:
    """Everything the detail page and API detail show; related agreements only when the user may see them."""
    visible = Agreement.objects.visible_to(user)
    moves = agreement_moves(user=user, agreement=agreement)
    return AgreementDetail(
        agreement=agreement,
        parties=list(
            agreement.parties.select_related("partner__country", "partner_unit", "coordinator").order_by(
                "partner__name"
            )
        ),
        channels=list(agreement.channels.all()),
        signatories=list(agreement.signatories.select_related("partner")),
        documents=list(agreement.documents.select_related("uploaded_by")),
        addenda=list(visible.filter(umbrella=agreement).order_by("number")),
        successor=visible.filter(renews=agreement).first(),
        umbrella=visible.filter(pk=agreement.umbrella_id).first() if agreement.umbrella_id else None,
        renews=visible.filter(pk=agreement.renews_id).first() if agreement.renews_id else None,
        actions=[m.name for m in moves if m.available],
        moves=moves,
        activity=list(activity_for(targets={Agreement: [agreement.pk]}, user=user)),
        history=history_entries(instance=agreement) if permissions.can_read_review(user) else [],
        can_edit=permissions.can_edit_agreement(user, agreement),
        can_upload=permissions.can_upload_document(user, agreement),
    )


def agreement_counts_by_state(*, user) -> dict[str, int]:
    """Number of visible agreements in each state (every state present, zero when none)."""
    counts = dict.fromkeys(AgreementState.values, 0)
    rows = Agreement.objects.visible_to(user).order_by().values("state").annotate(n=Count("pk"))
    for row in rows:
        counts[row["state"]] = row["n"]
    return counts


def agreements_expiring(*, user, days: int) -> QuerySet[Agreement]:
    """Visible active agreements ending within `days`, soonest first."""
    return agreement_list(user=user).expiring_within(days).order_by("end_date", "number")


# --- Definitions and reads that other contexts and the hubs use through the extension registry ---


def active_agreement_condition(prefix: str = "") -> Q:
    """The definition of an "active agreement": signed and in force, i.e. in the ACTIVE state.

    `prefix` is the lookup path to the agreement (``"agreement__"`` from an agreement party row). Approved but
    unsigned, expired, terminated and renewed agreements are not active. Used by the dashboard, the partner
    list, the public figures, the map and the reports alike.
    """
    return Q(**{f"{prefix}state": AgreementState.ACTIVE})


def active_agreements() -> QuerySet[Agreement]:
    """Every active agreement (see `active_agreement_condition`), whoever may see it: for aggregates only."""
    return Agreement.objects.filter(active_agreement_condition())


def active_party_ids(condition: Q | None = None) -> QuerySet:
    """Ids of partners that are party to an active agreement (matching `condition` on the party row).

    A values-queryset usable as ``pk__in=``; drafts and ended agreements never count.
    """
    rows = AgreementPartner.objects.filter(active_agreement_condition("agreement__"))
    if condition is not None:
        rows = rows.filter(condition)
    return rows.order_by().values("partner_id")


def visible_parties(user) -> QuerySet[AgreementPartner]:
    """Agreement parties of agreements the user may see (for counts and agreement-based partner filters)."""
    parties = AgreementPartner.objects.all()
    if permissions.agreement_visibility_filter(user) is None:
        # Sees every agreement: a restriction would only make the database do more work.
        return parties
    return parties.filter(agreement__in=Agreement.objects.visible_to(user).values("pk"))


def visible_party_ids(user, condition: Q) -> QuerySet:
    """Ids of partners in parties of agreements the user may see matching `condition` (a plain subquery)."""
    return visible_parties(user).filter(condition).order_by().values("partner_id")


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
    """Counts and the next end date of visible agreements for these partners, in one grouped query.

    Returns ``{partner_id: AgreementStats}``; partners without visible agreements are absent.
    """
    ids = list(partner_ids)
    if not ids:
        return {}
    active = active_agreement_condition()
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


def attach_partner_agreement_stats(partners: list, user) -> None:
    """Set agreement_count, active_agreement_count, next_end_date and expiring_soon on each partner."""
    stats = partner_agreement_stats(partner_ids=[p.pk for p in partners], user=user)
    for partner in partners:
        row = stats.get(partner.pk, AgreementStats())
        partner.agreement_count = row.agreement_count
        partner.active_agreement_count = row.active_agreement_count
        partner.next_end_date = row.next_end_date
        partner.expiring_soon = row.expiring_soon


def partner_agreements(*, partner, user) -> QuerySet[Agreement]:
    """This partner's agreements that the user may see, newest first, with unit and channels loaded."""
    return (
        Agreement.objects.visible_to(user)
        .filter(parties__partner=partner)
        .select_related("responsible_unit")
        .prefetch_related("channels")
        .order_by("-start_date", "-pk")
    )


# Up to this many partners, a look-up names them in the query (`IN (...)`); beyond it, it reads the active
# agreements of every partner and keeps the wanted ones. SQLite probes a long `IN` list once for every joined
# row, so a feed of 7,000 partners took minutes; the active agreements are read in well under a second.
PARTNER_IN_LIST_LIMIT = 500


def public_channels_by_partner(partner_ids: list[int]) -> dict[int, list[str]]:
    """Cooperation channels of each partner's active agreements, in the order of the choices (one query).

    Returns ``{partner_id: [channel value, ...]}`` for the partners in ``partner_ids`` that have any."""
    wanted = set(partner_ids)
    rows = AgreementChannel.objects.filter(active_agreement_condition("agreement__"))
    if len(wanted) <= PARTNER_IN_LIST_LIMIT:
        rows = rows.filter(agreement__parties__partner_id__in=wanted)
    found: dict[int, set[str]] = {}
    for partner_id, channel in (
        rows.order_by().values_list("agreement__parties__partner_id", "channel").distinct()
    ):
        if partner_id in wanted:
            found.setdefault(partner_id, set()).add(channel)
    return {pk: [value for value in Channel.values if value in used] for pk, used in found.items()}


def public_agreements_by_partner(partner_ids: list[int]) -> dict[int, list[dict]]:
    """Public facts (title, start, end) of each partner's active agreements, newest first (one query).

    Returns ``{partner_id: [{"title": str, "start": date | None, "end": date | None}]}``; nothing internal.
    """
    wanted = set(partner_ids)
    parties = AgreementPartner.objects.filter(active_agreement_condition("agreement__"))
    if len(wanted) <= PARTNER_IN_LIST_LIMIT:
        parties = parties.filter(partner_id__in=wanted)
    rows = (
        parties.select_related(None)
        .order_by("-agreement__start_date", "agreement_id")
        .values_list(
            "partner_id", "agreement__title_en", "agreement__title_zh", "agreement__start_date",
            "agreement__end_date",
        )
    )  # fmt: skip
    found: dict[int, list[dict]] = {}
    for partner_id, title_en, title_zh, start, end in rows:
        if partner_id not in wanted:
            continue
        found.setdefault(partner_id, []).append(
            {"title": localised(title_en, title_zh), "start": start, "end": end}
        )
    return found


@dataclass(frozen=True)
class ActiveAgreementFigures:
    """Aggregates over all active agreements (public figures; nothing names a partner)."""

    channels: list[str]
    joint_labs: int
    exchange_agreements: int
    exchange_partners: int


EXCHANGE_TYPES = (AgreementType.STUDENT_EXCHANGE, AgreementType.STAFF_EXCHANGE)


def active_agreement_figures() -> ActiveAgreementFigures:
    """Channels used by active agreements (in the order of the choices), joint labs, exchange agreements and
    the number of partners with an active exchange agreement (three aggregate queries)."""
    used = set(
        AgreementChannel.objects.filter(active_agreement_condition("agreement__"))
        .values_list("channel", flat=True)
        .distinct()
    )
    counts = active_agreements().aggregate(
        joint_labs=Count("id", filter=Q(kind=AgreementType.JOINT_LAB)),
        exchange=Count("id", filter=Q(kind__in=EXCHANGE_TYPES)),
    )
    exchange_partners = (
        AgreementPartner.objects.filter(
            active_agreement_condition("agreement__"), agreement__kind__in=EXCHANGE_TYPES
        )
        .values("partner_id")
        .distinct()
        .count()
    )
    return ActiveAgreementFigures(
        channels=[value for value in Channel.values if value in used],
        joint_labs=counts["joint_labs"],
        exchange_agreements=counts["exchange"],
        exchange_partners=exchange_partners,
    )


SIGNED_STATES = (
    AgreementState.ACTIVE,
    AgreementState.EXPIRED,
    AgreementState.TERMINATED,
    AgreementState.RENEWED,
)


def partners_by_channel() -> list[tuple[str, int]]:
    """``(channel, partners)``: partners party to an active agreement of each channel, most first (one query;
    a partner cooperating through two channels counts in both)."""
    rows = (
        AgreementPartner.objects.filter(active_agreement_condition("agreement__"))
        .values("agreement__channels__channel")
        .exclude(agreement__channels__channel__isnull=True)
        .annotate(n=Count("partner_id", distinct=True))
        .order_by("-n", "agreement__channels__channel")
    )
    return [(row["agreement__channels__channel"], row["n"]) for row in rows]


def agreements_signed_by_year(*, years: int = 10) -> list[tuple[int, int]]:
    """``(year, agreements)`` for the last ``years`` calendar years up to the latest signing, oldest first,
    zeros included: agreements that were signed (active, expired, terminated or renewed), in the year of their
    last signature, or of their start date when no signature date is recorded. One query."""
    rows = (
        Agreement.objects.filter(state__in=SIGNED_STATES)
        .annotate(signed=Max("signatories__signed_on"))
        .values_list("signed", "start_date")
    )
    counts: dict[int, int] = {}
    for signed, start in rows:
        day = signed or start
        if day is not None:
            counts[day.year] = counts.get(day.year, 0) + 1
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - years + 1)
    return [(year, counts.get(year, 0)) for year in range(first, last + 1)]


def agreement_search(*, user, query: str, limit: int = 20) -> QuerySet[Agreement]:
    """Visible agreements whose number, title (either language) or partners' names contain every word of
    `query`, ignoring case, accents, full-width forms and Chinese script variants; by number, at most `limit`.
    """
    if not search_terms(query):
        return Agreement.objects.none()
    return search_filter(Agreement.objects.visible_to(user), query).order_by("number")[:limit]


def agreement_report_rows(*, user) -> Iterator[dict]:
    """Visible agreements as flat rows for the agreements report, one per agreement, read in chunks."""
    rows = agreement_list(user=user).order_by("number")
    active_ids = set(rows.filter(active_agreement_condition()).values_list("pk", flat=True))
    for agreement in rows.iterator(chunk_size=500):
        yield {
            "number": agreement.number,
            "title": agreement.title,
            "type": agreement.get_kind_display(),
            "state": agreement.get_state_display(),
            "active": agreement.pk in active_ids,
            "unit": agreement.responsible_unit.name,
            "partners": "; ".join(p.partner.display_name for p in agreement.parties.all()),
            "channels": ", ".join(str(c.get_channel_display()) for c in agreement.channels.all()),
            "start_date": agreement.start_date,
            "end_date": agreement.end_date,
        }


@dataclass(frozen=True)
class AgreementExtensionPanel:
    """A panel of the agreement page supplied by another context, ready for the template."""

    key: str
    title: str
    template: str
    context: dict


def agreement_panels(
    *, agreement: Agreement, user, base: dict | None = None
) -> list[AgreementExtensionPanel]:
    """The panels other contexts add to ``agreement``'s page (``registry.agreement_panels``) that ``user`` may
    see, in registry order; each context is the entry's ``context(agreement, user)`` on top of ``base``."""
    from meridian.core.registry import registry

    panels = []
    for entry in registry.agreement_panels:
        if entry.visible(agreement, user):
            context = {**(base or {}), **entry.context(agreement, user)}
            panels.append(AgreementExtensionPanel(entry.key, str(entry.title), entry.template, context))
    return panels
