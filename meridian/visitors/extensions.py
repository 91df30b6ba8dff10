"""What the visitors context registers in the extension registry: its navigation entry and section pages,
dashboard tiles, the partner page's "Visits" panel (with the visit notes' outcomes: the partner's 360° view),
the partner merge hook, the visit search and the "file a visit" case starter. The case types' tasks reach the
inbox through the workflow registry (``casework.py``).

Loaded by ``VisitorsConfig.ready()``; the shared screens read these entries and never import visitors.

The main navigation gets one entry ("Visitors", the visit list); the section's own pages (registrations,
lectures, experts, expert records, statistics, rules, standards) are listed by ``section_pages(user)`` — in
the section menu of the visitors pages (``{% visitors_section_nav %}``) and in the "Visitors" card of the
dashboard — each for the roles that may use it. A page whose view is not installed is left out.
"""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import can_read_university, is_internal
from meridian.core.registry import (
    CaseStarter,
    DashboardTile,
    NavEntry,
    PartnerMergeHook,
    PartnerPanel,
    SearchHit,
    SearchType,
    registry,
)
from meridian.visitors import permissions

PANEL_ROWS = 25
TILE_ROWS = 8
ARRIVING_DAYS = 7
CACHE_SECONDS = 5.0


def routable(url_name: str) -> bool:
    """Whether ``url_name`` resolves (the page's view is installed)."""
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def _url(url_name: str, query: str = "") -> str:
    try:
        return reverse(url_name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


def _page_url(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


def _figure(user, key: str, compute: Callable[[], Any]) -> Any:
    """A figure computed once per page (a tile's ``visible`` and ``context`` ask for the same number), kept on
    the user object for a few seconds only so that a long-lived user object never shows stale figures."""
    now = time.monotonic()
    stamp, figures = getattr(user, "_visitors_figures", (0.0, None))
    if figures is None or now - stamp > CACHE_SECONDS:
        figures = {}
        with contextlib.suppress(AttributeError):  # an anonymous user object
            user._visitors_figures = (now, figures)
    if key not in figures:
        figures[key] = compute()
    return figures[key]


# --- who may use which page ---------------------------------------------------------------------------------


def can_use_visits(user) -> bool:
    """The visit list: the university's staff (who file and host visits), the office and leadership."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_read_university(user) or permissions.can_create_visit(user)


def can_use_lectures(user) -> bool:
    """Lectures of visiting scholars: the university's staff, the office and leadership."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_read_university(user) or permissions.can_create_lecture(user)


def can_use_experts(user) -> bool:
    """Foreign experts' hiring cases: the office, leadership, units' secretaries, and whoever has a hiring
    case they may see (the responsible member of staff, the expert)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if can_read_university(user) or permissions.acted_unit_ids(user):
        return True

    def visible() -> bool:
        from meridian.visitors.models import ExpertHiring

        return ExpertHiring.objects.visible_to(user).exists()

    return bool(_figure(user, "experts", visible))


@dataclass(frozen=True)
class SectionPage:
    key: str
    label: Any
    url_name: str
    visible: Callable[[Any], bool]


SECTION_PAGES: tuple[SectionPage, ...] = (
    SectionPage("visits", _("Visits"), "visitors:visit_list", can_use_visits),
    SectionPage(
        "registrations", _("Registrations"), "visitors:registrations", permissions.can_see_registrations
    ),
    SectionPage("lectures", _("Lectures"), "visitors:lecture_list", can_use_lectures),
    SectionPage("experts", _("Foreign experts"), "visitors:expert_list", can_use_experts),
    SectionPage(
        "expert_records", _("Expert records"), "visitors:expert_records", permissions.can_see_expert_records
    ),
    SectionPage("stats", _("Statistics"), "visitors:stats", permissions.can_see_visit_stats),
    SectionPage("rules", _("Visitor rules"), "visitors:rules", permissions.can_manage_rules),
    SectionPage("standards", _("Hosting standards"), "visitors:standards", permissions.can_manage_standards),
)


@dataclass(frozen=True)
class SectionLink:
    key: str
    label: str
    url: str
    current: bool


def section_pages(user, current_url_name: str = "") -> list[SectionLink]:
    """The pages of the visitors section ``user`` may use, in menu order; ``current_url_name`` marks one.
    A page whose URL name does not resolve (view not installed) is left out."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = []
    for page in SECTION_PAGES:
        if not page.visible(user):
            continue
        url = _url(page.url_name)
        if url:
            links.append(SectionLink(page.key, str(page.label), url, page.url_name == current_url_name))
    return links


def _can_see_section(user) -> bool:
    return routable("visitors:visit_list") and can_use_visits(user)


# --- dashboard ----------------------------------------------------------------------------------------------


def awaiting_count(user) -> int:
    """Visits whose approval step waits for ``user``'s decision."""
    from meridian.visitors.selectors.visits import visits_awaiting

    return _figure(user, "awaiting", lambda: visits_awaiting(user=user).count())


def arriving_count(user) -> int:
    """Approved visits ``user`` may see whose guests arrive within the next 7 calendar days."""
    from meridian.visitors.selectors.visits import visits_arriving

    return _figure(user, "arriving", lambda: visits_arriving(user=user, days=ARRIVING_DAYS).count())


def _arriving_query() -> str:
    today = timezone.localdate()
    end = today + datetime.timedelta(days=ARRIVING_DAYS)
    states = "&".join(f"state={s}" for s in ("approved", "invitation_issued", "visa_confirmed"))
    return f"arrive_from={today.isoformat()}&arrive_to={end.isoformat()}&{states}&ordering=arrive_on"


def week_context(user) -> dict[str, Any]:
    """The "Visits this week" card: visits awaiting the user's decision and guests arriving within 7 days."""
    from meridian.visitors.selectors.visits import visits_arriving, visits_awaiting

    awaiting = list(visits_awaiting(user=user).order_by("arrive_on", "id")[:TILE_ROWS])
    arriving = list(visits_arriving(user=user, days=ARRIVING_DAYS)[:TILE_ROWS])
    for visit in awaiting + arriving:
        visit.page_url = _page_url(visit)  # type: ignore[attr-defined]  # display attribute for the tile
    return {
        "awaiting": awaiting,
        "awaiting_total": awaiting_count(user),
        "arriving": arriving,
        "arriving_total": arriving_count(user),
        "inbox_url": _url("workflow:inbox", "case_type=visit"),
    }


def _pages_context(user) -> dict[str, Any]:
    create = _url("visitors:visit_create") if permissions.can_create_visit(user) else ""
    return {"links": section_pages(user), "create_url": create}


# --- partner page -------------------------------------------------------------------------------------------


def _partner_panel_visible(partner, user) -> bool:
    """The visits panel: for those who read every visit or handle a unit's visits, and for anyone who may
    see a visit of this partner's guests; nobody else learns of visits there."""
    if not can_use_visits(user):
        return False
    if can_read_university(user) or permissions.acted_unit_ids(user):
        return True
    from meridian.visitors.selectors.visits import partner_has_visits

    return partner_has_visits(partner=partner, user=user)


def _partner_panel(partner, user) -> dict[str, Any]:
    from meridian.visitors.selectors.visits import partner_visits

    visits = partner_visits(partner=partner, user=user, limit=PANEL_ROWS)
    for visit in visits:
        visit.page_url = _page_url(visit)  # type: ignore[attr-defined]  # display attribute for the panel
    create = ""
    if permissions.can_create_visit(user):
        create = _url("visitors:visit_create", f"partner={partner.pk}")
    return {
        "visits": visits,
        "outcomes": [v for v in visits if v.note_submitted_at and v.outcomes],
        "list_url": _url("visitors:visit_list", f"partner={partner.pk}"),
        "create_url": create,
    }


def merge_partner_links(source, survivor, actor) -> None:
    """Move the duplicate partner's visits (as the guests' organisation) to the survivor, inside the merge
    transaction."""
    from meridian.visitors.models import Visit

    Visit.objects.filter(guest_partner=source).update(guest_partner=survivor)


def _merge_count(partner) -> int:
    from meridian.visitors.models import Visit

    return Visit.objects.filter(guest_partner=partner).count()


def _merge_models():
    from meridian.visitors.models import Visit

    return (Visit,)


# --- search -------------------------------------------------------------------------------------------------


def search_visits(user, query: str, limit: int) -> list[SearchHit]:
    """Visits ``user`` may see whose number, name or guests' organisation matches ``query``."""
    from meridian.visitors.models import Visit

    query = (query or "").strip()
    if not query:
        return []
    rows = (
        Visit.objects.visible_to(user)
        .filter(
            Q(number__icontains=query)
            | Q(title__icontains=query)
            | Q(guest_organisation__icontains=query)
            | Q(guest_partner__name__icontains=query)
            | Q(guest_partner__name_en__icontains=query)
            | Q(guest_partner__name_zh__icontains=query)
        )
        .order_by("-arrive_on", "-id")[:limit]
    )
    return [
        SearchHit(
            title=f"{visit.number} {visit.title}",
            url=_page_url(visit),
            kind=_("Visit"),
            detail=f"{visit.arrive_on:%Y-%m-%d} – {visit.depart_on:%Y-%m-%d} · {visit.get_state_display()}",
        )
        for visit in rows
    ]


# --- registration -------------------------------------------------------------------------------------------


def register() -> None:
    registry.nav.add(
        NavEntry(
            key="visitors",
            label=_("Visitors"),
            url_name="visitors:visit_list",
            visible=_can_see_section,
            order=36,
            active_apps=("visitors",),
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="visitors_awaiting",
            title=_("Visits waiting for me"),
            template="",
            kind="stat",
            context=lambda user: {
                "value": awaiting_count(user),
                "url": _url("workflow:inbox", "case_type=visit"),
            },
            visible=lambda user: is_internal(user) and awaiting_count(user) > 0,
            order=94,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="visitors_arriving",
            title=_("Visits arriving this week"),
            template="",
            kind="stat",
            context=lambda user: {
                "value": arriving_count(user),
                "url": _url("visitors:visit_list", _arriving_query()),
            },
            visible=lambda user: _can_see_section(user) and arriving_count(user) > 0,
            order=95,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="visitors_week",
            title=_("Visits this week"),
            template="visitors/tiles/visits.html",
            context=week_context,
            visible=lambda user: _can_see_section(user) and (awaiting_count(user) + arriving_count(user)) > 0,
            order=26,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="visitors_pages",
            title=_("Visitors and foreign experts"),
            template="visitors/tiles/pages.html",
            context=_pages_context,
            visible=lambda user: bool(section_pages(user)),
            order=216,
        )
    )
    registry.partner_panels.add(
        PartnerPanel(
            key="visits",
            title=_("Visits"),
            template="visitors/partner/panel.html",
            context=_partner_panel,
            visible=_partner_panel_visible,
            order=115,
            wide=True,
        )
    )
    registry.partner_merge_hooks.add(
        PartnerMergeHook(
            key="visitors",
            merge=merge_partner_links,
            models=_merge_models,
            label=_("Visits"),
            count=_merge_count,
        )
    )
    registry.search_types.add(
        SearchType(key="visits", label=_("Visits"), search=search_visits, visible=can_use_visits, order=31)
    )
    registry.case_starters.add(
        CaseStarter(
            key="visit",
            label=_("File a visit"),
            url_name="visitors:visit_create",
            visible=lambda user: permissions.can_create_visit(user) and routable("visitors:visit_create"),
            description=_("Guests or a delegation visiting the university: guests, programme, budget."),
            order=31,
        )
    )


register()
