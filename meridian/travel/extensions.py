"""What official travel registers in the extension registry: its navigation entry and section pages, dashboard
tiles, the partner page's "Trips" panel, the partner merge hook, the trip search and the "file a trip" case
starter. The case types' tasks reach the inbox through the workflow registry (``casework.py``).

Loaded by ``TravelConfig.ready()``; the shared screens read these entries and never import travel.

The main navigation is one flat row shared by every context, so travel adds a single entry ("Official
travel", the trip list); the section's own pages (who is abroad, passports, plans, long stays, the notice
board, statistics, rules) are listed by ``section_pages(user)`` — in the section menu of the travel pages
(``{% travel_section_nav %}``) and in the "Official travel" card of the dashboard — each for the roles that
may use it. A page whose view is not installed is left out rather than breaking every page with a dead link.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import (
    can_read_university,
    is_internal,
)
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
from meridian.travel import permissions
from meridian.travel.choices import TripState

logger = logging.getLogger(__name__)

TRIP_CASE_TYPES = ("trip", "trip_change")
OPEN_STATES = (
    TripState.DRAFT,
    TripState.PUBLICITY,
    TripState.UNDER_REVIEW,
    TripState.APPROVED,
    TripState.AUTHORISED,
    TripState.ABROAD,
    TripState.RETURNED,
)
PANEL_ROWS = 25
OVERDUE_ROWS = 10


def routable(url_name: str) -> bool:
    """Whether ``url_name`` resolves (the page's view is installed)."""
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def _page_url(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


def _url(url_name: str, query: str = "") -> str:
    try:
        return reverse(url_name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


# --- who may use which page -------------------------------------------------------------------------------


def can_use_trips(user) -> bool:
    """The trip list: whoever may file trips (staff, students for themselves) or reads every trip."""
    if not getattr(user, "is_authenticated", False):
        return False
    return permissions.can_create_trip(user) or can_read_university(user)


def can_use_custody(user) -> bool:
    """The passport register page: the office and unit coordinators (their people's documents)."""
    return permissions.is_office(user) or bool(permissions.acted_unit_ids(user))


def can_use_plans(user) -> bool:
    """Trip plans: the office and leadership read all; unit coordinators draft their units' plans."""
    return can_read_university(user) or permissions.can_manage_plans(user)


def can_use_long_stays(user) -> bool:
    """Long stays: the office, leadership, coordinators, and scholars who have one."""
    if not getattr(user, "is_authenticated", False):
        return False
    if can_read_university(user) or permissions.acted_unit_ids(user):
        return True
    from meridian.travel.models import LongStay

    cache = _cache(user)
    if "long_stays" not in cache:
        person = getattr(user, "person", None)
        condition = Q(user_id=user.pk) | (Q(person_id=person.pk) if person is not None else Q(pk__in=[]))
        cache["long_stays"] = LongStay.objects.filter(condition).exists()
    return cache["long_stays"]


def can_use_notice_board(user) -> bool:
    """The internal notice board of publicity notices: the university's own staff."""
    return is_internal(user)


def can_use_stats(user) -> bool:
    """Statistics: the office and the university's leadership."""
    return can_read_university(user)


def can_use_rules(user) -> bool:
    """The rule set and its parameters: administrators."""
    return permissions.can_manage_rules(user)


@dataclass(frozen=True)
class SectionPage:
    key: str
    label: Any
    url_name: str
    visible: Any


SECTION_PAGES: tuple[SectionPage, ...] = (
    SectionPage("trips", _("Trips"), "travel:trip_list", can_use_trips),
    SectionPage("abroad", _("Who is abroad"), "travel:abroad", permissions.can_see_abroad_list),
    SectionPage("custody", _("Passports"), "travel:custody_list", can_use_custody),
    SectionPage("plans", _("Plans"), "travel:plan_list", can_use_plans),
    SectionPage("long_stays", _("Long stays"), "travel:long_stay_list", can_use_long_stays),
    SectionPage("notices", _("Notice board"), "travel:notice_board", can_use_notice_board),
    SectionPage("stats", _("Statistics"), "travel:stats", can_use_stats),
    SectionPage("rules", _("Travel rules"), "travel:rules", can_use_rules),
)


@dataclass(frozen=True)
class SectionLink:
    key: str
    label: str
    url: str
    current: bool


def section_pages(user, current_url_name: str = "") -> list[SectionLink]:
    """The pages of the travel section ``user`` may use, in menu order; ``current_url_name`` marks one.

    A page whose URL name does not resolve (view not installed) is left out.
    """
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
    return routable("travel:trip_list") and can_use_trips(user)


# --- dashboard ----------------------------------------------------------------------------------------------


CACHE_SECONDS = 5.0


def _cache(user) -> dict[str, Any]:
    """Figures computed once per page: a tile's ``visible`` and ``context`` ask for the same number. Kept on
    the user object for a few seconds only, so that a long-lived user object never shows stale figures."""
    now = time.monotonic()
    stamp, cache = getattr(user, "_travel_dashboard", (0.0, None))
    if cache is None or now - stamp > CACHE_SECONDS:
        cache = {}
        with contextlib.suppress(AttributeError):  # an anonymous user object
            user._travel_dashboard = (now, cache)
    return cache


def waiting_task_count(user) -> int:
    """Approval steps on trips and change requests waiting for ``user``'s decision."""
    cache = _cache(user)
    if "waiting" not in cache:
        from meridian.workflow.selectors import tasks_for

        cache["waiting"] = tasks_for(user=user).filter(approval__case_type__in=TRIP_CASE_TYPES).count()
    return cache["waiting"]


def my_trips(user) -> QuerySet:
    """Trips ``user`` applies for or travels on that are not finished (closed, rejected, cancelled)."""
    from meridian.travel.models import Trip, TripMember

    condition = Q(applicant_id=user.pk)
    person = getattr(user, "person", None)
    if person is not None:
        condition |= Q(pk__in=TripMember.objects.filter(person_id=person.pk).values("trip_id"))
    return Trip.objects.filter(condition, state__in=OPEN_STATES)


def my_trip_count(user) -> int:
    cache = _cache(user)
    if "mine" not in cache:
        cache["mine"] = my_trips(user).count() if getattr(user, "is_authenticated", False) else 0
    return cache["mine"]


def abroad_count(user, *, today: date | None = None) -> int:
    """People travelling now on trips ``user`` may see (state "travelling")."""
    cache = _cache(user)
    if "abroad" not in cache:
        from meridian.travel.models import Trip, TripMember

        trips = Trip.objects.visible_to(user).filter(state=TripState.ABROAD).values("pk")
        cache["abroad"] = TripMember.objects.filter(trip_id__in=trips).values("person_id").distinct().count()
    return cache["abroad"]


def overdue_context(user, *, today: date | None = None) -> dict[str, Any]:
    """Overdue trip reports and passports (the office's tile) and the units they suspend.

    Document numbers are not read (the tile does not show them), so a passport whose encrypted number
    cannot be decrypted is listed like any other.

    Suspension: ``selectors.compliance.unit_suspension_reasons`` (a passport or report more than the grace
    days overdue suspends the unit's approvals — the provincial foreign-affairs office's rule).
    """
    today = today or timezone.localdate()
    try:
        from meridian.travel.selectors import compliance
    except ImportError:
        return {"available": False}
    reports = compliance.overdue_reports(today=today)
    # The tile names holder, unit and trip, never the document number: leaving the encrypted number
    # unread keeps a record whose number no configured key decrypts (PersonalDataKeyError) on the list,
    # and reads no personal data the tile does not show.
    passports = compliance.overdue_custody(today=today).defer("document__number")
    report_rows = list(reports[:OVERDUE_ROWS])
    passport_rows = list(passports[:OVERDUE_ROWS])
    # days_late and page_url are display attributes for the tile's template, not model fields.
    for row in report_rows:
        assert row.due_on is not None  # overdue_reports() filters on due_on__lt
        row.days_late = (today - row.due_on).days  # type: ignore[attr-defined]
        row.page_url = _page_url(row.trip)  # type: ignore[attr-defined]
    for item in passport_rows:
        assert item.due_back_on is not None  # overdue_custody() filters on due_back_on__lt
        item.days_late = (today - item.due_back_on).days  # type: ignore[attr-defined]
        item.page_url = _page_url(item)  # type: ignore[attr-defined]
    unit_ids = {r.trip.unit_id for r in report_rows} | {p.unit_id for p in passport_rows}
    from meridian.accounts.models import OrgUnit

    suspended = [
        unit
        for unit in OrgUnit.objects.filter(pk__in=unit_ids).order_by("path")
        if _is_suspended(compliance, unit_id=unit.pk, today=today)
    ]
    return {
        "available": True,
        "reports": report_rows,
        "report_total": reports.count(),
        "passports": passport_rows,
        "passport_total": passports.count(),
        "suspended": suspended,
        "custody_url": _url("travel:custody_list"),
    }


def _is_suspended(compliance, *, unit_id: int, today: date) -> bool:
    """Whether the unit's approvals are suspended, for the tile.

    The reasons name each overdue document, which reads the documents' encrypted numbers; when one cannot
    be decrypted (``PersonalDataKeyError``, logged), an overdue document past the grace days was found, so
    the unit is suspended all the same.
    """
    from meridian.people.crypto import PersonalDataKeyError

    try:
        return bool(compliance.unit_suspension_reasons(unit_id=unit_id, today=today))
    except PersonalDataKeyError:
        logger.exception(
            "Overdue tile: a document of unit %s cannot be decrypted; counted as suspended.", unit_id
        )
        return True


def _pages_context(user) -> dict[str, Any]:
    return {"links": section_pages(user), "create_url": _url("travel:trip_create")}


# --- partner page -------------------------------------------------------------------------------------------


def partner_trips(*, partner, user, limit: int = PANEL_ROWS) -> list:
    """Trips inviting or concerning ``partner`` that ``user`` may see, newest departure first."""
    from meridian.travel.models import Trip

    concerning = Trip.partners.through.objects.filter(partner_id=partner.pk).values("trip_id")
    trips = list(
        Trip.objects.visible_to(user)
        .filter(Q(inviter_partner_id=partner.pk) | Q(pk__in=concerning))
        .select_related("unit")
        .order_by("-depart_on", "-id")[:limit]
    )
    for trip in trips:
        trip.invited = trip.inviter_partner_id == partner.pk
        trip.page_url = _page_url(trip)
    return trips


def partner_outcomes(*, partner, user) -> list:
    """Outcomes of visible trips linked to the partner (``selectors.outcomes.partner_trip_outcomes``); an
    empty list while that selector is not installed."""
    finder = None
    for module in ("meridian.travel.selectors.outcomes", "meridian.travel.selectors.compliance"):
        try:
            finder = __import__(module, fromlist=["partner_trip_outcomes"]).partner_trip_outcomes
            break
        except (ImportError, AttributeError):
            continue
    if finder is None:
        return []
    return list(finder(partner_id=partner.pk, user=user))


def _partner_panel_visible(partner, user) -> bool:
    """The trips panel: for those who read every trip, handle a unit's trips, or may see a trip of this
    partner (its inviter or a partner concerned); nobody else learns of trips there."""
    if not can_use_trips(user):
        return False
    if can_read_university(user) or permissions.acted_unit_ids(user):
        return True
    from django.db.models import Q

    from meridian.travel.models import Trip

    concerning = Q(inviter_partner_id=partner.pk) | Q(
        pk__in=Trip.partners.through.objects.filter(partner_id=partner.pk).values("trip_id")
    )
    return Trip.objects.visible_to(user).filter(concerning).exists()


def _partner_panel(partner, user) -> dict[str, Any]:
    return {
        "trips": partner_trips(partner=partner, user=user),
        "outcomes": partner_outcomes(partner=partner, user=user),
        "list_url": _url("travel:trip_list"),
        "create_url": _url("travel:trip_create") if permissions.can_create_trip(user) else "",
        "partner_id": partner.pk,
    }


def merge_partner_links(source, survivor, actor) -> None:
    """Move the duplicate partner's travel links to the survivor (inside the merge transaction): trips it
    invited, trips it is concerned by (kept once when both were), outcomes and long stays it hosts."""
    from meridian.travel.models import LongStay, Trip, TripOutcome

    Trip.objects.filter(inviter_partner=source).update(inviter_partner=survivor)
    through = Trip.partners.through
    already = set(through.objects.filter(partner=survivor).values_list("trip_id", flat=True))
    through.objects.filter(partner=source, trip_id__in=already).delete()
    through.objects.filter(partner=source).update(partner=survivor)
    TripOutcome.objects.filter(partner=source).update(partner=survivor)
    LongStay.objects.filter(host_partner=source).update(host_partner=survivor)


def _merge_count(partner) -> int:
    from meridian.travel.models import Trip

    concerning = Trip.partners.through.objects.filter(partner_id=partner.pk).values("trip_id")
    return Trip.objects.filter(Q(inviter_partner=partner) | Q(pk__in=concerning)).distinct().count()


def _merge_models():
    from meridian.travel.models import LongStay, Trip, TripOutcome

    return (Trip, TripOutcome, LongStay)


# --- search -------------------------------------------------------------------------------------------------


def search_trips(user, query: str, limit: int) -> list[SearchHit]:
    """Trips ``user`` may see whose number, title or inviting organisation matches ``query``."""
    from meridian.travel.models import Trip

    query = (query or "").strip()
    if not query:
        return []
    rows = (
        Trip.objects.visible_to(user)
        .filter(
            Q(number__icontains=query)
            | Q(title__icontains=query)
            | Q(inviter_name__icontains=query)
            | Q(inviter_partner__name__icontains=query)
            | Q(inviter_partner__name_en__icontains=query)
            | Q(inviter_partner__name_zh__icontains=query)
        )
        .order_by("-depart_on", "-id")[:limit]
    )
    hits = []
    for trip in rows:
        hits.append(
            SearchHit(
                title=f"{trip.number} {trip.title}",
                url=_page_url(trip),
                kind=_("Official trip"),
                detail=f"{trip.depart_on:%Y-%m-%d} – {trip.return_on:%Y-%m-%d} · {trip.get_state_display()}",
            )
        )
    return hits


# --- registration -------------------------------------------------------------------------------------------


def register() -> None:
    registry.nav.add(
        NavEntry(
            key="travel",
            label=_("Official travel"),
            url_name="travel:trip_list",
            visible=_can_see_section,
            order=35,
            active_apps=("travel",),
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="travel_waiting",
            title=_("Trips waiting for me"),
            template="",
            kind="stat",
            context=lambda user: {
                "value": waiting_task_count(user),
                "url": _url("workflow:inbox", "case_type=trip"),
            },
            visible=lambda user: is_internal(user) and waiting_task_count(user) > 0,
            order=91,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="travel_mine",
            title=_("My trips"),
            template="",
            kind="stat",
            context=lambda user: {"value": my_trip_count(user), "url": _url("travel:trip_list", "mine=true")},
            visible=lambda user: _can_see_section(user) and my_trip_count(user) > 0,
            order=92,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="travel_abroad",
            title=_("People abroad now"),
            template="",
            kind="stat",
            context=lambda user: {"value": abroad_count(user), "url": _url("travel:abroad")},
            visible=lambda user: permissions.can_see_abroad_list(user) and routable("travel:abroad"),
            order=93,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="travel_overdue",
            title=_("Overdue trip reports and passports"),
            template="travel/tiles/overdue.html",
            context=overdue_context,
            visible=permissions.is_office,
            order=25,
        )
    )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="travel_pages",
            title=_("Official travel"),
            template="travel/tiles/pages.html",
            context=_pages_context,
            visible=_can_see_section,
            order=215,
        )
    )
    registry.partner_panels.add(
        PartnerPanel(
            key="trips",
            title=_("Trips"),
            template="travel/partner/panel.html",
            context=_partner_panel,
            visible=_partner_panel_visible,
            order=110,
            wide=True,
        )
    )
    registry.partner_merge_hooks.add(
        PartnerMergeHook(
            key="travel",
            merge=merge_partner_links,
            models=_merge_models,
            label=_("Official trips"),
            count=_merge_count,
        )
    )
    registry.search_types.add(
        SearchType(
            key="trips", label=_("Official trips"), search=search_trips, visible=can_use_trips, order=30
        )
    )
    registry.case_starters.add(
        CaseStarter(
            key="trip",
            label=_("File an official trip"),
            url_name="travel:trip_create",
            visible=lambda user: permissions.can_create_trip(user) and routable("travel:trip_create"),
            description=_("A trip abroad or to Hong Kong, Macao or Taiwan: delegation, itinerary, budget."),
            order=30,
        )
    )


register()
