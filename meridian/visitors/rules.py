"""The visitors rule pack (外宾接待 / 邀请函 rules) on the generic rule-pack platform
(``meridian.workflow.rulepack``).

Every rule evaluates a plain ``VisitFacts`` object built from a saved visit (``visit_check``) or from one
guest with optional unsaved values (``guest_checks``, the self-service form and the guest panel), so the check
on the visit page, the guard of a move and the check of a guest's entry agree. Parameters, severity, on/off
and the cited source are data: administrators change them on the rules page (``visitors:rules``), which
publishes a new rule-set version; a visit stores the number of the version it was submitted against.

Public interface: ``parameter(code, name)``, ``visit_check(*, visit, save)``, ``blocking_messages(visit)``,
``guest_checks(guest, *, data)``, ``visit_guest_checks(visit)`` (every guest at once), ``cv_gaps(rows, *,
years, today, longer_than)``, ``cv_invalid_rows(rows)``, ``add_months(day, months)``,
``itinerary_windows(arrive_on, depart_on, days_around)``, ``result_rows(results)``,
``readable_results(results, *, user, visit)`` (what a reader may see of them), ``VISIT_RULES``,
``GUEST_RULES`` and ``DEFAULT_PARAMETERS``.

Days are calendar days; "days hosted" count the arrival and the departure day. Money is CNY. The invitation
package rules (passport, itinerary, CV) ask for guests' data that usually arrives after the visit is approved:
while the visit is a draft or under approval, data not entered yet is only a warning; from approval on it
counts with the rule's severity (the ``issue_invitation`` move checks the rules again).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from meridian.visitors import permissions
from meridian.visitors.choices import GUEST_RANK_ORDER, RECEPTION_LEVEL_ORDER
from meridian.workflow.choices import RuleSeverity
from meridian.workflow.rulepack import (
    FAIL,
    LANGUAGES,
    NOT_APPLICABLE,
    PASS,
    SEVERITY_LABELS,
    Joined,
    Localised,
    Message,
    Outcome,
    Param,
    RuleDefinition,
    RuleSet,
    Source,
    evaluate,
    failed,
    localised_result,
    not_applicable,
    passed,
    rule_packs,
    ruleset_current,
)
from meridian.workflow.rulepack import blocking_messages as _blocking

CONTEXT = "visitors"
BLOCK, JUSTIFY, WARN = RuleSeverity.BLOCK, RuleSeverity.JUSTIFY, RuleSeverity.WARN

# The rules of a visit, and among them those that look at one guest's own data (the invitation package).
VISIT_RULES = (
    "lead_time",
    "hosting_length",
    "budget_standards",
    "reception_rank",
    "passport_validity",
    "itinerary_exit",
    "cv_ten_years",
)
GUEST_RULES = ("passport_validity", "itinerary_exit", "cv_ten_years")
PASSPORT_KINDS = ("passport", "official_passport")
# States in which guests' data may still be missing without stopping the visit (see the module docstring).
EARLY_STATES = ("draft", "under_review")

# --- sources ---------------------------------------------------------------------------------------------

NWAFU = Source(
    _("Northwest A&F University: rules for short visits of foreigners"),
    _("lead times by kind of visit"),
    "http://food.nwsuaf.edu.cn/hzjl/gzzd1/150688.htm",
)
SDNU = Source(
    _("Shandong Normal University: materials for the invitation letter of an authorised unit"),
    _("passport, itinerary and CV of the invited foreigner"),
    "http://www.oip.sdnu.edu.cn/info/1026/3032.htm",
)
HITSZ = Source(
    _("Harbin Institute of Technology (Shenzhen): guide to the invitation verification"),
    _("itinerary with the dates and port of entry and exit"),
    "http://global.hitsz.edu.cn/info/1035/1156.htm",
)
STANDARDS = Source(
    _("University hosting standards for foreign guests (外宾接待标准)"),
    _("the hosting-standards table kept by the International Office"),
)
HOSTING = Source(
    _("University rule on hosting foreign guests (外宾接待规定)"),
    _("days hosted at the university's expense without reciprocity"),
)
RECEPTION = Source(
    _("University rule on hosting foreign guests (外宾接待规定)"),
    _("the receiving leader's rank follows the guest's"),
)


# --- facts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuestFact:
    """One guest as the rules see them (the passport is only its type and expiry date; numbers are never
    read)."""

    guest_id: int | None
    person_id: int | None
    name: Localised
    rank: str
    cv: tuple[dict[str, Any], ...]
    arrival_date: date | None
    departure_date: date | None
    departure_flight: str
    exit_port: str
    passport_expiry: date | None
    entered: bool  # the guest (or the office) has entered data through the self-service form


@dataclass(frozen=True)
class BudgetFact:
    line_id: int | None
    kind: str
    description: str
    amount: Decimal
    persons: int
    days: int


@dataclass
class VisitFacts:
    """What the rules look at: the visit's fields, guests and budget as plain values, and (loaded on first
    use) the hosting standards valid on the arrival date."""

    visit_id: int | None
    state: str
    category: str
    invitation_kind: str
    arrive_on: date
    depart_on: date
    reciprocal: bool
    reception_level: str
    filed_on: date
    today: date
    guests: list[GuestFact]
    budget: list[BudgetFact]
    justifications: dict[str, str] = field(default_factory=dict)

    @property
    def days(self) -> int:
        """Days hosted, counting the arrival and the departure day."""
        return (self.depart_on - self.arrive_on).days + 1

    @property
    def needs_invitation(self) -> bool:
        return bool(self.invitation_kind) and self.invitation_kind != "none"

    @property
    def early(self) -> bool:
        """Before approval: guests' data not entered yet only warns."""
        return self.state in EARLY_STATES

    @property
    def senior_rank(self) -> str | None:
        """The highest standing among the guests (``GUEST_RANK_ORDER``); None without guests."""
        if not self.guests:
            return None
        return max((g.rank for g in self.guests), key=lambda rank: GUEST_RANK_ORDER.get(rank, 0))

    @cached_property
    def standards(self) -> dict[str, list[tuple[str, Decimal, str]]]:
        """Per budget kind, the caps that apply: ``[(basis, cap, rank)]`` from the rows valid on the arrival
        date; rows for the most senior guest's standing replace the general rows (rank empty) of that
        kind."""
        from django.db.models import Q

        from meridian.visitors.models import HostingStandard

        rows = (
            HostingStandard.objects.filter(valid_from__lte=self.arrive_on)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=self.arrive_on))
            .order_by("kind", "basis", "-valid_from")
            .values_list("kind", "rank", "basis", "cap")
        )
        rank = self.senior_rank or ""
        specific: dict[str, list[tuple[str, Decimal, str]]] = {}
        general: dict[str, list[tuple[str, Decimal, str]]] = {}
        for kind, row_rank, basis, cap in rows:
            if row_rank and row_rank == rank:
                specific.setdefault(kind, []).append((basis, cap, row_rank))
            elif not row_rank:
                general.setdefault(kind, []).append((basis, cap, ""))
        return {kind: specific.get(kind) or general.get(kind) or [] for kind in {*specific, *general}}


def _name(family: str, given: str, name_zh: str, purged: Any, person_id: int | None) -> Localised:
    if purged:
        return Localised(f"#{person_id}", f"#{person_id}")
    latin = " ".join(p for p in ((family or "").upper(), given or "") if p)
    english = f"{latin} ({name_zh})" if name_zh else latin
    return Localised(english, name_zh or english)


def _today() -> date:
    from meridian.visitors.casework import today

    return today()


def _filed_on(visit: Any, today: date) -> date:
    """The day the visit was filed: its latest submission once it left the draft state, else today."""
    if visit.pk is None or visit.state == "draft":
        return today
    from meridian.workflow.models import TransitionLog

    at = (
        TransitionLog.objects.filter(case_type="visit", object_id=visit.pk, action="submit")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localdate(at) if at is not None else today


def _passports(person_ids: Iterable[int]) -> dict[int, date]:
    """The latest expiry date of each person's passports (ordinary or official)."""
    from meridian.people.models import IdentityDocument

    found: dict[int, date] = {}
    rows = IdentityDocument.objects.filter(person_id__in=list(person_ids), kind__in=PASSPORT_KINDS)
    for person_id, expiry in rows.values_list("person_id", "expiry_date"):
        if person_id not in found or expiry > found[person_id]:
            found[person_id] = expiry
    return found


_GUEST_FIELDS = (
    "id",
    "person_id",
    "person__family_name",
    "person__given_name",
    "person__name_zh",
    "person__purged_at",
    "rank",
    "cv",
    "arrival_date",
    "departure_date",
    "departure_flight",
    "exit_port",
    "submitted_at",
)


def _guest_fact(row: tuple, passports: dict[int, date]) -> GuestFact:
    gid, pid, family, given, name_zh, purged, rank, cv, arrival, departure, flight, port, submitted = row
    return GuestFact(
        guest_id=gid,
        person_id=pid,
        name=_name(family, given, name_zh, purged, pid),
        rank=rank,
        cv=tuple(r for r in (cv or []) if isinstance(r, dict)),
        arrival_date=arrival,
        departure_date=departure,
        departure_flight=flight or "",
        exit_port=port or "",
        passport_expiry=passports.get(pid),
        entered=submitted is not None,
    )


def facts_from_visit(visit: Any, *, guest_ids: Iterable[int] | None = None) -> VisitFacts:
    """The facts of a saved visit (a fixed number of queries); ``guest_ids`` keeps only those guests."""
    from meridian.visitors.models import VisitBudgetLine, VisitGuest

    today = _today()
    guests_qs = VisitGuest.objects.filter(visit_id=visit.pk).order_by("-is_head", "order", "id")
    if guest_ids is not None:
        guests_qs = guests_qs.filter(pk__in=list(guest_ids))
    rows = list(guests_qs.values_list(*_GUEST_FIELDS))
    passports = _passports(r[1] for r in rows)
    budget = [
        BudgetFact(pk, kind, description, amount, persons or 1, days or 1)
        for pk, kind, description, amount, persons, days in VisitBudgetLine.objects.filter(visit_id=visit.pk)
        .order_by("kind", "id")
        .values_list("id", "kind", "description", "amount", "persons", "days")
    ]
    return VisitFacts(
        visit_id=visit.pk,
        state=visit.state,
        category=visit.category,
        invitation_kind=visit.invitation_kind,
        arrive_on=visit.arrive_on,
        depart_on=max(visit.depart_on, visit.arrive_on),
        reciprocal=bool(visit.reciprocal),
        reception_level=visit.reception_level,
        filed_on=_filed_on(visit, today),
        today=today,
        guests=[_guest_fact(r, passports) for r in rows],
        budget=budget,
        justifications=dict(visit.justifications or {}),
    )


# --- helpers ---------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (the last day of a shorter month when needed)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


_MONTH = re.compile(r"^\s*(\d{4})-(0[1-9]|1[0-2])\s*$")


def _month(text: Any) -> int | None:
    """A "YYYY-MM" text as a month index (year × 12 + month − 1), None when it is not one."""
    match = _MONTH.match(str(text or ""))
    return int(match.group(1)) * 12 + int(match.group(2)) - 1 if match else None


def _first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _last_day(index: int) -> date:
    year, month = index // 12, index % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def cv_invalid_rows(rows: Iterable[dict[str, Any]]) -> list[int]:
    """1-based numbers of CV rows whose ``from`` is not a "YYYY-MM" month, whose ``to`` is neither empty
    (until now) nor such a month, or which end before they begin."""
    bad = []
    for number, row in enumerate(rows, start=1):
        begin, to = _month(row.get("from")), str(row.get("to") or "").strip()
        end = _month(to) if to else begin
        if begin is None or end is None or end < begin:
            bad.append(number)
    return bad


def cv_gaps(
    rows: Iterable[dict[str, Any]], *, years: int, today: date, longer_than: int = 0
) -> list[tuple[date, date]]:
    """The stretches of the last ``years`` years (the ``years`` × 12 months up to and including ``today``'s
    month) that no CV row covers and that last more than ``longer_than`` whole months (the ``cv_ten_years``
    rule's ``max_gap_months``; 0: every gap), oldest first, each as (first day of its first month, last day
    of its last month). A row ``{"from": "YYYY-MM", "to": "YYYY-MM" or ""}`` covers its months, both ends
    included; an empty ``to`` means until now; rows may overlap; rows that cannot be read are left out
    (``cv_invalid_rows`` names them). An empty list means the CV covers the whole period."""
    now = today.year * 12 + today.month - 1
    start = now - years * 12 + 1
    covered: set[int] = set()
    for row in rows:
        begin, to = _month(row.get("from")), str(row.get("to") or "").strip()
        end = _month(to) if to else now
        if begin is None or end is None or end < begin:
            continue
        covered.update(range(max(begin, start), min(end, now) + 1))
    gaps: list[tuple[date, date]] = []
    month = start
    while month <= now:
        if month in covered:
            month += 1
            continue
        first = month
        while month <= now and month not in covered:
            month += 1
        if month - first > longer_than:
            gaps.append((_first_day(first), _last_day(month - 1)))
    return gaps


def _month_text(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _stretch(start: date, end: date) -> str:
    """A stretch of months as "YYYY-MM" or "YYYY-MM–YYYY-MM"."""
    first, last = _month_text(start), _month_text(end)
    return first if first == last else f"{first}–{last}"


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


class _Sentences:
    """Several sentences (messages or plain strings) shown one after the other."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __str__(self) -> str:
        return " ".join(str(i) for i in self.items)


class Counted:
    """A number with its noun, pluralised in the language active when it is shown (``ngettext``):
    "1 day", "3 days" / "3 天". ``template`` is an ``ngettext_lazy`` whose count is ``%(count)s``."""

    __slots__ = ("template", "count")

    def __init__(self, template: Any, count: int) -> None:
        self.template, self.count = template, count

    def __str__(self) -> str:
        return str(self.template % {"count": self.count})


class CountedMessage(Message):
    """A ``Message`` whose template is an ``ngettext_lazy`` keyed on one of its parameters (an int): the
    singular or plural sentence is chosen when it is shown, in the active language."""

    __slots__ = ()

    def __str__(self) -> str:
        values = {k: v if isinstance(v, int | float | Decimal) else str(v) for k, v in self.params.items()}
        return str(self.template % values)


DAYS = ngettext_lazy("%(count)s day", "%(count)s days", "count")
MONTHS = ngettext_lazy("%(count)s month", "%(count)s months", "count")
YEARS = ngettext_lazy("%(count)s year", "%(count)s years", "count")
GUESTS = ngettext_lazy("%(count)s guest", "%(count)s guests", "count")
LEVELS = ngettext_lazy("%(count)s level", "%(count)s levels", "count")


def _choice_label(choices: Any, value: str) -> Any:
    return dict(choices.choices).get(value, value)


def _guest_outcome(
    facts: VisitFacts,
    problems: list[Message],
    missing: list[Any],
    missing_template: Any,
    closing: Message,
    passed_outcome: Outcome,
) -> Outcome:
    """A guest rule's outcome: real problems fail with the configured severity; data only missing fails too,
    but only as a warning before approval (the guests usually enter it afterwards)."""
    parts: list[Any] = list(problems)
    if missing:
        parts.append(Message(missing_template, names=Joined(missing)))
    if not parts:
        return passed_outcome
    severity = WARN if not problems and facts.early else None
    return Outcome(FAIL, Message("%(parts)s %(closing)s", parts=_Sentences(parts), closing=closing), severity)


# --- rules -----------------------------------------------------------------------------------------------


def lead_time(facts: VisitFacts, params: dict[str, Any]) -> Outcome:
    """The visit is filed ``days_default`` calendar days before the guests arrive; ``days_invitation`` when
    it needs a visa invitation; ``days_official`` for an official delegation (categories
    ``official_categories``); the largest applies. Counted from the day of filing (today for a draft, the
    latest submission afterwards) to the arrival date."""
    needs: list[tuple[int, Any]] = [(params["days_default"], _("a visit"))]
    if facts.needs_invitation:
        needs.append((params["days_invitation"], _("a visit with a visa invitation")))
    if facts.category.upper() in {c.upper() for c in params["official_categories"]}:
        needs.append((params["days_official"], _("an official delegation")))
    required, reason = max(needs, key=lambda need: need[0])
    lead = (facts.arrive_on - facts.filed_on).days
    values = {
        "lead": Counted(DAYS, lead),
        "reason": reason,
        "required": Counted(DAYS, required),
        "filed": facts.filed_on.isoformat(),
    }
    if lead < 0:
        return failed(
            _(
                "The arrival date (%(arrival)s) is before the visit is filed (%(filed)s); %(reason)s is "
                "filed at least %(required)s before arrival."
            ),
            arrival=facts.arrive_on.isoformat(),
            filed=values["filed"],
            reason=reason,
            required=values["required"],
        )
    if lead < required:
        return failed(
            _(
                "The guests arrive %(lead)s after the visit is filed (%(filed)s); %(reason)s is filed at "
                "least %(required)s before arrival."
            ),
            **values,
        )
    return passed(
        _("The guests arrive %(lead)s after the visit is filed; %(reason)s needs %(required)s."),
        **values,
    )


def hosting_length(facts: VisitFacts, params: dict[str, Any]) -> Outcome:
    """Guests hosted without reciprocity stay at most ``max_days`` days (arrival and departure days
    counted); a visit on a reciprocal basis is not limited."""
    if facts.reciprocal:
        return not_applicable(_("Hosted on a reciprocal basis: the length is not limited."))
    days, limit = facts.days, params["max_days"]
    if days > limit:
        return failed(
            _(
                "The guests are hosted for %(days)s without reciprocity; without a reciprocal arrangement a "
                "visit is hosted for at most %(limit)s."
            ),
            days=Counted(DAYS, days),
            limit=Counted(DAYS, limit),
        )
    return passed(
        _("Hosted for %(days)s without reciprocity (at most %(limit)s)."),
        days=Counted(DAYS, days),
        limit=Counted(DAYS, limit),
    )


def _cap(basis: str, cap: Decimal, line: BudgetFact) -> Decimal:
    if basis == "per_person_day":
        return cap * line.persons * line.days
    if basis == "per_person":
        return cap * line.persons
    return cap


def budget_standards(facts: VisitFacts, params: dict[str, Any]) -> Outcome:
    """Every budget line within the hosting-standards caps valid on the arrival date (per guest per day ×
    persons × days, per guest × persons, or per visit), plus ``tolerance_percent``; caps for the most senior
    guest's standing replace the general ones. A kind without a standard is a warning."""
    from meridian.visitors.choices import BudgetKind, StandardBasis

    if not facts.budget:
        return not_applicable(_("The visit has no budget yet."))
    factor = 1 + params["tolerance_percent"] / 100
    over: list[Message] = []
    unknown: dict[str, Any] = {}
    for line in facts.budget:
        label = _choice_label(BudgetKind, line.kind)
        caps = facts.standards.get(line.kind)
        if not caps:
            unknown.setdefault(line.kind, label)
            continue
        name: Any = f"{label} ({line.description})" if line.description else label
        for basis, cap, _rank in caps:
            allowed = _cap(basis, cap, line)
            if line.amount > allowed * factor:
                over.append(
                    Message(
                        _(
                            "%(line)s: %(amount)s CNY for %(persons)s and %(days)s is over the cap of "
                            "%(cap)s CNY (%(standard)s CNY %(basis)s)."
                        ),
                        line=name,
                        amount=_money(line.amount),
                        persons=Counted(GUESTS, line.persons),
                        days=Counted(DAYS, line.days),
                        cap=_money(allowed),
                        standard=_money(cap),
                        basis=_choice_label(StandardBasis, basis),
                    )
                )
    if over:
        parts: list[Any] = list(over)
        if unknown:
            parts.append(Message(_("No standard for: %(kinds)s."), kinds=Joined(unknown.values())))
        return Outcome(FAIL, Message("%(parts)s", parts=_Sentences(parts)))
    if unknown:
        return failed(
            _("Not checked: the hosting standards have no cap for %(kinds)s."),
            severity=WARN,
            kinds=Joined(unknown.values()),
        )
    return passed(_("Every budget line is within the hosting standards."))


RANK_PARAMS = {rank: f"level_{rank}" for rank in GUEST_RANK_ORDER}
DEFAULT_LEVELS = {
    "minister": "university_head",
    "vice_minister": "university_leader",
    "director": "unit_leader",
    "professor": "host",
    "other": "host",
}


def reception_rank(facts: VisitFacts, params: dict[str, Any]) -> Outcome:
    """The guests are received at least at the level the most senior guest's standing needs (parameters
    ``level_<rank>``: a ``ReceptionLevel`` code); more than ``max_levels_above`` levels higher is a
    warning."""
    from meridian.visitors.choices import GuestRank, ReceptionLevel

    rank = facts.senior_rank
    if rank is None:
        return not_applicable(_("Add the guests first."))
    required = str(params.get(RANK_PARAMS.get(rank, ""), "")).strip().lower()
    if required not in RECEPTION_LEVEL_ORDER:
        required = DEFAULT_LEVELS.get(rank, "host")
    guest = next(g for g in facts.guests if g.rank == rank)
    have = RECEPTION_LEVEL_ORDER.get(facts.reception_level, 0)
    need = RECEPTION_LEVEL_ORDER[required]
    values = {
        "guest": guest.name,
        "rank": _choice_label(GuestRank, rank),
        "level": _choice_label(ReceptionLevel, facts.reception_level),
        "required": _choice_label(ReceptionLevel, required),
    }
    if have < need:
        return failed(
            _(
                "The most senior guest, %(guest)s (%(rank)s), is received by: %(level)s; a guest of this "
                "standing is received at least by: %(required)s."
            ),
            **values,
        )
    if have - need > params["max_levels_above"]:
        return failed(
            _(
                "The most senior guest, %(guest)s (%(rank)s), is received by: %(level)s, %(n)s above what "
                "this standing needs (%(required)s)."
            ),
            severity=WARN,
            n=Counted(LEVELS, have - need),
            **values,
        )
    return passed(
        _("%(guest)s (%(rank)s) is received by: %(level)s (needed at least: %(required)s)."), **values
    )


def passport_validity(facts: VisitFacts, params: dict[str, Any]) -> Outcome:
    """For a visit with a visa invitation: each guest's passport (ordinary or official, the latest-expiring)
    is valid more than ``months`` months beyond their departure from China (their own departure date, else
    the visit's). The expiry date itself is not shown: approvers see the visit, not the passports."""
    if not facts.needs_invitation:
        return not_applicable(_("The visit needs no visa invitation."))
    if not facts.guests:
        return not_applicable(_("Add the guests first."))
    months = params["months"]
    problems, missing = [], []
    for g in facts.guests:
        needed = add_months(g.departure_date or facts.depart_on, months)
        if g.passport_expiry is None:
            missing.append(g.name)
        elif g.passport_expiry <= needed:
            problems.append(
                Message(
                    _("The passport of %(guest)s expires on or before %(needed)s."),
                    guest=g.name,
                    needed=needed.isoformat(),
                )
            )
    closing = Message(
        _("A passport must be valid more than %(months)s beyond the departure from China."),
        months=Counted(MONTHS, months),
    )
    return _guest_outcome(
        facts,
        problems,
        missing,
        _("No passport on record for: %(names)s."),
        closing,
        passed(
            _("Every guest's passport is valid more than %(months)s beyond the departure."),
            months=Counted(MONTHS, months),
        ),
    )


def itinerary_windows(
    arrive_on: date, depart_on: date, days_around: int
) -> tuple[tuple[date, date], tuple[date, date]]:
    """The days a guest may arrive in China and leave it for a visit from ``arrive_on`` to ``depart_on``
    (rule ``itinerary_exit``): ((first, last) day of arrival, (first, last) day of departure), both ends
    included: arrival from ``days_around`` calendar days before the visit to its last day, departure from
    its first day to ``days_around`` calendar days after it."""
    around = timedelta(days=days_around)
    return (arrive_on - around, depart_on), (arrive_on, depart_on + around)


def itinerary_exit(facts: VisitFacts, params: dict[str, Any]) -> Outcome:
    """For a visit with a visa invitation: each guest's itinerary shows the exit (departure date, and the
    port of exit or the departure flight or train), and the arrival and departure lie within the visit's
    dates with ``days_around`` calendar days either side."""
    if not facts.needs_invitation:
        return not_applicable(_("The visit needs no visa invitation."))
    if not facts.guests:
        return not_applicable(_("Add the guests first."))
    arrivals, departures = itinerary_windows(facts.arrive_on, facts.depart_on, params["days_around"])
    problems, missing = [], []
    for g in facts.guests:
        if g.arrival_date is None and g.departure_date is None and not g.exit_port and not g.departure_flight:
            missing.append(g.name)
            continue
        if g.departure_date is None or not (g.exit_port or g.departure_flight):
            problems.append(
                Message(
                    _(
                        "The itinerary of %(guest)s does not show the exit (departure date and port of exit "
                        "or flight)."
                    ),
                    guest=g.name,
                )
            )
        if g.arrival_date is not None and not arrivals[0] <= g.arrival_date <= arrivals[1]:
            problems.append(
                Message(
                    _("%(guest)s arrives on %(day)s, outside %(start)s to %(end)s."),
                    guest=g.name,
                    day=g.arrival_date.isoformat(),
                    start=arrivals[0].isoformat(),
                    end=arrivals[1].isoformat(),
                )
            )
        if g.departure_date is not None and not departures[0] <= g.departure_date <= departures[1]:
            problems.append(
                Message(
                    _("%(guest)s leaves China on %(day)s, outside %(start)s to %(end)s."),
                    guest=g.name,
                    day=g.departure_date.isoformat(),
                    start=departures[0].isoformat(),
                    end=departures[1].isoformat(),
                )
            )
        if g.arrival_date and g.departure_date and g.departure_date < g.arrival_date:
            problems.append(
                Message(_("%(guest)s leaves China before arriving."), guest=g.name),
            )
    closing = Message(
        _("The itinerary shows the entry and the exit, within the visit's dates or %(days)s either side."),
        days=Counted(DAYS, params["days_around"]),
    )
    return _guest_outcome(
        facts,
        problems,
        missing,
        _("No itinerary entered for: %(names)s."),
        closing,
        passed(_("Every guest's itinerary shows the exit and fits the visit's dates.")),
    )


def cv_ten_years(facts: VisitFacts, params: dict[str, Any]) -> Outcome:
    """For a visit with a visa invitation: each guest's CV covers the last ``years`` years up to this month
    without a stretch of more than ``max_gap_months`` months that no row covers (``cv_gaps``)."""
    if not facts.needs_invitation:
        return not_applicable(_("The visit needs no visa invitation."))
    if not facts.guests:
        return not_applicable(_("Add the guests first."))
    years, allowed = params["years"], params["max_gap_months"]
    problems: list[Message] = []
    missing: list[Any] = []
    for g in facts.guests:
        if not g.cv:
            missing.append(g.name)
            continue
        bad = cv_invalid_rows(g.cv)
        if bad:
            problems.append(
                CountedMessage(
                    ngettext_lazy(
                        "The CV of %(guest)s has a row without valid months (YYYY-MM): row %(rows)s.",
                        "The CV of %(guest)s has rows without valid months (YYYY-MM): rows %(rows)s.",
                        "count",
                    ),
                    guest=g.name,
                    rows=Joined(bad),
                    count=len(bad),
                )
            )
        gaps = cv_gaps(g.cv, years=years, today=facts.today, longer_than=allowed)
        if gaps:
            problems.append(
                Message(
                    _("The CV of %(guest)s leaves out %(gaps)s."),
                    guest=g.name,
                    gaps=Joined(_stretch(a, b) for a, b in gaps),
                )
            )
    closing = Message(
        _("A CV covers the last %(years)s with no gap longer than %(months)s."),
        years=Counted(YEARS, years),
        months=Counted(MONTHS, allowed),
    )
    return _guest_outcome(
        facts,
        problems,
        missing,
        _("No CV entered for: %(names)s."),
        closing,
        passed(_("Every guest's CV covers the last %(years)s."), years=Counted(YEARS, years)),
    )


# --- the pack --------------------------------------------------------------------------------------------

PACK = rule_packs.pack(CONTEXT, _("Visitors and invitations"))


def _register() -> None:
    from meridian.visitors.choices import GuestRank

    r = PACK.register
    r(
        RuleDefinition(
            "lead_time",
            _("Lead time"),
            _(
                "How many calendar days before the guests arrive the visit is filed: one month, two with a "
                "visa invitation, three for an official delegation."
            ),
            JUSTIFY,
            (
                Param("days_default", "int", 30, _("Any visit (days)")),
                Param("days_invitation", "int", 60, _("With a visa invitation (days)")),
                Param("days_official", "int", 90, _("Official delegation (days)")),
                Param(
                    "official_categories",
                    "codes",
                    ["OFFICIAL_DELEGATION"],
                    _("Categories counted as official delegations"),
                    _("Category codes, for example official_delegation."),
                ),
            ),
            NWAFU,
            lead_time,
        )
    )
    r(
        RuleDefinition(
            "hosting_length",
            _("Days hosted without reciprocity"),
            _(
                "Guests hosted without a reciprocal arrangement stay at most this many days, arrival and "
                "departure days counted."
            ),
            JUSTIFY,
            (Param("max_days", "int", 7, _("Most days")),),
            HOSTING,
            hosting_length,
        )
    )
    r(
        RuleDefinition(
            "budget_standards",
            _("Budget within the hosting standards"),
            _(
                "Each budget line within the caps of the hosting-standards table valid on the arrival date "
                "(caps for the most senior guest's standing first)."
            ),
            BLOCK,
            (Param("tolerance_percent", "decimal", Decimal("0"), _("Tolerance (%)")),),
            STANDARDS,
            budget_standards,
        )
    )
    level_help = _(
        "A reception level code: university_head, university_leader, office_head, unit_leader or host."
    )
    r(
        RuleDefinition(
            "reception_rank",
            _("Receiving leader's rank"),
            _(
                "The guests are received at least at the level the most senior guest's standing needs; far "
                "above it is a warning."
            ),
            JUSTIFY,
            (
                *(
                    Param(
                        RANK_PARAMS[rank],
                        "str",
                        DEFAULT_LEVELS[rank],
                        GuestRank(rank).label,
                        level_help,
                    )
                    for rank in GUEST_RANK_ORDER
                ),
                Param("max_levels_above", "int", 2, _("Warn above this many levels higher")),
            ),
            RECEPTION,
            reception_rank,
        )
    )
    r(
        RuleDefinition(
            "passport_validity",
            _("Passport valid beyond departure"),
            _(
                "For a visa invitation: each guest's passport is valid more than this many months beyond "
                "their departure from China."
            ),
            BLOCK,
            (Param("months", "int", 6, _("Months beyond the departure")),),
            SDNU,
            passport_validity,
        )
    )
    r(
        RuleDefinition(
            "itinerary_exit",
            _("Itinerary shows the exit"),
            _(
                "For a visa invitation: each guest's itinerary shows the departure date and the port of exit "
                "or flight, and fits the visit's dates."
            ),
            BLOCK,
            (Param("days_around", "int", 2, _("Days allowed before and after the visit")),),
            HITSZ,
            itinerary_exit,
        )
    )
    r(
        RuleDefinition(
            "cv_ten_years",
            _("CV covers ten years"),
            _("For a visa invitation: each guest's CV covers the last ten years without gaps."),
            BLOCK,
            (
                Param("years", "int", 10, _("Years covered")),
                Param(
                    "max_gap_months",
                    "int",
                    1,
                    _("Longest gap allowed (months)"),
                    _("Whole months that no CV row covers; 0 allows none."),
                ),
            ),
            SDNU,
            cv_ten_years,
        )
    )


_register()

# Every parameter with its default, by rule code.
DEFAULT_PARAMETERS: dict[str, dict[str, Any]] = {code: PACK.get(code).defaults() for code in VISIT_RULES}


# --- interface -------------------------------------------------------------------------------------------


def parameter(code: str, name: str) -> Any:
    """The value of parameter ``name`` of rule ``code`` in the current rule set. Raises ``KeyError`` for an
    unknown rule or parameter."""
    return ruleset_current(CONTEXT).parameter(code, name)


def _only(ruleset: RuleSet, codes: tuple[str, ...]) -> RuleSet:
    """``ruleset`` with only the rules ``codes`` (other parts of the context may add rules to the pack)."""
    return replace(ruleset, rules={c: r for c, r in ruleset.rules.items() if c in codes})


def _run(
    facts: VisitFacts, codes: tuple[str, ...], *, languages: tuple[str, ...] = ()
) -> tuple[int | None, list[dict[str, Any]]]:
    ruleset = ruleset_current(CONTEXT)
    results = evaluate(
        CONTEXT,
        facts,
        ruleset=_only(ruleset, codes),
        justifications=facts.justifications,
        languages=languages,
    )
    return ruleset.number, results


def visit_check(*, visit: Any, save: bool = False) -> list[dict[str, Any]]:
    """Evaluate every visit rule in force on a saved visit; returns one dict per rule (``code``, ``label``,
    ``severity`` block|justify|warn, ``outcome`` pass|fail|not_applicable, ``message``, ``source``
    {document, article, url}, ``justification``, ``blocking``).

    With ``save`` the results (in English and Chinese), the rule-set version number and the time are stored on
    the visit (``rule_results``, ``rules_version``, ``rules_checked_at``) without touching its version or
    history.
    """
    from meridian.visitors.models import Visit

    facts = facts_from_visit(visit)
    number, results = _run(facts, VISIT_RULES, languages=LANGUAGES if save else ())
    if save and visit.pk is not None:
        now = timezone.now()
        Visit.objects.filter(pk=visit.pk).update(
            rule_results=results, rules_version=number, rules_checked_at=now
        )
        visit.rule_results, visit.rules_version, visit.rules_checked_at = results, number, now
    return results


def blocking_messages(visit: Any) -> list[str]:
    """What stops ``visit`` now: messages of failing ``block`` rules, and of failing ``justify`` rules whose
    justification (``visit.justifications[code]``) is empty. Evaluated fresh against the current rule set."""
    return _blocking(visit_check(visit=visit, save=False))


_DATA_FIELDS = ("cv", "arrival_date", "departure_date", "departure_flight", "exit_port", "passport_expiry")
GUEST_ENTRY = "guest_entry"  # not an early state: missing data is a failure for the guest


def _each_guest(facts: VisitFacts) -> dict[int | None, list[dict[str, Any]]]:
    """``GUEST_RULES`` on each guest of ``facts`` alone, by guest id (one rule set for all)."""
    ruleset = _only(ruleset_current(CONTEXT), GUEST_RULES)
    return {
        g.guest_id: evaluate(
            CONTEXT,
            replace(facts, guests=[g], state=GUEST_ENTRY),
            ruleset=ruleset,
            justifications=facts.justifications,
        )
        for g in facts.guests
    }


def guest_checks(guest: Any, *, data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The invitation-package rules (passport, itinerary, CV; ``GUEST_RULES``) on one guest of a saved visit,
    shaped as ``visit_check``'s results. ``data`` may carry values not saved yet (the self-service form
    being checked): ``cv`` (rows), ``arrival_date``, ``departure_date`` (dates), ``departure_flight``,
    ``exit_port`` (str) and ``passport_expiry`` (date). The rules apply only when the visit needs a visa
    invitation (``not_applicable`` otherwise); data still missing counts with the rule's severity (the guest
    is asked for it now). For every guest of a visit at once, ``visit_guest_checks``."""
    facts = facts_from_visit(guest.visit, guest_ids=[guest.pk])
    changes = {k: v for k, v in (data or {}).items() if k in _DATA_FIELDS}
    if "cv" in changes:
        changes["cv"] = tuple(r for r in changes["cv"] or [] if isinstance(r, dict))
    for name in ("departure_flight", "exit_port"):
        if name in changes:
            changes[name] = str(changes[name] or "").strip()
    facts.guests = [replace(g, **changes) for g in facts.guests]
    return _each_guest(facts).get(guest.pk, [])


def visit_guest_checks(visit: Any) -> dict[int, list[dict[str, Any]]]:
    """``guest_checks`` (as stored, no unsaved data) for every guest of a saved visit, by ``VisitGuest`` id:
    the guests, their passports and the rule set are read once, so the number of queries does not grow
    with the number of guests (the visit page's guests panel)."""
    return {pk: results for pk, results in _each_guest(facts_from_visit(visit)).items() if pk is not None}


# --- showing results -------------------------------------------------------------------------------------

# What a reader without the right to guests' data reads instead of a failing guest rule's message.
PRIVATE_MESSAGE = _(
    "The guests' data does not meet this rule yet; those who handle the visit see the details."
)


def readable_results(
    results: Iterable[dict[str, Any]] | None, *, user: Any, visit: Any
) -> list[dict[str, Any]]:
    """Rule results of ``visit`` (stored or live) as ``user`` may read them, in the active language, without
    the texts stored for the other languages (``i18n``). The messages of failing guest rules
    (``GUEST_RULES``: passport, itinerary, CV) name guests and their documents' problems: a reader who may
    not see guests' data (``permissions.can_see_guest_data``: leadership, approvers, whoever filed the visit
    without handling it) reads ``PRIVATE_MESSAGE`` instead. The visit page and the API show results through
    this function only."""
    private = user is None or not permissions.can_see_guest_data(user, visit)
    rows = []
    for result in results or []:
        row = {k: v for k, v in localised_result(result).items() if k != "i18n"}
        if private and row.get("code") in GUEST_RULES and row.get("outcome") == FAIL:
            row["message"] = str(PRIVATE_MESSAGE)
        rows.append(row)
    return rows


OUTCOME_LABELS = {PASS: _("Passed"), FAIL: _("Not met"), NOT_APPLICABLE: _("Does not apply")}


def result_rows(results: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Results (live or stored) for a page, in the active language, failing rules first and blocking ones at
    the top; each with ``outcome_label``, ``severity_label`` and ``badge`` (a CSS class) added."""
    rows = []
    for result in results or []:
        row = localised_result(result)
        outcome, severity = row.get("outcome"), row.get("severity")
        row["outcome_label"] = OUTCOME_LABELS.get(outcome, outcome)  # type: ignore[arg-type]
        row["severity_label"] = SEVERITY_LABELS.get(severity, severity)  # type: ignore[arg-type]
        if outcome == PASS:
            row["badge"] = "state-active"
        elif outcome == FAIL:
            row["badge"] = "state-expired" if row.get("blocking") else "state-under_review"
        else:
            row["badge"] = ""
        rows.append(row)
    rows.sort(key=lambda r: (r.get("outcome") != FAIL, not r.get("blocking")))
    return rows
