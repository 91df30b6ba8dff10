"""What agreements register in the extension registry: nav entries, dashboard tiles, the partner-page panel,
action, filters, row figures and merge hook, activity, public figures and facets, cache watches, search and
the agreements report.

Loaded by ``AgreementsConfig.ready()``; the shared screens (dashboard, partner page, portal, directory,
search, reports) read these entries and never import agreements.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.choices import Role
from meridian.accounts.permissions import member_unit_ids, standing
from meridian.agreements import permissions, selectors
from meridian.agreements.choices import AgreementState, Channel
from meridian.agreements.models import Agreement, AgreementChannel, AgreementPartner, Signatory
from meridian.core.registry import (
    ALL_VERBS,
    ActivePartnerRule,
    ActivityFeed,
    ActivityRule,
    CacheWatch,
    DashboardTile,
    NavEntry,
    PartnerAction,
    PartnerActivitySource,
    PartnerListFilter,
    PartnerMergeHook,
    PartnerPanel,
    PartnerRowFacts,
    PartnerUnitLink,
    PublicFigure,
    PublicPartnerFacet,
    PublicPartnerRecords,
    ReportDataset,
    SearchHit,
    SearchType,
    both_languages,
    registry,
)

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
EXPIRING_SHOWN = 20


def can_list_agreements(user) -> bool:
    """Who has an agreement list: those who see all agreements, members of units, partner contacts."""
    if permissions.agreement_visibility_filter(user) is None:
        return True
    me = standing(user)
    return bool(member_unit_ids(user)) or (me.has(Role.PARTNER_CONTACT) and hasattr(user, "partner_contact"))


def _agreements_url(query: str = "") -> str:
    return reverse("agreements:list") + (f"?{query}" if query else "")


# --- Dashboard ---------------------------------------------------------------------------------------------


def _headline(user) -> dict[str, int]:
    today = timezone.localdate()
    return Agreement.objects.visible_to(user).aggregate(
        active=Count("id", filter=selectors.active_agreement_condition()),
        expiring=Count(
            "id",
            filter=Q(
                pk__in=Agreement.objects.expiring_within(settings.EXPIRING_SOON_DAYS, today=today).values(
                    "pk"
                )
            ),
        ),
    )


def _by_state(user) -> dict[str, Any]:
    counts = selectors.agreement_counts_by_state(user=user)
    # The lifecycle order reads better than "largest first" here; states with no agreement are left out.
    return {
        "rows": [
            {"label": str(label), "count": counts[value], "url": _agreements_url(f"state={value}")}
            for value, label in AgreementState.choices
            if counts.get(value)
        ]
    }


def _expiring(user) -> dict[str, Any]:
    today = timezone.localdate()
    days = settings.EXPIRING_SOON_DAYS
    visible = Agreement.objects.visible_to(user).expiring_within(days, today=today)
    total = visible.count()
    rows = list(
        visible.select_related("responsible_unit")
        .prefetch_related("partners")
        .order_by("end_date", "number")[:EXPIRING_SHOWN]
    )
    for agreement in rows:
        agreement.days_remaining = agreement.days_left(today=today)
    return {
        "agreements": rows,
        "total": total,
        "days": days,
        "list_url": _agreements_url(f"expiring_within={days}"),
    }


# --- Partner page and partner list ------------------------------------------------------------------------


def _partner_panel(partner, user) -> dict[str, Any]:
    return {"agreements": list(selectors.partner_agreements(partner=partner, user=user))}


def _filter_channel(queryset: QuerySet, value: str, user) -> QuerySet:
    return queryset.filter(pk__in=selectors.visible_party_ids(user, Q(agreement__channels__channel=value)))


def _filter_active(queryset: QuerySet, value: str, user) -> QuerySet:
    has_active = Q(
        pk__in=selectors.visible_party_ids(user, selectors.active_agreement_condition("agreement__"))
    )
    return queryset.filter(has_active if value == "yes" else ~has_active)


def _filter_expiring(queryset: QuerySet, value, user) -> QuerySet:
    ending = Agreement.objects.expiring_within(int(value)).values("pk")
    return queryset.filter(pk__in=selectors.visible_party_ids(user, Q(agreement__in=ending)))


def _merge_parties(source, survivor, actor) -> None:
    """Move the duplicate's agreement parties and signatories to the survivor (inside the merge transaction).

    When both were party to the same agreement one row is kept, without losing its unit or coordinator.
    """
    kept = {p.agreement_id: p for p in AgreementPartner.objects.filter(partner=survivor)}
    for party in AgreementPartner.objects.filter(partner=source):
        existing = kept.get(party.agreement_id)
        if existing is None:
            party.partner = survivor
            party.save(update_fields=["partner"])
            continue
        existing.partner_unit_id = existing.partner_unit_id or party.partner_unit_id
        existing.coordinator_id = existing.coordinator_id or party.coordinator_id
        existing.save(update_fields=["partner_unit", "coordinator"])
        party.delete()
    Signatory.objects.filter(partner=source).update(partner=survivor)


# --- Search and report ------------------------------------------------------------------------------------


def _search(user, query: str, limit: int) -> list[SearchHit]:
    return [
        SearchHit(
            title=f"{a.number} {a.title}",
            url=a.get_absolute_url(),
            kind=_("Agreement"),
            detail=f"{a.get_kind_display()} · {a.get_state_display()}",
        )
        for a in selectors.agreement_search(user=user, query=query, limit=limit)
    ]


REPORT_COLUMNS = (
    ("number", _("Number")),
    ("title", _("Title")),
    ("type", _("Type")),
    ("state", _("State")),
    ("active", _("Active agreement")),
    ("unit", _("Responsible unit")),
    ("partners", _("Partners")),
    ("channels", _("Cooperation channels")),
    ("start_date", _("Start date")),
    ("end_date", _("End date")),
)


# --- Public figures ---------------------------------------------------------------------------------------


def _channel_labels() -> list:
    labels = dict(Channel.choices)
    return [labels[value] for value in selectors.active_agreement_figures().channels]


def _partners_by_channel() -> list[tuple[str, str, int]]:
    labels = dict(Channel.choices)
    return [
        (*both_languages(labels.get(channel, channel)), count)
        for channel, count in selectors.partners_by_channel()
    ]


def _signed_by_year() -> list[tuple[str, str, int]]:
    return [(str(year), str(year), count) for year, count in selectors.agreements_signed_by_year()]


def register() -> None:
    registry.nav.add(
        NavEntry(
            key="agreements",
            label=_("Agreements"),
            url_name="agreements:list",
            visible=can_list_agreements,
            order=30,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="active_agreements",
            title=_("Active agreements"),
            template="",
            kind="stat",
            context=lambda user: {"value": _headline(user)["active"], "url": _agreements_url("state=active")},
            visible=can_list_agreements,
            order=30,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="expiring_agreements",
            title=_("Agreements expiring soon"),
            template="",
            kind="stat",
            context=lambda user: {
                "value": _headline(user)["expiring"],
                "url": _agreements_url(f"expiring_within={settings.EXPIRING_SOON_DAYS}"),
                "days": settings.EXPIRING_SOON_DAYS,
            },
            visible=can_list_agreements,
            order=40,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="agreements_by_state",
            title=_("Agreements by state"),
            template="agreements/tiles/by_state.html",
            context=_by_state,
            visible=can_list_agreements,
            order=130,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="agreements_expiring",
            title=_("Agreements expiring soon"),
            template="agreements/tiles/expiring.html",
            context=_expiring,
            visible=can_list_agreements,
            order=210,
        )
    )
    registry.partner_panels.add(
        PartnerPanel(
            key="agreements",
            title=_("Agreements"),
            template="agreements/partner/panel.html",
            context=_partner_panel,
            visible=lambda partner, user: can_list_agreements(user),
            order=100,
            wide=True,
        )
    )
    registry.partner_actions.add(
        PartnerAction(
            key="new_agreement",
            label=_("New agreement"),
            url=lambda partner: f"{reverse('agreements:create')}?partner={partner.pk}",
            visible=lambda partner, user: permissions.can_create_agreement(user),
            primary=True,
            order=100,
        )
    )
    registry.partner_filters.add(
        PartnerListFilter(
            key="channel",
            field=lambda: django_filters.ChoiceFilter(
                label=_("Cooperation channel"), choices=Channel.choices, empty_label=_("All")
            ),
            apply=_filter_channel,
            order=10,
        )
    )
    registry.partner_filters.add(
        PartnerListFilter(
            key="active",
            field=lambda: django_filters.ChoiceFilter(
                label=_("Has an active agreement"), choices=YES_NO, empty_label=_("Any")
            ),
            apply=_filter_active,
            order=20,
        )
    )
    registry.partner_filters.add(
        PartnerListFilter(
            key="expiring",
            field=lambda: django_filters.NumberFilter(
                label=_("Agreement expiring within (days)"), min_value=0, max_value=3650
            ),
            apply=_filter_expiring,
            order=30,
        )
    )
    registry.partner_row_facts.add(
        PartnerRowFacts(
            key="agreements",
            defaults={
                "agreement_count": 0,
                "active_agreement_count": 0,
                "next_end_date": None,
                "expiring_soon": False,
            },
            attach=selectors.attach_partner_agreement_stats,
            headings=(_("Active agreements"), _("Next end date")),
            cells_template="agreements/partner/list_cells.html",
            export_columns=(
                ("active_agreement_count", _("Active agreements")),
                ("agreement_count", _("Agreements")),
            ),
        )
    )
    registry.partner_unit_links.add(
        PartnerUnitLink(
            key="agreements",
            partner_ids=lambda path, user: selectors.visible_party_ids(
                user, Q(agreement__responsible_unit__path__startswith=path)
            ),
        )
    )
    registry.partner_merge_hooks.add(
        PartnerMergeHook(
            key="agreements",
            merge=_merge_parties,
            models=lambda: (AgreementPartner, Signatory),
            label=_("Agreements"),
            count=lambda partner: partner.agreement_parties.count(),
        )
    )
    registry.partner_activity.add(
        PartnerActivitySource(
            key="agreements",
            targets=lambda partner, user: {
                Agreement: list(
                    selectors.partner_agreements(partner=partner, user=user).values_list("pk", flat=True)
                )
            },
        )
    )
    # An agreement's activity is its review (moves, approvers' comments, documents uploaded for review): the
    # university's deliberation, which partner contacts never read although they read the agreement.
    registry.activity_rules.add(
        ActivityRule(
            key="agreements",
            model=lambda: Agreement,
            visible_ids=lambda user: (
                None
                if permissions.agreement_visibility_filter(user) is None
                else Agreement.objects.visible_to(user).values("pk")
            ),
            internal_verbs=ALL_VERBS,
            internal_ids=permissions.can_read_review,
            order=20,
        )
    )
    registry.activity_feeds.add(
        ActivityFeed(
            key="agreements",
            model=lambda: Agreement,
            url=lambda pk: reverse("agreements:detail", args=[pk]),
            order=20,
        )
    )
    registry.active_partner_rules.add(
        ActivePartnerRule(
            key="agreements",
            label=_("it is party to an active (signed) agreement"),
            condition=lambda: Q(pk__in=selectors.active_party_ids()),
        )
    )
    registry.search_types.add(
        SearchType(
            key="agreements", label=_("Agreements"), search=_search, visible=can_list_agreements, order=20
        )
    )
    registry.report_datasets.add(
        ReportDataset(
            key="agreements",
            label=_("Agreements"),
            columns=REPORT_COLUMNS,
            rows=lambda user: selectors.agreement_report_rows(user=user),
            visible=permissions.can_export_agreements,
            order=20,
        )
    )

    def figure(name: str):
        return lambda: getattr(selectors.active_agreement_figures(), name)

    figures = (
        ("channels", _("Cooperation channels"), _channel_labels, "list",
         _("Cooperation channels used by active agreements.")),
        ("channel_count", _("Number of cooperation channels"), lambda: len(_channel_labels()), "number",
         _("Number of cooperation channels used by active agreements.")),
        ("joint_labs", _("Joint laboratories and R&D centres"), figure("joint_labs"), "number",
         _("Number of active joint laboratory / R&D centre agreements.")),
        ("exchange_agreements", _("Exchange agreements"), figure("exchange_agreements"), "number",
         _("Number of active student and staff exchange agreements.")),
        ("exchange_partners", _("Exchange partners"), figure("exchange_partners"), "number",
         _("Number of partners with an active student or staff exchange agreement.")),
        ("partners_by_channel", _("Cooperating partners by cooperation channel"), _partners_by_channel,
         "series", _("Partners party to an active agreement of each channel (one may count in several).")),
        ("agreements_by_year", _("Agreements signed per year"), _signed_by_year, "timeline",
         _("Agreements signed in each of the last ten years (by the date of the last signature).")),
    )  # fmt: skip
    for order, (key, label, compute, kind, description) in enumerate(figures):
        registry.public_figures.add(
            PublicFigure(
                key=key, label=label, compute=compute, kind=kind, description=description, order=50 + order
            )
        )
    registry.public_partner_facets.add(
        PublicPartnerFacet(
            key="channel",
            label=_("Cooperation channel"),
            choices=lambda: list(Channel.choices),
            partner_ids=lambda value: selectors.active_party_ids(Q(agreement__channels__channel=value)),
            values_for=selectors.public_channels_by_partner,
        )
    )
    registry.public_partner_records.add(
        PublicPartnerRecords(
            key="agreements",
            label=_("Current agreements"),
            records=selectors.public_agreements_by_partner,
            feed_field="active_agreements",
        )
    )
    registry.cache_watches.add(
        CacheWatch(
            key="agreements",
            group="public",
            models=lambda: [Agreement, AgreementChannel, AgreementPartner],
        )
    )


register()
