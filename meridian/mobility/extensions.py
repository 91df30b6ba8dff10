"""What student exchange registers in the shared screens (loaded by ``MobilityConfig.ready()``); the hubs read
these entries and never import mobility.

- Main navigation: "Student exchange" for the university's staff (the call list; the section's own pages are
  in its menu, ``navigation.SECTION_PAGES``). Students and partner contacts get their own entries from their
  portals' modules.
- Dashboard: headline figures, each only for those who may act on it and only while there is something to do
  — exchange-balance alerts of this academic year, applications awaiting my school's pre-approval, my
  pending committee reviews, incoming nominations awaiting our decision — and a card listing the partners
  whose balance has an alert.
- Partner 360° page: the "Student exchange" panel (conditions, balance per year with its alerts, the latest
  mobilities in both directions), for staff, with only what the reader may see.
- Partner merge: conditions, mobilities, calls' destinations, course equivalences and grade conversion tables
  follow the surviving partner; of two factsheets the survivor's is kept, and the merge says so.
- Search: calls, applications and mobilities, each as far as the searcher may see them (staff only).
- Activity timeline: applications and mobilities, for staff only (never students or partner contacts).
- Reports: mobilities per year, direction, partner, country, school and type; the exchange balance.
- Public figures: exchange students this academic year (in all, outgoing, incoming) and partners with
  exchange places; mobilities and conditions are watched so that the figures renew when they change.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import is_internal
from meridian.core.registry import (
    ALL_VERBS,
    ActivityFeed,
    ActivityRule,
    CacheWatch,
    DashboardTile,
    NavEntry,
    PartnerMergeHook,
    PartnerPanel,
    PublicFigure,
    ReportDataset,
    SearchHit,
    SearchType,
    registry,
)
from meridian.mobility import permissions
from meridian.mobility.choices import (
    ApplicationState,
    CallState,
    Direction,
    MobilityState,
)

PANEL_ROWS = 10
TILE_ROWS = 8
CACHE_SECONDS = 5.0
REVIEW_CALL_STATES = (CallState.OPEN, CallState.CLOSED)
AWAITING_OUR_DECISION = (MobilityState.NOMINATED, MobilityState.APPLIED)


def routable(url_name: str) -> bool:
    """Whether ``url_name`` resolves (the page's view is installed)."""
    return bool(_url(url_name))


def _url(url_name: str, query: str = "", args: tuple = ()) -> str:
    try:
        return reverse(url_name, args=args) + (f"?{query}" if query else "")
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
    stamp, figures = getattr(user, "_mobility_figures", (0.0, None))
    if figures is None or now - stamp > CACHE_SECONDS:
        figures = {}
        with contextlib.suppress(AttributeError):  # an anonymous user object
            user._mobility_figures = (now, figures)
    if key not in figures:
        figures[key] = compute()
    return figures[key]


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_use_section(user) -> bool:
    """The staff pages of student exchange: the university's staff (students and partner contacts have
    their portals)."""
    return _authenticated(user) and is_internal(user) and routable("mobility:call_list")


# --- dashboard figures --------------------------------------------------------------------------------------


def pre_approval_queryset(user):
    """Submitted applications of the schools ``user`` pre-approves for (coordinators and foreign-affairs
    secretaries; the office's own queue is the application list)."""
    from meridian.mobility.models import Application

    units = permissions.acted_unit_ids(user) if is_internal(user) else frozenset()
    if not units:
        return Application.objects.none()
    return Application.objects.filter(state=ApplicationState.SUBMITTED, unit_id__in=units)


def pre_approval_count(user) -> int:
    return _figure(user, "pre_approval", lambda: pre_approval_queryset(user).count())


def pending_reviews_queryset(user):
    """Applications approved by their school in the calls ``user`` sits on the committee of (open or in
    selection), that they have not scored yet and have no conflict of interest with."""
    from meridian.mobility.models import Application, CallReviewer, Review, ReviewConflict

    if not (_authenticated(user) and is_internal(user)):
        return Application.objects.none()
    scored = Review.objects.filter(application=OuterRef("pk"), reviewer=user, submitted_at__isnull=False)
    conflicted = ReviewConflict.objects.filter(application=OuterRef("pk"), reviewer=user)
    return (
        Application.objects.filter(
            call_id__in=CallReviewer.objects.filter(user=user).values("call_id"),
            call__state__in=REVIEW_CALL_STATES,
            state=ApplicationState.PRE_APPROVED,
        )
        .exclude(student=user)
        .filter(~Exists(scored), ~Exists(conflicted))
    )


def pending_review_count(user) -> int:
    return _figure(user, "reviews", lambda: pending_reviews_queryset(user).count())


def incoming_awaiting_queryset(user):
    """Incoming nominations from partners waiting for our decision (to invite the student, or to accept or
    reject the completed application), of the schools ``user`` acts for (the office: all)."""
    from meridian.mobility.models import Mobility

    mobilities = Mobility.objects.filter(direction=Direction.INCOMING, state__in=AWAITING_OUR_DECISION)
    if permissions.is_office(user):
        return mobilities
    units = permissions.acted_unit_ids(user) if is_internal(user) else frozenset()
    if not units:
        return Mobility.objects.none()
    return mobilities.filter(home_unit_id__in=units)


def incoming_awaiting_count(user) -> int:
    return _figure(user, "incoming", lambda: incoming_awaiting_queryset(user).count())


def balance_alerts(user) -> list[Any]:
    """This academic year's partner-years with a balance alert that ``user`` may see."""
    from meridian.mobility.selectors.balance import current_academic_year, exchange_balance

    def compute() -> list[Any]:
        if not permissions.can_see_balance(user):
            return []
        return exchange_balance(user=user, year=current_academic_year(), alerts_only=True).groups

    return _figure(user, "balance_alerts", compute)


def _balance_url(user) -> str:
    from meridian.mobility.selectors.balance import current_academic_year

    return _url("mobility:balance", f"year={current_academic_year()}&alerts=on")


def _incoming_url() -> str:
    states = "&".join(f"state={s}" for s in AWAITING_OUR_DECISION)
    return _url("mobility:mobility_list", f"direction={Direction.INCOMING}&{states}")


def _balance_card(user) -> dict[str, Any]:
    groups = balance_alerts(user)
    return {"alerts": groups[:TILE_ROWS], "alert_total": len(groups), "balance_url": _balance_url(user)}


# --- the partner page ---------------------------------------------------------------------------------------


def _partner_conditions(partner, user):
    from meridian.mobility.models import CooperationCondition

    return (
        CooperationCondition.objects.visible_to(user)
        .filter(partner=partner)
        .select_related("agreement")
        .order_by("-academic_year", "direction", "mobility_type", "id")
    )


def _partner_mobilities(partner, user):
    from meridian.mobility.models import Mobility

    return (
        Mobility.objects.visible_to(user)
        .filter(partner=partner)
        .select_related("person", "home_unit")
        .order_by("-created_at", "-id")
    )


def partner_panel_visible(partner, user) -> bool:
    """For the university's staff who may see the balance, or any of the partner's conditions or
    mobilities; nobody else learns of student exchange there."""
    if not (_authenticated(user) and is_internal(user)):
        return False
    if permissions.can_see_balance(user):
        return True
    return _partner_conditions(partner, user).exists() or _partner_mobilities(partner, user).exists()


def partner_panel_context(partner, user) -> dict[str, Any]:
    """Conditions (newest year first), the balance per year with its alerts (for those who may see the
    balance) and the latest mobilities in both directions, each as far as ``user`` may see it."""
    from meridian.mobility.selectors.balance import partner_balance

    conditions = list(_partner_conditions(partner, user)[: PANEL_ROWS * 3])
    mobilities = list(_partner_mobilities(partner, user)[:PANEL_ROWS])
    for mobility in mobilities:
        mobility.page_url = _page_url(mobility)  # type: ignore[attr-defined]  # display attribute
    balance = partner_balance(partner=partner, user=user) if permissions.can_see_balance(user) else None
    return {
        "mobility_conditions": conditions,
        "mobility_balance": balance,
        "mobility_recent": mobilities,
        "mobility_balance_url": _url("mobility:balance", f"year=&partner={partner.pk}") if balance else "",
        "mobility_list_url": _url("mobility:mobility_list", f"partner={partner.pk}") if mobilities else "",
        "mobility_conditions_url": _url("mobility:condition_list", f"partner={partner.pk}")
        if conditions
        else "",
    }


# --- partner merge ------------------------------------------------------------------------------------------


def merge_partner_links(source, survivor, actor) -> None:
    """Move the duplicate partner's exchange records to the survivor, inside the merge transaction.

    Conditions, mobilities, destinations, course equivalences and grade conversion tables move. Where the
    survivor already has the same record (a condition of the same agreement, direction, type and year; a
    destination of the same call and type; the same course equivalence) one is kept: the survivor's
    condition (its places stand; what pointed to the other follows it), a destination with both places, an
    equivalence with both counts of approvals. Of two factsheets the survivor's stays and the duplicate's is
    dropped; an activity entry on the survivor says so, with the dropped factsheet's contents."""
    from meridian.core.activity import activity_record
    from meridian.mobility.models import GradeConversionTable, Mobility

    dropped_conditions = _merge_conditions(source, survivor)
    Mobility.objects.filter(partner=source).update(partner=survivor)
    _merge_destinations(source, survivor)
    _merge_equivalences(source, survivor)
    GradeConversionTable.objects.filter(partner=source).update(partner=survivor)
    dropped_factsheet = _merge_factsheet(source, survivor)
    name = f"{source.display_name} (#{source.pk})"
    if dropped_factsheet:
        activity_record(
            target=survivor,
            verb="factsheet_kept",
            actor=actor,
            message=lambda: (
                gettext(
                    "Student exchange: both partners had a factsheet; this partner's own was kept and "
                    "the one of %(duplicate)s was dropped."
                )
                % {"duplicate": name}
            ),
            comment=dropped_factsheet,
        )
    if dropped_conditions:
        activity_record(
            target=survivor,
            verb="conditions_kept",
            actor=actor,
            message=lambda: (
                gettext(
                    "Student exchange: %(duplicate)s had the same cooperation conditions as this partner; "
                    "this partner's places were kept."
                )
                % {"duplicate": name}
            ),
            comment="\n".join(dropped_conditions),
        )


def _merge_conditions(source, survivor) -> list[str]:
    from meridian.mobility.models import CallDestination, CooperationCondition, Mobility

    dropped = []
    for condition in CooperationCondition.objects.filter(partner=source).select_related("agreement"):
        kept = CooperationCondition.objects.filter(
            agreement_id=condition.agreement_id,
            partner=survivor,
            direction=condition.direction,
            mobility_type=condition.mobility_type,
            academic_year=condition.academic_year,
        ).first()
        if kept is None:
            CooperationCondition.objects.filter(pk=condition.pk).update(partner=survivor)
            continue
        Mobility.objects.filter(condition=condition).update(condition=kept)
        CallDestination.objects.filter(condition=condition).update(condition=kept)
        dropped.append(f"{condition.agreement.number}: {condition}")
        condition.delete()
    return dropped


def _merge_destinations(source, survivor) -> None:
    from meridian.mobility.models import Application, ApplicationPreference, CallDestination

    for destination in CallDestination.objects.filter(partner=source):
        kept = CallDestination.objects.filter(
            call_id=destination.call_id, partner=survivor, mobility_type=destination.mobility_type
        ).first()
        if kept is None:
            CallDestination.objects.filter(pk=destination.pk).update(partner=survivor)
            continue
        CallDestination.objects.filter(pk=kept.pk).update(places=kept.places + destination.places)
        Application.objects.filter(offered=destination).update(offered=kept)
        for preference in ApplicationPreference.objects.filter(destination=destination):
            other = ApplicationPreference.objects.filter(
                application_id=preference.application_id, destination=kept
            ).first()
            if other is None:
                ApplicationPreference.objects.filter(pk=preference.pk).update(destination=kept)
                continue
            best = min(preference.rank, other.rank)
            preference.delete()  # the student ranked both: the better rank stays, on the kept destination
            if other.rank != best:
                ApplicationPreference.objects.filter(pk=other.pk).update(rank=best)
        destination.delete()


def _merge_equivalences(source, survivor) -> None:
    from meridian.mobility.models import CourseEquivalence, LearningAgreementCourse

    for equivalence in CourseEquivalence.objects.filter(partner=source):
        kept = CourseEquivalence.objects.filter(
            partner=survivor,
            partner_code=equivalence.partner_code,
            partner_title=equivalence.partner_title,
            home_code=equivalence.home_code,
            home_title=equivalence.home_title,
        ).first()
        if kept is None:
            CourseEquivalence.objects.filter(pk=equivalence.pk).update(partner=survivor)
            continue
        firsts = [d for d in (kept.first_approved_on, equivalence.first_approved_on) if d]
        lasts = [d for d in (kept.last_approved_on, equivalence.last_approved_on) if d]
        CourseEquivalence.objects.filter(pk=kept.pk).update(
            times_approved=kept.times_approved + equivalence.times_approved,
            first_approved_on=min(firsts) if firsts else None,
            last_approved_on=max(lasts) if lasts else None,
            withdrawn=kept.withdrawn and equivalence.withdrawn,
        )
        LearningAgreementCourse.objects.filter(equivalence=equivalence).update(equivalence=kept)
        equivalence.delete()


def _merge_factsheet(source, survivor) -> str:
    """Move the duplicate's factsheet when the survivor has none; otherwise drop it and return its contents
    (to be recorded), else ""."""
    from meridian.mobility.models import PartnerFactsheet

    sheet = PartnerFactsheet.objects.filter(partner=source).first()
    if sheet is None:
        return ""
    if not PartnerFactsheet.objects.filter(partner=survivor).exists():
        PartnerFactsheet.objects.filter(pk=sheet.pk).update(partner=survivor)
        return ""
    names = [
        f.name
        for f in PartnerFactsheet._meta.concrete_fields
        if f.name not in {"id", "partner", "version", "updated_at", "updated_by"}
    ]
    contents = "\n".join(f"{name}: {getattr(sheet, name)}" for name in names if getattr(sheet, name, ""))
    sheet.delete()
    return contents or "-"


def _merge_models():
    from meridian.mobility.models import (
        CallDestination,
        CooperationCondition,
        CourseEquivalence,
        GradeConversionTable,
        Mobility,
        PartnerFactsheet,
    )

    return (
        CooperationCondition,
        Mobility,
        CallDestination,
        CourseEquivalence,
        GradeConversionTable,
        PartnerFactsheet,
    )


def _merge_count(partner) -> int:
    from meridian.mobility.models import CooperationCondition, Mobility

    return (
        CooperationCondition.objects.filter(partner=partner).count()
        + Mobility.objects.filter(partner=partner).count()
    )


# --- search -------------------------------------------------------------------------------------------------

MAX_WORDS = 6


def _words(query: str) -> list[str]:
    return (query or "").split()[:MAX_WORDS]


def _person_condition(word: str, prefix: str) -> Q:
    return (
        Q(**{f"{prefix}family_name__icontains": word})
        | Q(**{f"{prefix}given_name__icontains": word})
        | Q(**{f"{prefix}name_zh__icontains": word})
    )


def _partner_condition(word: str, prefix: str) -> Q:
    return (
        Q(**{f"{prefix}name__icontains": word})
        | Q(**{f"{prefix}name_en__icontains": word})
        | Q(**{f"{prefix}name_zh__icontains": word})
    )


def search_calls(user, query: str, limit: int) -> list[SearchHit]:
    """Calls ``user`` may see whose number or title holds every word of ``query``."""
    from meridian.mobility.models import Call

    words = _words(query)
    if not words:
        return []
    calls = Call.objects.visible_to(user)
    for word in words:
        calls = calls.filter(
            Q(number__icontains=word) | Q(title_en__icontains=word) | Q(title_zh__icontains=word)
        )
    return [
        SearchHit(
            title=f"{call.number} {call.title}",
            url=_page_url(call),
            kind=_("Exchange call"),
            detail=f"{call.year_label} · {call.get_semester_display()} · {call.get_state_display()}",
        )
        for call in calls.order_by("-academic_year", "-opens_at", "-id")[:limit]
    ]


def search_applications(user, query: str, limit: int) -> list[SearchHit]:
    """Applications ``user`` may see whose number or student's name holds every word of ``query``."""
    from meridian.mobility.models import Application

    words = _words(query)
    if not words:
        return []
    applications = Application.objects.visible_to(user)
    for word in words:
        applications = applications.filter(Q(number__icontains=word) | _person_condition(word, "person__"))
    rows = applications.select_related("person", "call").order_by("-created_at", "-id")[:limit]
    return [
        SearchHit(
            title=f"{a.number} {a.person}",
            url=_page_url(a),
            kind=_("Exchange application"),
            detail=f"{a.call.number} · {a.get_state_display()}",
        )
        for a in rows
    ]


def search_mobilities(user, query: str, limit: int) -> list[SearchHit]:
    """Mobilities ``user`` may see whose number, student's name or partner holds every word of ``query``."""
    from meridian.mobility.models import Mobility

    words = _words(query)
    if not words:
        return []
    mobilities = Mobility.objects.visible_to(user)
    for word in words:
        mobilities = mobilities.filter(
            Q(number__icontains=word)
            | _person_condition(word, "person__")
            | _partner_condition(word, "partner__")
        )
    rows = mobilities.select_related("person", "partner").order_by("-academic_year", "-created_at", "-id")[
        :limit
    ]
    return [
        SearchHit(
            title=f"{m.number} {m.person}",
            url=_page_url(m),
            kind=_("Mobility"),
            detail=f"{m.get_direction_display()} · {m.partner.display_name} · {m.year_label} · "
            f"{m.get_state_display()}",
        )
        for m in rows
    ]


def _staff_searches(user) -> bool:
    return _authenticated(user) and is_internal(user)


# --- activity -----------------------------------------------------------------------------------------------


def _visible_ids(model_name: str, filter_name: str) -> Callable[[Any], Any]:
    """``visible_ids(user)`` of an activity rule: the records the user may see (None: all)."""

    def visible_ids(user):
        from meridian.mobility import models

        model = getattr(models, model_name)
        if getattr(permissions, filter_name)(user) is None:
            return None
        return model.objects.visible_to(user).values("pk")

    return visible_ids


def _staff_reads_activity(user) -> bool:
    """Activity about applications and mobilities is internal: the university's staff read it (of the records
    they may see); students and partner contacts follow their case on its own pages, never here."""
    return _authenticated(user) and is_internal(user)


def _record_url(url_name: str) -> Callable[[int], str]:
    return lambda pk: _url(url_name, args=(pk,))


# --- reports and public figures -----------------------------------------------------------------------------

MOBILITY_REPORT_COLUMNS = (
    ("year", _("Academic year")),
    ("direction", _("Direction")),
    ("partner", _("Partner")),
    ("country", _("Country or territory")),
    ("school", _("School")),
    ("mobility_type", _("Mobility type")),
    ("realised", _("Persons realised")),
    ("planned", _("Persons planned")),
    ("months", _("Months")),
)
BALANCE_REPORT_COLUMNS = (
    ("year", _("Academic year")),
    ("partner", _("Partner")),
    ("agreement", _("Agreement")),
    ("outgoing_places", _("Outgoing places")),
    ("outgoing_months_offered", _("Outgoing months offered")),
    ("outgoing_realised", _("Outgoing persons realised")),
    ("outgoing_planned", _("Outgoing persons planned")),
    ("outgoing_months", _("Outgoing months")),
    ("incoming_places", _("Incoming places")),
    ("incoming_months_offered", _("Incoming months offered")),
    ("incoming_realised", _("Incoming persons realised")),
    ("incoming_planned", _("Incoming persons planned")),
    ("incoming_months", _("Incoming months")),
    ("difference", _("Difference (outgoing − incoming)")),
    ("ratio", _("Ratio")),
    ("alerts", _("Alerts")),
)


def _mobility_report(user):
    from meridian.mobility.selectors.balance import mobility_report_rows

    return mobility_report_rows(user=user)


def _balance_report(user):
    from meridian.mobility.selectors.balance import balance_report_rows

    return balance_report_rows(user=user)


def _students(direction: str = "") -> Callable[[], int]:
    def compute() -> int:
        from meridian.mobility.selectors.balance import exchange_students_count

        return exchange_students_count(direction=direction)

    return compute


def _place_partners() -> int:
    from meridian.mobility.selectors.balance import partners_with_places_count

    return partners_with_places_count()


def _exchanged_by_year() -> list[tuple[str, str, int]]:
    from meridian.mobility.models import academic_year_label
    from meridian.mobility.selectors.balance import exchanged_by_year

    return [
        (academic_year_label(year), academic_year_label(year), count) for year, count in exchanged_by_year()
    ]


def _watched() -> list[Any]:
    from meridian.mobility.models import CooperationCondition, Mobility

    return [Mobility, CooperationCondition]


def _stat_context(count: Callable[[Any], int], url: Callable[[Any], str]) -> Callable[[Any], dict[str, Any]]:
    return lambda user: {"value": count(user), "url": url(user)}


def _stat_visible(count: Callable[[Any], int], url_name: str) -> Callable[[Any], bool]:
    """A figure for the university's staff who have something to do (its page installed)."""
    return lambda user: _authenticated(user) and is_internal(user) and routable(url_name) and count(user) > 0


# --- registration -------------------------------------------------------------------------------------------


def register() -> None:
    registry.nav.add(
        NavEntry(
            key="mobility",
            label=_("Student exchange"),
            url_name="mobility:call_list",
            visible=can_use_section,
            order=37,
            active_apps=("mobility",),
        )
    )
    stats = (
        ("mobility_balance_alerts", _("Exchange-balance alerts"), lambda u: len(balance_alerts(u)),
         lambda u: _balance_url(u), "mobility:balance", 96),
        ("mobility_pre_approval", _("Applications awaiting my school's pre-approval"), pre_approval_count,
         lambda u: _url("mobility:school_queue"), "mobility:school_queue", 97),
        ("mobility_reviews", _("Exchange applications for me to score"), pending_review_count,
         lambda u: _url("mobility:my_reviews"), "mobility:my_reviews", 98),
        ("mobility_incoming", _("Incoming nominations awaiting our decision"), incoming_awaiting_count,
         lambda u: _incoming_url(), "mobility:mobility_list", 99),
    )  # fmt: skip
    for key, title, count, url, url_name, order in stats:
        registry.dashboard_tiles.add(
            DashboardTile(
                key=key,
                title=title,
                template="",
                kind="stat",
                context=_stat_context(count, url),
                visible=_stat_visible(count, url_name),
                order=order,
            )
        )
    registry.dashboard_tiles.add(
        DashboardTile(
            key="mobility_balance",
            title=_("Exchange balance"),
            template="mobility/tiles/balance.html",
            context=_balance_card,
            visible=lambda user: routable("mobility:balance") and bool(balance_alerts(user)),
            order=27,
        )
    )
    registry.partner_panels.add(
        PartnerPanel(
            key="mobility",
            title=_("Student exchange"),
            template="mobility/partner_panel/panel.html",
            context=partner_panel_context,
            visible=partner_panel_visible,
            order=116,
            wide=True,
        )
    )
    registry.partner_merge_hooks.add(
        PartnerMergeHook(
            key="mobility",
            merge=merge_partner_links,
            models=_merge_models,
            label=_("Student exchange (conditions and mobilities)"),
            count=_merge_count,
        )
    )
    for key, label, search, order in (
        ("exchange_calls", _("Exchange calls"), search_calls, 41),
        ("exchange_applications", _("Exchange applications"), search_applications, 42),
        ("mobilities", _("Mobilities"), search_mobilities, 43),
    ):
        registry.search_types.add(
            SearchType(key=key, label=label, search=search, visible=_staff_searches, order=order)
        )
    for key, model_name, filter_name, url_name, order in (
        (
            "exchange_applications",
            "Application",
            "application_visibility_filter",
            "mobility:application_detail",
            41,
        ),
        ("mobilities", "Mobility", "mobility_visibility_filter", "mobility:mobility_detail", 42),
    ):
        registry.activity_rules.add(
            ActivityRule(
                key=key,
                model=partial(_model, model_name),
                visible_ids=_visible_ids(model_name, filter_name),
                internal_verbs=ALL_VERBS,
                internal_ids=_staff_reads_activity,
                order=order,
            )
        )
        registry.activity_feeds.add(
            ActivityFeed(key=key, model=partial(_model, model_name), url=_record_url(url_name), order=order)
        )
    registry.report_datasets.add(
        ReportDataset(
            key="mobilities",
            label=_("Student exchange: mobilities per year, direction, partner, country, school and type"),
            columns=MOBILITY_REPORT_COLUMNS,
            rows=_mobility_report,
            visible=permissions.can_see_balance,
            order=90,
        )
    )
    registry.report_datasets.add(
        ReportDataset(
            key="exchange-balance",
            label=_("Student exchange: balance per agreement, partner and academic year"),
            columns=BALANCE_REPORT_COLUMNS,
            rows=_balance_report,
            visible=permissions.can_see_balance,
            order=91,
        )
    )
    figures = (
        ("exchange_students", _("Exchange students this academic year"), _students(),
         _("Students on exchange in the current academic year (from 1 September), both ways: our students at "
           "partners and partners' students here, accepted and later.")),
        ("exchange_students_outgoing", _("Our students on exchange this academic year"),
         _students(Direction.OUTGOING),
         _("Our students studying at partners in the current academic year (accepted and later).")),
        ("exchange_students_incoming", _("Exchange students from partners this academic year"),
         _students(Direction.INCOMING),
         _("Partners' students studying here in the current academic year (accepted and later).")),
        ("exchange_place_partners", _("Partners with exchange places"), _place_partners,
         _("Partners with student-exchange places in the current academic year under an active agreement.")),
    )  # fmt: skip
    for order, (key, label, compute, description) in enumerate(figures):
        registry.public_figures.add(
            PublicFigure(key=key, label=label, compute=compute, description=description, order=90 + order)
        )
    registry.public_figures.add(
        PublicFigure(
            key="exchanged_by_year",
            label=_("People exchanged per academic year"),
            compute=_exchanged_by_year,
            description=_(
                "Students and staff on exchange in each academic year, both ways (accepted and later); "
                "a person on two exchanges counts twice."
            ),
            kind="timeline",
            order=99,
        )
    )
    registry.cache_watches.add(CacheWatch(key="mobility-figures", group="public", models=_watched))


def _model(name: str):
    from meridian.mobility import models

    return getattr(models, name)


register()
