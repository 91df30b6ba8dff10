"""The exchange balance (issue 9, section 7): per agreement, partner and academic year, the students we send
and the students the partner sends, in persons and months, against the places and total months of the
cooperation conditions for that year.

What is counted:

- Student mobilities only (semester, full year, short programme, summer school, traineeship; staff teaching
  and training have places of their own and are left out), on both sides: mobilities and conditions.
- A mobility counts as *realised* once accepted (accepted, in mobility, returned, completed) and as *planned*
  while the nomination is under way (nominated, documents requested, invited, applied); rejected and
  cancelled ones never count. Its agreement is the mobility's, else its condition's.
- Months: from the actual dates when both are recorded (calendar days, both ends included, ÷ 30 — the
  Erasmus+ programme guide counts a month as 30 days), else the mobility's ``months`` (the planned length);
  one decimal.
- Places: the sum of ``places`` (persons) and ``total_months`` of the conditions for the year; a condition
  with an empty academic year counts for every academic year of its agreement (its start and end dates;
  an open end counts for every later year). Academic years start on 1 September
  (``ACADEMIC_YEAR_START_MONTH``) and are named by the year they start in (2026 = 2026/2027).

Alerts, per row (an agreement's or a partner's whole year):

- *imbalance*: |outgoing − incoming| ≥ ``settings.MOBILITY_BALANCE_GAP`` persons and the larger side ÷ the
  smaller ≥ ``settings.MOBILITY_BALANCE_RATIO`` (a smaller side of 0 counts as an infinite ratio); persons are
  realised + planned;
- *over places*: a direction uses more places (realised + planned persons) than its conditions give.

Only what the reader may see is counted: conditions through ``CooperationCondition.objects.visible_to``,
mobilities through ``Mobility.objects.visible_to``. Four queries whatever the number of rows (mobilities,
conditions, then the partners and agreements named in the rows).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.core.i18n import localised
from meridian.mobility.choices import STUDENT_MOBILITY_TYPES, Direction, MobilityState, MobilityType
from meridian.mobility.models import CooperationCondition, Mobility, academic_year_label

ACADEMIC_YEAR_START_MONTH = 9
DAYS_PER_MONTH = 30
ONE_PLACE = Decimal("0.1")

S = MobilityState
REALISED_STATES = (S.ACCEPTED, S.ACTIVE, S.RETURNED, S.COMPLETED)
PLANNED_STATES = (S.NOMINATED, S.DOCUMENTS_REQUESTED, S.INVITED, S.APPLIED)
COUNTED_STATES = REALISED_STATES + PLANNED_STATES

# Which way a row leans (the balance page's "direction" filter).
LEANING_CHOICES = (
    ("outgoing", _("We send more")),
    ("incoming", _("The partner sends more")),
    ("even", _("Even")),
)


def academic_year_of(day: datetime.date) -> int:
    """The academic year ``day`` falls in: 2026-09-01 … 2027-08-31 → 2026."""
    return day.year if day.month >= ACADEMIC_YEAR_START_MONTH else day.year - 1


def current_academic_year(today: datetime.date | None = None) -> int:
    return academic_year_of(today or timezone.localdate())


def months_from_days(days: int) -> Decimal:
    """Calendar days → months at 30 days a month, one decimal (half up)."""
    return (Decimal(days) / DAYS_PER_MONTH).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


# --- the figures ----------------------------------------------------------------------------------------


@dataclass
class Side:
    """One direction of a row: places and months offered, persons and months used (realised + planned)."""

    places: int = 0
    capacity_months: Decimal | None = None  # None: no condition says how many months
    realised: int = 0
    planned: int = 0
    realised_months: Decimal = Decimal(0)
    planned_months: Decimal = Decimal(0)

    @property
    def persons(self) -> int:
        return self.realised + self.planned

    @property
    def months(self) -> Decimal:
        return self.realised_months + self.planned_months

    @property
    def places_left(self) -> int:
        return self.places - self.persons

    @property
    def over_places(self) -> bool:
        return self.persons > self.places

    @property
    def over_months(self) -> bool:
        return self.capacity_months is not None and self.months > self.capacity_months

    def add(self, other: Side) -> None:
        self.places += other.places
        if other.capacity_months is not None:
            self.capacity_months = (self.capacity_months or Decimal(0)) + other.capacity_months
        self.realised += other.realised
        self.planned += other.planned
        self.realised_months += other.realised_months
        self.planned_months += other.planned_months


def imbalance_of(outgoing: int, incoming: int, *, gap: int | None = None, ratio: float | None = None) -> bool:
    """The imbalance rule: |outgoing − incoming| ≥ gap and larger ÷ smaller ≥ ratio (smaller 0 → ∞).

    ``gap`` and ``ratio`` default to ``settings.MOBILITY_BALANCE_GAP`` and ``MOBILITY_BALANCE_RATIO``."""
    gap = settings.MOBILITY_BALANCE_GAP if gap is None else gap
    ratio = settings.MOBILITY_BALANCE_RATIO if ratio is None else ratio
    larger, smaller = max(outgoing, incoming), min(outgoing, incoming)
    if larger - smaller < gap:
        return False
    return (math.inf if smaller == 0 else larger / smaller) >= ratio


@dataclass
class BalanceRow:
    """The balance of one academic year: of one agreement with one partner (``agreement`` set), or of the
    partner over all its agreements (``agreement`` None, ``agreements`` the rows it sums up). ``agreement``
    None on an agreement row stands for mobilities recorded without an agreement (``no_agreement``)."""

    year: int
    partner_id: int
    agreement_id: int | None
    outgoing: Side = field(default_factory=Side)
    incoming: Side = field(default_factory=Side)
    partner: Any = None
    agreement: Any = None
    is_total: bool = False
    agreements: list[BalanceRow] = field(default_factory=list)

    @property
    def year_label(self) -> str:
        return academic_year_label(self.year)

    @property
    def no_agreement(self) -> bool:
        return not self.is_total and self.agreement_id is None

    @property
    def sides(self) -> tuple[Side, Side]:
        """Outgoing, then incoming."""
        return (self.outgoing, self.incoming)

    def side(self, direction: str) -> Side:
        return self.outgoing if direction == Direction.OUTGOING else self.incoming

    @property
    def difference(self) -> int:
        """Outgoing − incoming persons (positive: we send more)."""
        return self.outgoing.persons - self.incoming.persons

    @property
    def ratio(self) -> float | None:
        """Larger ÷ smaller side in persons; ``inf`` when only one side is 0; None when both are."""
        larger = max(self.outgoing.persons, self.incoming.persons)
        smaller = min(self.outgoing.persons, self.incoming.persons)
        if larger == 0:
            return None
        return math.inf if smaller == 0 else larger / smaller

    @property
    def ratio_label(self) -> str:
        ratio = self.ratio
        if ratio is None:
            return "–"
        return "∞" if ratio == math.inf else f"{ratio:.1f}"

    @property
    def leaning(self) -> str:
        difference = self.difference
        return "outgoing" if difference > 0 else "incoming" if difference < 0 else "even"

    @property
    def imbalanced(self) -> bool:
        return imbalance_of(self.outgoing.persons, self.incoming.persons)

    @property
    def alerts(self) -> list[str]:
        """Codes of the alerts of this row: ``imbalance``, ``outgoing_over``, ``incoming_over``."""
        found = []
        if self.imbalanced:
            found.append("imbalance")
        if self.outgoing.over_places:
            found.append("outgoing_over")
        if self.incoming.over_places:
            found.append("incoming_over")
        return found

    @property
    def alert_messages(self) -> list[str]:
        """The alerts in words (the reader's language)."""
        messages = []
        if self.imbalanced:
            if self.difference > 0:
                text = _("Unbalanced: we send %(out)s, the partner sends %(in)s.")
            else:
                text = _("Unbalanced: the partner sends %(in)s, we send %(out)s.")
            messages.append(str(text) % {"out": self.outgoing.persons, "in": self.incoming.persons})
        for side, text in (
            (self.outgoing, _("Outgoing uses %(used)s of %(places)s places.")),
            (self.incoming, _("Incoming uses %(used)s of %(places)s places.")),
        ):
            if side.over_places:
                messages.append(str(text) % {"used": side.persons, "places": side.places})
        return messages

    @property
    def has_alert(self) -> bool:
        return bool(self.alerts)

    @property
    def any_alert(self) -> bool:
        """This row or one of the agreement rows it sums up has an alert."""
        return self.has_alert or any(row.has_alert for row in self.agreements)


@dataclass
class Balance:
    """The balance asked for: partner-year totals (``groups``, newest year first, then partner name), each
    with its agreement rows; ``years`` are the academic years that have figures."""

    groups: list[BalanceRow]
    years: list[int]

    @property
    def alert_count(self) -> int:
        return sum(1 for group in self.groups if group.any_alert)

    def rows(self) -> Iterable[BalanceRow]:
        """Every row in page order: each partner-year total followed by its agreement rows."""
        for group in self.groups:
            yield group
            yield from group.agreements


# --- reading ----------------------------------------------------------------------------------------------


def _mobility_figures(user, *, year: int | None, partner_id: int | None, agreement_id: int | None):
    """(agreement, partner, year, direction, state) → count, count with actual dates, planned months, days."""
    dated = Q(actual_start__isnull=False, actual_end__isnull=False)
    mobilities = Mobility.objects.visible_to(user).filter(
        state__in=COUNTED_STATES, mobility_type__in=STUDENT_MOBILITY_TYPES
    )
    if year is not None:
        mobilities = mobilities.filter(academic_year=year)
    if partner_id is not None:
        mobilities = mobilities.filter(partner_id=partner_id)
    mobilities = mobilities.annotate(agreement_key=Coalesce("agreement_id", "condition__agreement_id"))
    if agreement_id is not None:
        mobilities = mobilities.filter(agreement_key=agreement_id)
    return (
        mobilities.order_by()
        .values("agreement_key", "partner_id", "academic_year", "direction", "state")
        .annotate(
            n=Count("pk"),
            n_dated=Count("pk", filter=dated),
            planned_months=Sum("months", filter=~dated),
            days=Sum(
                ExpressionWrapper(F("actual_end") - F("actual_start"), output_field=DurationField()),
                filter=dated,
            ),
        )
    )


def _condition_figures(user, *, year: int | None, partner_id: int | None, agreement_id: int | None):
    """(agreement, partner, year or None, direction) → places, months, conditions without months; with the
    agreement's dates (for conditions of every year)."""
    conditions = CooperationCondition.objects.visible_to(user).filter(
        mobility_type__in=STUDENT_MOBILITY_TYPES
    )
    if year is not None:
        conditions = conditions.filter(Q(academic_year=year) | Q(academic_year__isnull=True))
    if partner_id is not None:
        conditions = conditions.filter(partner_id=partner_id)
    if agreement_id is not None:
        conditions = conditions.filter(agreement_id=agreement_id)
    return (
        conditions.order_by()
        .values(
            "agreement_id",
            "partner_id",
            "academic_year",
            "direction",
            "agreement__start_date",
            "agreement__end_date",
        )
        .annotate(
            places_sum=Sum("places"),
            months_sum=Sum("total_months"),
            months_given=Count("pk", filter=Q(total_months__isnull=False)),
        )
    )


def _period_years(start: datetime.date | None, end: datetime.date | None, years: Iterable[int]) -> list[int]:
    """Of ``years``, those within an agreement running from ``start`` to ``end`` (either may be open)."""
    first = academic_year_of(start) if start else None
    last = academic_year_of(end) if end else None
    return [y for y in years if (first is None or y >= first) and (last is None or y <= last)]


def _side_of(direction: str, row: BalanceRow) -> Side:
    return row.outgoing if direction == Direction.OUTGOING else row.incoming


def exchange_balance(
    *,
    user,
    year: int | None = None,
    partner_id: int | None = None,
    agreement_id: int | None = None,
    leaning: str = "",
    alerts_only: bool = False,
) -> Balance:
    """The exchange balance ``user`` may see (see the module docstring for what counts).

    ``year``: one academic year (None: every year with figures, plus the current academic year, for which
    the conditions of every year count); ``partner_id`` / ``agreement_id`` narrow to one partner or agreement;
    ``leaning`` ("outgoing", "incoming", "even") keeps the partner-years leaning that way; ``alerts_only``
    keeps the partner-years where the total or one of its agreements has an alert. Four queries."""
    rows: dict[tuple[int | None, int, int], BalanceRow] = {}

    def row_for(agreement: int | None, partner: int, row_year: int) -> BalanceRow:
        key = (agreement, partner, row_year)
        if key not in rows:
            rows[key] = BalanceRow(year=row_year, partner_id=partner, agreement_id=agreement)
        return rows[key]

    filters = {"year": year, "partner_id": partner_id, "agreement_id": agreement_id}
    for figure in _mobility_figures(user, **filters):
        side = _side_of(
            figure["direction"],
            row_for(figure["agreement_key"], figure["partner_id"], figure["academic_year"]),
        )
        months = figure["planned_months"] or Decimal(0)
        if figure["days"] is not None:
            months += months_from_days(figure["days"].days + figure["n_dated"])
        if figure["state"] in REALISED_STATES:
            side.realised += figure["n"]
            side.realised_months += months
        else:
            side.planned += figure["n"]
            side.planned_months += months

    conditions = list(_condition_figures(user, **filters))
    if year is not None:
        universe = {year}
    else:
        universe = {key[2] for key in rows} | {c["academic_year"] for c in conditions if c["academic_year"]}
        universe.add(current_academic_year())
    for condition in conditions:
        if condition["academic_year"] is not None:
            years = [condition["academic_year"]]
        else:
            years = _period_years(
                condition["agreement__start_date"], condition["agreement__end_date"], universe
            )
        for condition_year in years:
            row = row_for(condition["agreement_id"], condition["partner_id"], condition_year)
            side = _side_of(condition["direction"], row)
            side.places += condition["places_sum"] or 0
            if condition["months_given"]:
                side.capacity_months = (side.capacity_months or Decimal(0)) + condition["months_sum"]

    _name_rows(rows.values())
    groups = _group(rows.values())
    if leaning:
        groups = [g for g in groups if g.leaning == leaning]
    if alerts_only:
        groups = [g for g in groups if g.any_alert]
    years = sorted({key[2] for key in rows}, reverse=True)
    return Balance(groups=groups, years=years)


def _name_rows(rows: Iterable[BalanceRow]) -> None:
    """Attach the partner and agreement of every row (two queries)."""
    from meridian.agreements.models import Agreement
    from meridian.partners.models import Partner

    rows = list(rows)
    partners = Partner.objects.in_bulk({r.partner_id for r in rows})
    agreements = Agreement.objects.in_bulk({r.agreement_id for r in rows if r.agreement_id is not None})
    for row in rows:
        row.partner = partners.get(row.partner_id)
        row.agreement = agreements.get(row.agreement_id) if row.agreement_id is not None else None


def _partner_name(row: BalanceRow) -> str:
    partner = row.partner
    return str(getattr(partner, "display_name", None) or partner or "").casefold()


def _group(rows: Iterable[BalanceRow]) -> list[BalanceRow]:
    """Partner-year totals with their agreement rows: newest year first, then by partner name; agreement
    rows by agreement number, mobilities without an agreement last."""
    totals: dict[tuple[int, int], BalanceRow] = {}
    for row in rows:
        key = (row.partner_id, row.year)
        if key not in totals:
            totals[key] = BalanceRow(
                year=row.year,
                partner_id=row.partner_id,
                agreement_id=None,
                partner=row.partner,
                is_total=True,
            )
        total = totals[key]
        total.outgoing.add(row.outgoing)
        total.incoming.add(row.incoming)
        total.agreements.append(row)
    for total in totals.values():
        total.agreements.sort(
            key=lambda r: (r.agreement is None, getattr(r.agreement, "number", ""), r.agreement_id or 0)
        )
    return sorted(totals.values(), key=lambda t: (-t.year, _partner_name(t), t.partner_id))


def balance_years(*, user) -> list[int]:
    """Academic years with mobilities or year-bound conditions ``user`` may see, and the current and next
    academic years, newest first (the year filter's choices; two queries)."""
    current = current_academic_year()
    years = {current, current + 1}
    years.update(
        Mobility.objects.visible_to(user).order_by().values_list("academic_year", flat=True).distinct()
    )
    years.update(
        CooperationCondition.objects.visible_to(user)
        .filter(academic_year__isnull=False)
        .order_by()
        .values_list("academic_year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


def partner_balance(*, partner, user) -> Balance:
    """The balance of one partner, every year with figures (the partner page's panel)."""
    return exchange_balance(user=user, partner_id=partner.pk)


def alert_count(*, user, year: int | None = None) -> int:
    """Partner-years with an alert in ``year`` (default: the current academic year) that ``user`` may see."""
    year = current_academic_year() if year is None else year
    return exchange_balance(user=user, year=year).alert_count


# --- export -----------------------------------------------------------------------------------------------


def export_headers() -> list[str]:
    """Column headings of the balance export (the reader's language)."""
    return [
        str(h)
        for h in (
            _("Academic year"),
            _("Partner"),
            _("Agreement"),
            _("Outgoing places"),
            _("Outgoing months offered"),
            _("Outgoing persons realised"),
            _("Outgoing persons planned"),
            _("Outgoing months"),
            _("Incoming places"),
            _("Incoming months offered"),
            _("Incoming persons realised"),
            _("Incoming persons planned"),
            _("Incoming months"),
            _("Difference (outgoing − incoming)"),
            _("Ratio"),
            _("Alerts"),
        )
    ]


def export_rows(balance: Balance) -> list[list[object]]:
    """One line per row of the page: each partner-year total ("All agreements"), then its agreement rows."""
    lines: list[list[object]] = []
    for row in balance.rows():
        if row.is_total:
            agreement = str(_("All agreements"))
        elif row.agreement is not None:
            agreement = f"{row.agreement.number} {row.agreement.title}"
        else:
            agreement = str(_("No agreement recorded"))
        partner = getattr(row.partner, "display_name", None) or str(row.partner or "")
        sides: list[object] = []
        for side in (row.outgoing, row.incoming):
            sides += [
                side.places,
                float(side.capacity_months) if side.capacity_months is not None else "",
                side.realised,
                side.planned,
                float(side.months),
            ]
        lines.append(
            [
                row.year_label,
                partner,
                agreement,
                *sides,
                row.difference,
                row.ratio_label,
                " ".join(row.alert_messages),
            ]
        )
    return lines


# --- reports and public figures -------------------------------------------------------------------------


def mobility_report_rows(*, user) -> list[dict[str, object]]:
    """Mobilities ``user`` may see, counted per academic year, direction, partner, partner's country, our
    school and mobility type: ``realised`` and ``planned`` persons (rejected and cancelled never count) and
    ``months`` (as in the balance). One query."""
    dated = Q(actual_start__isnull=False, actual_end__isnull=False)
    groups = (
        Mobility.objects.visible_to(user)
        .filter(state__in=COUNTED_STATES)
        .order_by()
        .values(
            "academic_year",
            "direction",
            "partner__name",
            "partner__name_en",
            "partner__name_zh",
            "partner__country__name_en",
            "partner__country__name_zh",
            "home_unit__name_en",
            "home_unit__name_zh",
            "mobility_type",
        )
        .annotate(
            realised=Count("pk", filter=Q(state__in=REALISED_STATES)),
            planned=Count("pk", filter=Q(state__in=PLANNED_STATES)),
            n_dated=Count("pk", filter=dated),
            planned_months=Sum("months", filter=~dated),
            days=Sum(
                ExpressionWrapper(F("actual_end") - F("actual_start"), output_field=DurationField()),
                filter=dated,
            ),
        )
    )
    directions = dict(Direction.choices)
    types = dict(MobilityType.choices)
    rows = []
    for g in groups:
        months = g["planned_months"] or Decimal(0)
        if g["days"] is not None:
            months += months_from_days(g["days"].days + g["n_dated"])
        rows.append(
            {
                "year": academic_year_label(g["academic_year"]),
                "direction": str(directions.get(g["direction"], g["direction"])),
                "partner": localised(g["partner__name_en"] or g["partner__name"], g["partner__name_zh"]),
                "country": localised(
                    g["partner__country__name_en"] or "", g["partner__country__name_zh"] or ""
                ),
                "school": localised(g["home_unit__name_en"], g["home_unit__name_zh"]),
                "mobility_type": str(types.get(g["mobility_type"], g["mobility_type"])),
                "realised": g["realised"],
                "planned": g["planned"],
                "months": float(months),
            }
        )
    rows.sort(
        key=lambda r: (
            str(r["year"]),
            r["direction"],
            str(r["partner"]).casefold(),
            r["school"],
            r["mobility_type"],
        )
    )
    return rows


BALANCE_REPORT_KEYS = (
    "year",
    "partner",
    "agreement",
    "outgoing_places",
    "outgoing_months_offered",
    "outgoing_realised",
    "outgoing_planned",
    "outgoing_months",
    "incoming_places",
    "incoming_months_offered",
    "incoming_realised",
    "incoming_planned",
    "incoming_months",
    "difference",
    "ratio",
    "alerts",
)


def balance_report_rows(*, user) -> list[dict[str, object]]:
    """The balance of every year ``user`` may see, as the export writes it (keys ``BALANCE_REPORT_KEYS``)."""
    return [
        dict(zip(BALANCE_REPORT_KEYS, line, strict=True)) for line in export_rows(exchange_balance(user=user))
    ]


def exchange_students_count(*, year: int | None = None, direction: str = "") -> int:
    """Students on exchange in academic ``year`` (default: the current one): student mobilities accepted,
    in mobility, returned or completed, in ``direction`` or both. Every mobility (a public aggregate)."""
    year = current_academic_year() if year is None else year
    mobilities = Mobility.objects.filter(
        academic_year=year, state__in=REALISED_STATES, mobility_type__in=STUDENT_MOBILITY_TYPES
    )
    if direction:
        mobilities = mobilities.filter(direction=direction)
    return mobilities.count()


def exchanged_by_year(*, years: int = 8) -> list[tuple[int, int]]:
    """``(academic year, people)`` for the last ``years`` academic years up to the current one, oldest first,
    zeros included: mobilities of every type (students and staff, both ways) accepted, in mobility, returned
    or completed; a person on two mobilities counts twice. A public aggregate (one query)."""
    current = current_academic_year()
    first = current - years + 1
    rows = (
        Mobility.objects.filter(
            academic_year__gte=first, academic_year__lte=current, state__in=REALISED_STATES
        )
        .values("academic_year")
        .annotate(n=Count("id"))
    )
    counts = {row["academic_year"]: row["n"] for row in rows}
    if not counts:
        return []
    start = min(counts)
    return [(year, counts.get(year, 0)) for year in range(start, current + 1)]


def partners_with_places_count(*, year: int | None = None) -> int:
    """Partners with student-exchange places in academic ``year`` (default: the current one): a student
    condition for that year, or for every year of an agreement running in it, on an active agreement."""
    from meridian.agreements.choices import AgreementState

    year = current_academic_year() if year is None else year
    starts = datetime.date(year, ACADEMIC_YEAR_START_MONTH, 1)
    ends = datetime.date(year + 1, ACADEMIC_YEAR_START_MONTH, 1) - datetime.timedelta(days=1)
    every_year = (
        Q(academic_year__isnull=True)
        & (Q(agreement__start_date__isnull=True) | Q(agreement__start_date__lte=ends))
        & (Q(agreement__end_date__isnull=True) | Q(agreement__end_date__gte=starts))
    )
    return (
        CooperationCondition.objects.filter(
            Q(academic_year=year) | every_year,
            agreement__state=AgreementState.ACTIVE,
            mobility_type__in=STUDENT_MOBILITY_TYPES,
        )
        .values("partner_id")
        .distinct()
        .count()
    )
