"""Statistics of incoming visitors and annual records of foreign experts (issue 8, sections 4 and 6).

Visits: visits and guests by the guests' country, organisation, category, host unit and month of arrival,
for a year of arrival and a group of states (default: approved and later). Each row counts ``visits``,
``guests`` (guest places: a person on two visits counts twice) and ``hosted`` (of those visits, the ones
hosted or closed: a closed visit was hosted).

Foreign experts: hiring cases on staff in a year (arrived in China and later, or left during the year, with
a contract overlapping the year) by work-permit category, nationality and host unit; their talent programmes
and the programme funds recorded on the cases (CNY); and the work and residence permits that expire within
30, 60 or 90 days of today.

Only figures of cases the user may see are counted: the office and leadership count every case, a unit's
coordinators and foreign-affairs secretaries the cases of their units (with subunits). Others get none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import can_read_university
from meridian.core.i18n import localised
from meridian.reference.models import Country
from meridian.visitors.choices import ExpertState, PermitCategory, VisitCategory, VisitState
from meridian.visitors.models import ExpertHiring, Visit, VisitGuest
from meridian.visitors.permissions import acted_unit_ids

S = VisitState
APPROVED_ONWARD = (S.APPROVED, S.INVITATION_ISSUED, S.VISA_CONFIRMED, S.ARRIVED, S.HOSTED, S.CLOSED)
HOSTED_STATES = (S.HOSTED, S.CLOSED)

# The state filter of the statistics page: a named group or one state.
STATE_GROUPS: dict[str, tuple[Any, tuple[str, ...] | None]] = {
    "approved": (_("Approved and later"), tuple(APPROVED_ONWARD)),
    "hosted": (_("Hosted (closed visits included)"), tuple(HOSTED_STATES)),
    "in_approval": (_("Under approval"), (S.UNDER_REVIEW,)),
    "all": (_("Every state"), None),
}
DEFAULT_STATES = "approved"

# Experts counted as on staff: in China under the contract (arrived onwards) or left during the year.
E = ExpertState
ON_STAFF_STATES = (E.ARRIVED, E.RESIDENCE_PERMIT, E.EMPLOYED, E.CHANGE_FILED, E.RENEWAL, E.LEFT)
# Cases whose permits are watched for expiry: a work permit is issued and the expert has not left.
PERMIT_HOLDING_STATES = (
    E.PERMIT_ISSUED,
    E.VISA_NOTICE,
    E.ARRIVED,
    E.RESIDENCE_PERMIT,
    E.EMPLOYED,
    E.CHANGE_FILED,
    E.RENEWAL,
)
EXPIRY_WINDOWS = (30, 60, 90)  # calendar days from today

NOT_RECORDED = _("Not recorded")


def state_choices() -> list[tuple[str, Any]]:
    """The choices of the state filter: the groups, then each state."""
    return [(key, label) for key, (label, _states) in STATE_GROUPS.items()] + list(VisitState.choices)


def is_state_choice(value: str) -> bool:
    return value in STATE_GROUPS or value in VisitState.values


def states_for(choice: str) -> tuple[str, ...] | None:
    """The states a filter value stands for (None: every state). Raises ``KeyError`` for an unknown value:
    callers validate first (``is_state_choice``) and say so, never count another group silently."""
    if choice in STATE_GROUPS:
        return STATE_GROUPS[choice][1]
    if choice in VisitState.values:
        return (choice,)
    raise KeyError(choice)


# --- visits: scope ------------------------------------------------------------------------------------------


def scope_visits(*, user) -> QuerySet[Visit]:
    """Every visit whose figures ``user`` may count, in any year and state: all for the office and leadership,
    the visible visits of their units for coordinators and secretaries, none for the others."""
    if can_read_university(user):
        return Visit.objects.all()
    units = acted_unit_ids(user)
    if not units:
        return Visit.objects.none()
    return Visit.objects.visible_to(user).filter(host_unit_id__in=units)


def stats_visits(*, user, year: int | None, states: Iterable[str] | None) -> QuerySet[Visit]:
    """Visits counted: those ``user`` may count arriving in ``year`` (any year when None), in ``states``
    (any state when None)."""
    visits = scope_visits(user=user)
    if year:
        visits = visits.filter(arrive_on__year=year)
    if states is not None:
        visits = visits.filter(state__in=list(states))
    return visits


def visit_years(*, user) -> list[int]:
    """Years of arrival of the visits the user may count, newest first; always includes this year."""
    years = {d.year for d in scope_visits(user=user).dates("arrive_on", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


# --- visits: counts -----------------------------------------------------------------------------------------

_HOSTED = Q(state__in=HOSTED_STATES)


def _visit_counts(visits: QuerySet[Visit], *group: Any, **annotations: Any) -> QuerySet:
    """``values(*group)`` of the visits (with ``annotations`` to group by) with ``visits``, ``guests`` and
    ``hosted`` counts."""
    return (
        Visit.objects.filter(pk__in=visits.values("pk"))
        .annotate(**annotations)
        .values(*group)
        .annotate(
            visits=Count("id", distinct=True),
            guests=Count("guests", distinct=True),
            hosted=Count("id", filter=_HOSTED, distinct=True),
        )
    )


def _row(key: Any, label: Any, r: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "label": str(label),
        "visits": r["visits"],
        "guests": r["guests"],
        "hosted": r["hosted"],
        **extra,
    }


def _by_count(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (-r["visits"], -r["guests"], r["label"]))


def visits_by_country(visits: QuerySet[Visit]) -> list[dict]:
    """``[{"key": ISO code or "", "label", "visits", "guests", "hosted"}]`` by the guests' nationality (the
    visit's country of the guests where a guest's nationality is not recorded), most visits first. A visit
    with guests of two countries counts once in each; visits without guests are not in this table."""
    rows = (
        VisitGuest.objects.filter(visit__in=visits.values("pk"))
        .annotate(country=Coalesce("person__nationality_id", "visit__guest_country_id"))
        .values("country")
        .annotate(
            visits=Count("visit", distinct=True),
            guests=Count("id", distinct=True),
            hosted=Count("visit", filter=Q(visit__state__in=HOSTED_STATES), distinct=True),
        )
    )
    rows_list = list(rows)
    names = {
        c.code: localised(c.name_en, c.name_zh)
        for c in Country.objects.filter(code__in=[r["country"] for r in rows_list if r["country"]])
    }
    return _by_count(
        [_row(r["country"] or "", names.get(r["country"]) or NOT_RECORDED, r) for r in rows_list]
    )


def visits_by_organisation(visits: QuerySet[Visit]) -> list[dict]:
    """``[{"key", "label", "visits", "guests", "hosted"}]`` by the guests' organisation: the partner, the
    registry institution or the typed name (typed names that differ only in case or spaces are one), most
    visits first. ``key`` is ``partner:<id>``, ``institution:<id>``, ``name:<folded name>`` or ``""``."""
    rows = _visit_counts(
        visits,
        "guest_partner_id",
        "guest_partner__name",
        "guest_partner__name_en",
        "guest_partner__name_zh",
        "guest_institution_id",
        "guest_institution__name",
        "guest_organisation",
    )
    merged: dict[str, dict[str, Any]] = {}
    names: dict[str, dict[str, int]] = {}  # visits under each spelling of a typed name
    for r in rows:
        if r["guest_partner_id"]:
            key = f"partner:{r['guest_partner_id']}"
            label = localised(
                r["guest_partner__name_en"] or r["guest_partner__name"], r["guest_partner__name_zh"]
            )
        elif r["guest_institution_id"]:
            key, label = f"institution:{r['guest_institution_id']}", r["guest_institution__name"]
        elif r["guest_organisation"].strip():
            label = " ".join(r["guest_organisation"].split())
            key = f"name:{label.casefold()}"
        else:
            key, label = "", str(NOT_RECORDED)
        row = merged.setdefault(key, _row(key, label, {"visits": 0, "guests": 0, "hosted": 0}))
        for name in ("visits", "guests", "hosted"):
            row[name] += r[name]
        spellings = names.setdefault(key, {})
        spellings[label] = spellings.get(label, 0) + r["visits"]
    for key, spellings in names.items():
        # The spelling most visits use names the row (the first in sort order on a tie).
        merged[key]["label"] = min(spellings, key=lambda s: (-spellings[s], s))
    return _by_count(list(merged.values()))


def visits_by_category(visits: QuerySet[Visit]) -> list[dict]:
    """``[{"key": category, "label", "visits", "guests", "hosted"}]`` for every category with visits, in the
    order of the category list."""
    counts = {r["category"]: r for r in _visit_counts(visits, "category")}
    return [_row(value, label, counts[value]) for value, label in VisitCategory.choices if value in counts]


def visits_by_unit(visits: QuerySet[Visit]) -> list[dict]:
    """``[{"key": unit id, "label", "visits", "guests", "hosted"}]`` by host unit, in the order of the unit
    tree (a subunit's visits are its own, not added to its parent's)."""
    rows = _visit_counts(
        visits, "host_unit_id", "host_unit__name_en", "host_unit__name_zh", "host_unit__path"
    )
    return [
        _row(r["host_unit_id"], localised(r["host_unit__name_en"], r["host_unit__name_zh"]), r)
        for r in rows.order_by("host_unit__path")
    ]


def visits_by_month(visits: QuerySet[Visit]) -> list[dict]:
    """``[{"key": 1..12, "label": month name, "visits", "guests", "hosted"}]`` by month of (planned)
    arrival; every month is listed."""
    from django.utils.dates import MONTHS

    counts = {
        r["month"]: r for r in _visit_counts(visits, "month", month=ExtractMonth("arrive_on")).order_by()
    }
    empty = {"visits": 0, "guests": 0, "hosted": 0}
    return [_row(m, MONTHS[m], counts.get(m, empty)) for m in range(1, 13)]


VISIT_TABLES = {
    "country": (visits_by_country, _("Visitors by country or territory")),
    "organisation": (visits_by_organisation, _("Visitors by organisation")),
    "category": (visits_by_category, _("Visitors by category of visit")),
    "unit": (visits_by_unit, _("Visitors by host unit")),
    "month": (visits_by_month, _("Visitors by month of arrival")),
}


@dataclass
class VisitStats:
    """Every table of the statistics page: ``tables`` maps a table key of ``VISIT_TABLES`` to its rows."""

    year: int | None
    state: str
    visits: int
    guests: int
    hosted: int
    tables: dict[str, list[dict]] = field(default_factory=dict)


def visit_stats(*, user, year: int | None, state: str = DEFAULT_STATES) -> VisitStats:
    """The statistics page for ``user``, ``year`` of arrival (None: every year) and the state filter
    (``states_for``: raises ``KeyError`` for an unknown value)."""
    visits = stats_visits(user=user, year=year, states=states_for(state))
    totals = Visit.objects.filter(pk__in=visits.values("pk")).aggregate(
        visits=Count("id", distinct=True),
        guests=Count("guests", distinct=True),
        hosted=Count("id", filter=_HOSTED, distinct=True),
    )
    return VisitStats(
        year=year,
        state=state,
        visits=totals["visits"],
        guests=totals["guests"],
        hosted=totals["hosted"],
        tables={key: compute(visits) for key, (compute, _label) in VISIT_TABLES.items()},
    )


# --- foreign experts ----------------------------------------------------------------------------------------


def scope_hirings(*, user) -> QuerySet[ExpertHiring]:
    """Every hiring case whose figures ``user`` may count: all for the office and leadership, the visible
    cases of their units for coordinators and secretaries, none for the others."""
    if can_read_university(user):
        return ExpertHiring.objects.all()
    units = acted_unit_ids(user)
    if not units:
        return ExpertHiring.objects.none()
    return ExpertHiring.objects.visible_to(user).filter(host_unit_id__in=units)


def on_staff(hirings: QuerySet[ExpertHiring], year: int) -> QuerySet[ExpertHiring]:
    """Cases of experts on staff during ``year``: arrived in China and later (or left), with a contract
    overlapping the year, and not left before it began."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return hirings.filter(
        state__in=ON_STAFF_STATES, contract_starts_on__lte=last, contract_ends_on__gte=first
    ).exclude(left_on__lt=first)


def expert_years(*, user) -> list[int]:
    """Years in which contracts of the cases the user may count run, newest first; always this year."""
    years = {timezone.localdate().year}
    bounds = (
        scope_hirings(user=user)
        .filter(state__in=ON_STAFF_STATES)
        .values_list("contract_starts_on", "contract_ends_on")
    )
    for start, end in bounds:
        years.update(range(start.year, min(end.year, timezone.localdate().year + 1) + 1))
    return sorted(years, reverse=True)


def experts_by_category(hirings: QuerySet[ExpertHiring]) -> list[dict]:
    """``[{"key": "A"|"B"|"C"|"", "label", "experts"}]``: work-permit categories in order, then those with
    no category recorded."""
    counts = {
        r["permit_category"]: r["n"]
        for r in hirings.values("permit_category").annotate(n=Count("id")).order_by()
    }
    rows = [
        {"key": value, "label": str(label), "experts": counts[value]}
        for value, label in PermitCategory.choices
        if counts.get(value)
    ]
    if counts.get(""):
        rows.append({"key": "", "label": str(NOT_RECORDED), "experts": counts[""]})
    return rows


def experts_by_country(hirings: QuerySet[ExpertHiring]) -> list[dict]:
    """``[{"key": ISO code or "", "label", "experts"}]`` by the expert's nationality, most first."""
    rows = list(
        hirings.values(
            "person__nationality_id", "person__nationality__name_en", "person__nationality__name_zh"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    result = [
        {
            "key": r["person__nationality_id"] or "",
            "label": localised(r["person__nationality__name_en"], r["person__nationality__name_zh"])
            if r["person__nationality_id"]
            else str(NOT_RECORDED),
            "experts": r["n"],
        }
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r["experts"], r["label"]))


def experts_by_unit(hirings: QuerySet[ExpertHiring]) -> list[dict]:
    """``[{"key": unit id, "label", "experts"}]`` by host unit, in the order of the unit tree."""
    rows = (
        hirings.values("host_unit_id", "host_unit__name_en", "host_unit__name_zh", "host_unit__path")
        .annotate(n=Count("id"))
        .order_by("host_unit__path")
    )
    return [
        {
            "key": r["host_unit_id"],
            "label": localised(r["host_unit__name_en"], r["host_unit__name_zh"]),
            "experts": r["n"],
        }
        for r in rows
    ]


def talent_programmes(hirings: QuerySet[ExpertHiring]) -> list[dict]:
    """``[{"key", "label", "experts", "funds"}]``: each talent programme or project named on the cases
    (names that differ only in case or spaces are one), with its experts and the programme funds spent as
    recorded on the cases (CNY, ``Decimal``; cases without an amount add nothing), most experts first; then
    one row for experts in no programme (``key`` "")."""
    merged: dict[str, dict[str, Any]] = {}
    spellings: dict[str, list[str]] = {}
    rows = hirings.values("talent_programme").annotate(n=Count("id"), funds=Sum("programme_funds")).order_by()
    for r in rows:
        label = " ".join(r["talent_programme"].split())
        key = label.casefold()
        row = merged.setdefault(
            key,
            {"key": key, "label": label or str(_("No talent programme")), "experts": 0, "funds": Decimal(0)},
        )
        row["experts"] += r["n"]
        row["funds"] += r["funds"] or Decimal(0)
        if label:
            spellings.setdefault(key, []).extend([label] * r["n"])
    for key, labels in spellings.items():
        # The spelling most cases use names the row (the first in sort order on a tie).
        merged[key]["label"] = min(set(labels), key=lambda s: (-labels.count(s), s))
    named = sorted((r for k, r in merged.items() if k), key=lambda r: (-r["experts"], r["label"]))
    return named + ([merged[""]] if "" in merged else [])


@dataclass
class ExpiringPermit:
    """A work or residence permit of a case, expiring on ``expires_on`` (``days_left`` < 0: expired)."""

    hiring_id: int
    number: str
    name: str
    unit: str
    permit: str  # "work" or "residence"
    permit_label: str
    expires_on: date
    days_left: int


def expiring_permits(
    hirings: QuerySet[ExpertHiring], *, today: date, within: int = EXPIRY_WINDOWS[-1]
) -> list[ExpiringPermit]:
    """Work and residence permits of current cases (work permit issued, not left) that expired before
    ``today`` or expire within ``within`` calendar days of it, soonest first. A case with both permits
    expiring gives two rows."""
    limit = today + timedelta(days=within)
    cases = (
        hirings.filter(state__in=PERMIT_HOLDING_STATES)
        .filter(Q(permit_expires_on__lte=limit) | Q(residence_permit_expires_on__lte=limit))
        .select_related("person", "host_unit")
    )
    rows: list[ExpiringPermit] = []
    for hiring in cases:
        name = str(hiring.person) if hiring.person_id else hiring.position
        for permit, label, expires in (
            ("work", _("Work permit"), hiring.permit_expires_on),
            ("residence", _("Residence permit"), hiring.residence_permit_expires_on),
        ):
            if expires is not None and expires <= limit:
                rows.append(
                    ExpiringPermit(
                        hiring_id=hiring.pk,
                        number=hiring.number,
                        name=name,
                        unit=hiring.host_unit.name,
                        permit=permit,
                        permit_label=str(label),
                        expires_on=expires,
                        days_left=(expires - today).days,
                    )
                )
    rows.sort(key=lambda r: (r.expires_on, r.number, r.permit))
    return rows


def expiry_counts(rows: list[ExpiringPermit]) -> dict[str, int]:
    """Permits already expired, and expiring within each window of ``EXPIRY_WINDOWS`` (cumulative: the 60
    days count includes the 30 days one); keys ``expired``, ``30``, ``60``, ``90``."""
    counts = {"expired": sum(1 for r in rows if r.days_left < 0)}
    for days in EXPIRY_WINDOWS:
        counts[str(days)] = sum(1 for r in rows if 0 <= r.days_left <= days)
    return counts


@dataclass
class ExpertRecords:
    """The annual records of foreign experts for ``year`` and the permits expiring as of ``today``."""

    year: int
    today: date
    on_staff: int
    categories: list[dict]
    countries: list[dict]
    units: list[dict]
    programmes: list[dict]
    funds: Decimal
    expiring: list[ExpiringPermit]
    expiry: dict[str, int]


def expert_records(*, user, year: int, today: date | None = None) -> ExpertRecords:
    """Every table of the expert records page for ``user`` and ``year``."""
    today = today or timezone.localdate()
    scope = scope_hirings(user=user)
    staff = ExpertHiring.objects.filter(pk__in=on_staff(scope, year).values("pk"))
    programmes = talent_programmes(staff)
    expiring = expiring_permits(scope, today=today)
    return ExpertRecords(
        year=year,
        today=today,
        on_staff=staff.count(),
        categories=experts_by_category(staff),
        countries=experts_by_country(staff),
        units=experts_by_unit(staff),
        programmes=programmes,
        funds=sum((p["funds"] for p in programmes), Decimal(0)),
        expiring=expiring,
        expiry=expiry_counts(expiring),
    )
