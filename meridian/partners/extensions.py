"""What partners register in the extension registry: navigation, dashboard tiles, partner-page panels,
activity, public figures, cache watches, search and the partners report.

Loaded by ``PartnersConfig.ready()``. Everything here reads through partners' own selectors and permissions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import is_internal
from meridian.core.i18n import localised
from meridian.core.registry import (
    ActivityFeed,
    ActivityRule,
    CacheWatch,
    DashboardTile,
    InstitutionPartners,
    NavEntry,
    PartnerPanel,
    PublicFigure,
    ReportDataset,
    SearchHit,
    SearchType,
    both_languages,
    registry,
)
from meridian.partners import permissions, selectors
from meridian.partners.choices import PartnerType
from meridian.partners.models import Partner
from meridian.reference.selectors import city_name

TOP_COUNTRIES = 15
# Activity about a partner that only the university's staff read (``can_see_internal_notes``): contacts are
# personal data, a merge names the record merged away, and a change lists the fields changed, internal notes
# and the managing unit among them.
INTERNAL_ACTIVITY = ("contact_added", "contact_changed", "contact_removed", "merged", "updated")


def _partners_url(query: str = "") -> str:
    return reverse("partners:list") + (f"?{query}" if query else "")


# --- Dashboard ---------------------------------------------------------------------------------------------


def _headline(user) -> dict[str, int]:
    visible = Partner.objects.visible_to(user)
    return visible.aggregate(
        total=Count("id"),
        active=Count("id", filter=selectors.active_partner_condition()),
        countries=Count("country", distinct=True),
    )


def _by_country(user, limit: int = TOP_COUNTRIES) -> dict[str, Any]:
    rows = (
        Partner.objects.visible_to(user)
        .order_by()
        .values("country_id", "country__name_en", "country__name_zh")
        .annotate(n=Count("id"))
        .order_by("-n", "country__name_en")
    )
    rows = list(rows)
    return {
        "rows": [
            {
                "label": localised(r["country__name_en"], r["country__name_zh"] or ""),
                "count": r["n"],
                "url": _partners_url(f"country={r['country_id']}"),
            }
            for r in rows[:limit]
        ],
        "total_groups": len(rows),
        "shown": min(limit, len(rows)),
    }


def _by_type(user) -> dict[str, Any]:
    labels = dict(PartnerType.choices)
    rows = (
        Partner.objects.visible_to(user)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n", "kind")
    )
    return {
        "rows": [
            {
                "label": str(labels.get(r["kind"], r["kind"])),
                "count": r["n"],
                "url": _partners_url(f"type={r['kind']}"),
            }
            for r in rows
        ]
    }


_can_list_partners = permissions.can_list_partners


# --- Search and report ------------------------------------------------------------------------------------


def _search(user, query: str, limit: int) -> list[SearchHit]:
    from meridian.partners.filters import text_condition

    if not query.strip():
        return []
    rows = (
        Partner.objects.visible_to(user)
        .filter(text_condition(query))
        .select_related("country")
        .order_by("name", "pk")[:limit]
    )
    return [
        SearchHit(
            title=p.display_name,
            url=p.get_absolute_url(),
            kind=_("Partner"),
            detail=f"{p.country.name}{', ' + city_name(p.country_id, p.city) if p.city else ''} · "
            f"{p.get_kind_display()}",
        )
        for p in rows
    ]


REPORT_COLUMNS = (
    ("id", _("ID")),
    ("name", _("Official name")),
    ("name_en", _("English name")),
    ("name_zh", _("Chinese name")),
    ("type", _("Type")),
    ("country", _("Country")),
    ("city", _("City")),
    ("status", _("Relationship status")),
    ("active", _("Active partner")),
    ("public", _("Public partner")),
    ("unit", _("Managing unit")),
)


def _report_rows(user):
    """Visible partners, one row each, with the shared "active partner" and "public partner" definitions."""
    active_ids = set(selectors.active_partners(Partner.objects.visible_to(user)).values_list("pk", flat=True))
    rows = Partner.objects.visible_to(user).select_related("country", "owner_unit").order_by("name", "pk")
    for p in rows.iterator(chunk_size=1000):
        yield {
            "id": p.pk,
            "name": p.name,
            "name_en": p.name_en,
            "name_zh": p.name_zh,
            "type": p.get_kind_display(),
            "country": p.country.name,
            "city": city_name(p.country_id, p.city),
            "status": p.get_status_display(),
            "active": p.pk in active_ids,
            "public": p.is_public,
            "unit": p.owner_unit.name if p.owner_unit else "",
        }


# --- Public figures ---------------------------------------------------------------------------------------


def _active_by_country() -> list[tuple[str, str, int]]:
    rows = (
        selectors.active_partners()
        .values("country_id", "country__name_en", "country__name_zh")
        .annotate(n=Count("id"))
        .order_by("-n", "country__name_en")
    )
    return [(r["country__name_en"], r["country__name_zh"] or "", r["n"]) for r in rows]


def _active_by_region() -> list[tuple[str, str, int]]:
    """Cooperating partners per UN region (continent), most first; partners of a country without one last."""
    rows = (
        selectors.active_partners()
        .values("country__region_en", "country__region_zh")
        .annotate(n=Count("id"))
        .order_by("-n", "country__region_en")
    )
    other = both_languages(_("Other places"))
    return [
        (r["country__region_en"], r["country__region_zh"] or "", r["n"])
        if r["country__region_en"]
        else (*other, r["n"])
        for r in rows
    ]


def _active_by_type() -> list[tuple[str, str, int]]:
    """Cooperating partners per type, most first (types without partners left out)."""
    rows = selectors.active_partners().values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    labels = dict(PartnerType.choices)
    return [(*both_languages(labels.get(r["kind"], r["kind"])), r["n"]) for r in rows]


def _active_count() -> int:
    return selectors.active_partners().count()


_active_description = lazy(selectors.active_partner_description, str)


def register() -> None:
    registry.institution_partners.add(
        InstitutionPartners(key="partners", find=selectors.partners_for_institutions)
    )
    registry.nav.add(
        NavEntry(
            key="partners",
            label=_("Partners"),
            url_name="partners:list",
            visible=_can_list_partners,
            order=20,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="partners",
            title=_("Partners"),
            template="",
            kind="stat",
            context=lambda user: {"value": _headline(user)["total"], "url": _partners_url()},
            order=10,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="active_partners",
            title=_("Active partners"),
            template="",
            kind="stat",
            context=lambda user: {
                "value": _headline(user)["active"],
                "url": _partners_url("active_partner=yes"),
                "description": _active_description(),
            },
            order=20,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="countries",
            title=_("Countries and regions"),
            template="",
            kind="stat",
            context=lambda user: {"value": _headline(user)["countries"], "url": "#by-country"},
            order=90,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="partners_by_country",
            title=_("Partners by country or region"),
            template="partners/tiles/by_country.html",
            context=_by_country,
            order=110,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="partners_by_type",
            title=_("Partners by type"),
            template="partners/tiles/bars.html",
            context=_by_type,
            order=120,
        )
    )
    for key, title, template, order, wide, visible in (
        ("profile", _("Profile"), "partners/panels/profile.html", 10, False, None),
        ("contacts", _("Contacts"), "partners/panels/contacts.html", 20, False, "internal"),
        ("units", _("Partner-side units"), "partners/panels/units.html", 30, False, None),
        ("activity", _("Activity"), "partners/panels/activity.html", 900, True, "internal"),
        ("history", _("Change history"), "partners/panels/history.html", 910, True, "internal"),
    ):
        registry.partner_panels.add(
            PartnerPanel(
                key=key,
                title=title,
                template=template,
                context=lambda partner, user: {},
                visible=(lambda partner, user: permissions.can_see_internal_notes(user))
                if visible
                else (lambda partner, user: True),
                order=order,
                wide=wide,
            )
        )
    registry.activity_rules.add(
        ActivityRule(
            key="partners",
            model=lambda: Partner,
            visible_ids=lambda user: (
                None
                if permissions.partner_visibility_filter(user) is None
                else Partner.objects.visible_to(user).values("pk")
            ),
            internal_verbs=INTERNAL_ACTIVITY,
            internal_ids=permissions.can_see_internal_notes,
            order=10,
        )
    )
    registry.activity_feeds.add(
        ActivityFeed(
            key="partners",
            model=lambda: Partner,
            url=lambda pk: reverse("partners:detail", args=[pk]),
            order=10,
        )
    )
    registry.search_types.add(
        SearchType(key="partners", label=_("Partners"), search=_search, visible=_can_list_partners, order=10)
    )
    registry.report_datasets.add(
        ReportDataset(
            key="partners",
            label=_("Partners"),
            columns=REPORT_COLUMNS,
            rows=_report_rows,
            visible=lambda user: is_internal(user) and permissions.can_export_partners(user),
            order=10,
        )
    )
    figures = (
        ("partners", _("Cooperating partners"), _active_count, "number"),
        ("partners_rounded", _("Cooperating partners, rounded"), _active_count, "rounded"),
        ("countries", _("Countries and regions"), lambda: len(_active_by_country()), "number"),
        ("top_countries", _("Countries and regions with most partners"), _active_by_country, "places"),
        ("partners_by_region", _("Cooperating partners by continent"), _active_by_region, "series"),
        ("partners_by_type", _("Cooperating partners by type"), _active_by_type, "series"),
    )
    descriptions = {
        "partners": _("Number of cooperating (active) partners, public or not."),
        "partners_rounded": _('The same number rounded down as people write it: "over 150", "150多所".'),
        "countries": _("Number of countries and regions of the cooperating partners."),
        "top_countries": _('Countries and regions with most partners, in order, then "and other places".'),
        "partners_by_region": _("Number of cooperating partners on each continent (UN region), most first."),
        "partners_by_type": _("Number of cooperating partners of each type (university, enterprise, …)."),
    }
    for order, (key, label, compute, kind) in enumerate(figures):
        registry.public_figures.add(
            PublicFigure(
                key=key,
                label=label,
                compute=compute,
                description=descriptions[key],
                kind=kind,
                order=10 + order,
            )
        )
    # The public figures, the directory, its map and feeds read partners (never their contacts).
    registry.cache_watches.add(CacheWatch(key="partners", group="public", models=lambda: [Partner]))


register()
