"""The official-travel rule pack (因公临时出国(境) rules) on the generic rule-pack platform
(``meridian.workflow.rulepack``).

Every rule evaluates a plain ``TripFacts`` object, built either from a saved trip (``trip_check``) or from the
unsaved data of a form (``check_data``), so the live check and the submission check agree. Parameters,
severity, on/off and the cited source are data: administrators change them on the rules page, which publishes
a new rule-set version; a trip stores the number of the version it was last checked against.

Public interface (used by the casework guards, the trip pages and other parts of the context):
``parameter(code, name)``, ``trip_check(*, trip, save)``, ``check_data(*, fields, members, itinerary, budget,
trip)``, ``blocking_messages(trip)`` and ``DEFAULT_PARAMETERS``.

Days are calendar days; "days of a trip" count the departure and the arrival day. Money is compared in CNY
using the exchange rates valid on the departure date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.workflow.choices import RuleSeverity
from meridian.workflow.rulepack import (
    LANGUAGES,
    Joined,
    Localised,
    Message,
    Outcome,
    Param,
    RuleDefinition,
    Source,
    evaluate,
    failed,
    not_applicable,
    passed,
    rule_packs,
    ruleset_current,
)
from meridian.workflow.rulepack import blocking_messages as _blocking

CONTEXT = "travel"
BLOCK, JUSTIFY, WARN = RuleSeverity.BLOCK, RuleSeverity.JUSTIFY, RuleSeverity.WARN

# UN M49 codes as the reference data stores them (``reference.Country.region_code``/``subregion_code``).
AFRICA = "002"
LATIN_AMERICA = "419"  # Latin America and the Caribbean
NORTHERN_AMERICA = "021"
AMERICAS = "019"
SCHENGEN = [
    "AT",
    "BE",
    "BG",
    "CH",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]
SOUTH_AMERICA = ["AR", "BO", "BR", "CL", "CO", "EC", "FK", "GF", "GY", "PE", "PY", "SR", "UY", "VE"]

# --- sources ---------------------------------------------------------------------------------------------

SCUT = Source(
    _("South China University of Technology: rules for temporary official trips abroad (2020)"),
    _("limits of administrative delegations"),
    "https://xxgk.scut.edu.cn/2020/0325/c117a2464/page.htm",
)
ACADEMIC = Source(
    "厅字〔2016〕17号",
    _("academic trips of teaching and research staff, as applied by Shanxi Agricultural University"),
    "https://foreign.sxau.edu.cn/info/1049/1822.htm",
)
FINANCE = Source(
    _("财行〔2013〕516号 (rules on the funding of temporary official trips abroad)"),
    _("annex: standards for accommodation, meals and incidentals"),
)
SEED = Source(
    _("Guangdong University of Technology: official-travel procedure and forms"),
    "",
    "https://wsc.gdut.edu.cn/",
)
SUSPENSION = Source(
    _(
        "South China Agricultural University: notice on Guangdong's passport platform and unit "
        "suspension (2016)"
    ),
    "",
    "http://fao.scau.edu.cn/2016/0805/c4674a151899/page.htm",
)
PLANS = Source(
    _("Dalian University of Technology: online temporary-trip service (plan check)"),
    "",
    "http://dutdice.dlut.edu.cn/info/1199/6771.htm",
)
LEAD_TIMES = Source(_("University rule: application lead times by destination"))
UNIVERSITY = Source(_("University rule on official trips"))


# --- facts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryFact:
    code: str
    name_en: str
    name_zh: str
    region_code: str
    region_en: str
    region_zh: str
    subregion_code: str
    subregion_en: str
    subregion_zh: str

    @property
    def name(self) -> Localised:
        return Localised(self.name_en, self.name_zh)

    @classmethod
    def of(cls, country: Any) -> CountryFact:
        return cls(
            country.code,
            country.name_en,
            country.name_zh,
            country.region_code,
            country.region_en,
            country.region_zh,
            country.subregion_code,
            country.subregion_en,
            country.subregion_zh,
        )


_COUNTRY_FIELDS = (
    "code",
    "name_en",
    "name_zh",
    "region_code",
    "region_en",
    "region_zh",
    "subregion_code",
    "subregion_en",
    "subregion_zh",
)


@dataclass(frozen=True)
class MemberFact:
    person_id: int
    name: Localised
    role: str
    is_unit_leader: bool
    unit_id: int | None
    unit_name: Localised


@dataclass(frozen=True)
class PlaceFact:
    day: date
    country: CountryFact
    city: str
    is_transit: bool


@dataclass(frozen=True)
class BudgetFact:
    kind: str
    amount: Decimal
    currency: str
    country_code: str | None
    persons: int
    days: int


@dataclass
class TripFacts:
    """What the rules look at: the trip's fields, people, itinerary and budget as plain values, and (loaded
    on first use, so switched-off rules cost nothing) documents, other trips, standards and rates."""

    trip_id: int | None
    unit_id: int | None
    region: str
    delegation_kind: str
    purpose: str
    paper_title: str
    depart_on: date
    return_on: date
    inviter_is_counterpart: bool
    has_invitation: bool
    plan_line_id: int | None
    members: list[MemberFact]
    itinerary: list[PlaceFact]
    budget: list[BudgetFact]
    today: date
    justifications: dict[str, str] = field(default_factory=dict)

    @property
    def days(self) -> int:
        """Days away, counting the departure and the arrival day."""
        return (self.return_on - self.depart_on).days + 1

    @property
    def is_academic(self) -> bool:
        return self.delegation_kind == "academic"

    @cached_property
    def countries(self) -> dict[str, CountryFact]:
        """Every country or territory of the itinerary, transits included, in itinerary order."""
        found: dict[str, CountryFact] = {}
        for place in self.itinerary:
            found.setdefault(place.country.code, place.country)
        return found

    @cached_property
    def destinations(self) -> dict[str, CountryFact]:
        """Countries where the delegation does more than pass through (all countries when every day is a
        transit)."""
        found: dict[str, CountryFact] = {}
        for place in self.itinerary:
            if not place.is_transit:
                found.setdefault(place.country.code, place.country)
        return found or self.countries

    def member_name(self, person_id: int) -> Localised | str:
        return next((m.name for m in self.members if m.person_id == person_id), str(person_id))

    @cached_property
    def documents(self) -> dict[int, dict[str, date]]:
        """Latest expiry date per person and document kind (numbers are never read)."""
        from meridian.people.models import IdentityDocument

        found: dict[int, dict[str, date]] = {}
        rows = IdentityDocument.objects.filter(person_id__in=[m.person_id for m in self.members]).values_list(
            "person_id", "kind", "expiry_date"
        )
        for person_id, kind, expiry in rows:
            kinds = found.setdefault(person_id, {})
            if kind not in kinds or expiry > kinds[kind]:
                kinds[kind] = expiry
        return found

    @cached_property
    def overlapping(self) -> list[tuple[int, str, date, date]]:
        """(person id, trip number, departure, return) of the members' other trips in the same days, leaving
        out trips cancelled, rejected or closed without having left."""
        from meridian.travel.choices import TripState
        from meridian.travel.models import TripMember

        rows = (
            TripMember.objects.filter(
                person_id__in=[m.person_id for m in self.members],
                trip__depart_on__lte=self.return_on,
                trip__return_on__gte=self.depart_on,
            )
            .exclude(trip__state__in=[TripState.CANCELLED, TripState.REJECTED])
            .exclude(trip__state=TripState.CLOSED, trip__departed_on__isnull=True)
        )
        if self.trip_id is not None:
            rows = rows.exclude(trip_id=self.trip_id)
        return list(
            rows.order_by("trip__depart_on").values_list(
                "person_id", "trip__number", "trip__depart_on", "trip__return_on"
            )
        )

    @cached_property
    def rates(self) -> dict[str, Decimal]:
        """CNY per unit of each currency the budget or the standards use, valid on the departure date."""
        from meridian.travel.models import ExchangeRate

        currencies = {b.currency for b in self.budget} | {s[0] for s in self.standards.values()}
        found: dict[str, Decimal] = {"CNY": Decimal(1)}
        rows = (
            ExchangeRate.objects.filter(currency__in=currencies - {"CNY"}, valid_from__lte=self.depart_on)
            .order_by("currency", "-valid_from")
            .values_list("currency", "cny_per_unit")
        )
        for currency, rate in rows:
            found.setdefault(currency, rate)
        return found

    @cached_property
    def standards(self) -> dict[str, tuple[str, Decimal, Decimal, Decimal]]:
        """Per country: (currency, accommodation, meals, incidentals) valid on the departure date. Where the
        itinerary's cities in that country have standards of their own, the most generous city's applies
        (the table's country row otherwise)."""
        from meridian.travel.models import CountryStandard

        codes = set(self.countries) | {b.country_code for b in self.budget if b.country_code}
        rows = (
            CountryStandard.objects.filter(country_id__in=codes, valid_from__lte=self.depart_on)
            .order_by("country_id", "city", "-valid_from")
            .values_list("country_id", "city", "currency", "accommodation", "meals", "incidentals")
        )
        latest: dict[tuple[str, str], tuple[str, Decimal, Decimal, Decimal]] = {}
        for code, city, currency, accommodation, meals, incidentals in rows:
            latest.setdefault((code, city.strip().lower()), (currency, accommodation, meals, incidentals))
        cities: dict[str, set[str]] = {}
        for place in self.itinerary:
            cities.setdefault(place.country.code, set()).add(place.city.strip().lower())
        found = {}
        for code in codes:
            candidates = [latest[(code, c)] for c in cities.get(code, ()) if (code, c) in latest]
            if candidates:
                found[code] = max(candidates, key=lambda s: s[1])
            elif (code, "") in latest:
                found[code] = latest[(code, "")]
        return found


def _person_name(person: Any) -> Localised:
    if getattr(person, "purged_at", None):
        return Localised(str(person), str(person))
    latin = " ".join(p for p in (person.family_name.upper(), person.given_name) if p)
    english = f"{latin} ({person.name_zh})" if person.name_zh else latin
    return Localised(english, person.name_zh or english)


def _unit_name(unit: Any) -> Localised:
    if unit is None:
        return Localised("—", "—")
    return Localised(unit.name_en, unit.name_zh)


def _today() -> date:
    from meridian.travel.casework import today

    return today()


def facts_from_trip(trip: Any) -> TripFacts:
    """The facts of a saved trip (a fixed number of queries, plain values rather than model instances)."""
    from meridian.travel.choices import TripFileKind
    from meridian.travel.models import BudgetLine, ItineraryItem, TripFile, TripMember

    members = []
    rows = (
        TripMember.objects.filter(trip_id=trip.pk)
        .order_by("order", "id")
        .values_list(
            "person_id",
            "person__family_name",
            "person__given_name",
            "person__name_zh",
            "person__purged_at",
            "role",
            "is_unit_leader",
            "unit_id",
            "unit__name_en",
            "unit__name_zh",
        )
    )
    for person_id, family, given, name_zh, purged, role, leader, unit_id, unit_en, unit_zh in rows:
        if purged:
            name = Localised(f"#{person_id}", f"#{person_id}")
        else:
            latin = " ".join(p for p in (family.upper(), given) if p)
            english = f"{latin} ({name_zh})" if name_zh else latin
            name = Localised(english, name_zh or english)
        unit_name = Localised(unit_en, unit_zh) if unit_id else Localised("—", "—")
        members.append(MemberFact(person_id, name, role, leader, unit_id, unit_name))
    countries: dict[str, CountryFact] = {}
    itinerary = []
    place_rows = (
        ItineraryItem.objects.filter(trip_id=trip.pk)
        .order_by("day", "order", "id")
        .values_list("day", "city", "is_transit", *(f"country__{f}" for f in _COUNTRY_FIELDS))
    )
    for day, city, transit, *country in place_rows:
        fact = countries.get(country[0]) or countries.setdefault(country[0], CountryFact(*country))
        itinerary.append(PlaceFact(day, fact, city, transit))
    budget = [
        BudgetFact(kind, amount, currency.upper(), country_id, persons or 1, days or 1)
        for kind, amount, currency, country_id, persons, days in BudgetLine.objects.filter(
            trip_id=trip.pk
        ).values_list("kind", "amount", "currency", "country_id", "persons", "days")
    ]
    has_invitation = (
        trip.pk is not None
        and TripFile.objects.filter(trip_id=trip.pk, kind=TripFileKind.INVITATION).exists()
    )
    return TripFacts(
        trip_id=trip.pk,
        unit_id=trip.unit_id,
        region=trip.region,
        delegation_kind=trip.delegation_kind,
        purpose=trip.purpose,
        paper_title=trip.paper_title or "",
        depart_on=trip.depart_on,
        return_on=trip.return_on,
        inviter_is_counterpart=trip.inviter_is_counterpart,
        has_invitation=has_invitation,
        plan_line_id=trip.plan_line_id,
        members=members,
        itinerary=itinerary,
        budget=budget,
        today=_today(),
        justifications=dict(trip.justifications or {}),
    )


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def facts_from_data(
    *,
    fields: dict[str, Any],
    members: list[dict[str, Any]],
    itinerary: list[dict[str, Any]],
    budget: list[dict[str, Any]],
    trip: Any = None,
) -> TripFacts:
    """The facts of unsaved form data, in the shapes ``services.trips.trip_create`` takes; a field missing
    from ``fields`` is taken from ``trip`` (the trip being edited) when there is one."""
    from meridian.accounts.models import OrgUnit
    from meridian.people.models import Person
    from meridian.reference.models import Country
    from meridian.travel.choices import TripFileKind

    def value(name: str, default: Any = None) -> Any:
        if name in fields:
            return fields[name]
        if f"{name}_id" in fields:
            return fields[f"{name}_id"]
        if trip is not None:
            return getattr(trip, name, default)
        return default

    person_ids = [_pk(m["person"]) for m in members if m.get("person")]
    persons = {p.pk: p for p in Person.objects.filter(pk__in=person_ids)}
    units = {
        u.pk: u for u in OrgUnit.objects.filter(pk__in={p.unit_id for p in persons.values() if p.unit_id})
    }
    member_facts = []
    for m in members:
        person = persons.get(_pk(m.get("person")))
        if person is None:
            continue
        member_facts.append(
            MemberFact(
                person.pk,
                _person_name(person),
                m.get("role") or "member",
                bool(m.get("is_unit_leader", False)),
                person.unit_id,
                _unit_name(units.get(person.unit_id) if person.unit_id is not None else None),
            )
        )
    codes = {_pk(i["country"]) for i in itinerary if i.get("country")}
    countries = {c.code: c for c in Country.objects.filter(code__in=codes)}
    places = [
        PlaceFact(
            i["day"],
            CountryFact.of(countries[_pk(i["country"])]),
            i.get("city", ""),
            bool(i.get("is_transit")),
        )
        for i in itinerary
        if i.get("day") and _pk(i.get("country")) in countries
    ]
    places.sort(key=lambda p: p.day)
    lines = [
        BudgetFact(
            line["kind"],
            Decimal(str(line["amount"])),
            (line.get("currency") or "CNY").upper(),
            _pk(line.get("country")) or None,
            int(line.get("persons") or 1),
            int(line.get("days") or 1),
        )
        for line in budget
        if line.get("kind") and line.get("amount") not in (None, "")
    ]
    has_invitation = bool(fields.get("has_invitation", False))
    if not has_invitation and trip is not None and trip.pk is not None:
        has_invitation = trip.files.filter(kind=TripFileKind.INVITATION).exists()
    depart_on = value("depart_on") or _today()
    return TripFacts(
        trip_id=getattr(trip, "pk", None),
        unit_id=_pk(value("unit")),
        region=value("region", "abroad") or "abroad",
        delegation_kind=value("delegation_kind", "academic") or "academic",
        purpose=value("purpose", "") or "",
        paper_title=(value("paper_title", "") or "").strip(),
        depart_on=depart_on,
        return_on=max(value("return_on") or depart_on, depart_on),
        inviter_is_counterpart=bool(value("inviter_is_counterpart", True)),
        has_invitation=has_invitation,
        plan_line_id=_pk(value("plan_line")),
        members=member_facts,
        itinerary=places,
        budget=lines,
        today=_today(),
        justifications=dict(value("justifications", {}) or {}),
    )


# --- rules -----------------------------------------------------------------------------------------------


def _exempt(facts: TripFacts, params: dict[str, Any]) -> Outcome | None:
    if params.get("exempt_academic") and facts.is_academic:
        return not_applicable(
            _(
                "Academic exchange by teaching and research staff: number, size and days follow actual need "
                "(厅字〔2016〕17号)."
            )
        )
    return None


EXEMPT_ACADEMIC = Param(
    "exempt_academic",
    "bool",
    True,
    _("Academic exchange is exempt"),
    _("Trips of kind “academic exchange by teaching and research staff” are not checked (厅字〔2016〕17号)."),
)


def delegation_size(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Administrative delegations: at most ``max_people`` people, the interpreter included."""
    if (exempt := _exempt(facts, params)) is not None:
        return exempt
    n, limit = len(facts.members), params["max_people"]
    if n > limit:
        return failed(
            _(
                "The delegation has %(n)s people including the interpreter; an administrative delegation has "
                "at most %(limit)s."
            ),
            n=n,
            limit=limit,
        )
    return passed(_("%(n)s people including the interpreter (at most %(limit)s)."), n=n, limit=limit)


def country_count(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Administrative delegations: at most ``max_countries`` countries or territories, transits counted."""
    if (exempt := _exempt(facts, params)) is not None:
        return exempt
    if not facts.itinerary:
        return not_applicable(_("Add the itinerary to check the number of countries."))
    countries, limit = facts.countries, params["max_countries"]
    names = Joined(c.name for c in countries.values())
    if len(countries) > limit:
        return failed(
            _(
                "The itinerary visits %(n)s countries or territories, transits counted (%(names)s); an "
                "administrative delegation visits at most %(limit)s."
            ),
            n=len(countries),
            names=names,
            limit=limit,
        )
    return passed(
        _("%(n)s countries or territories, transits counted (%(names)s); at most %(limit)s."),
        n=len(countries),
        names=names,
        limit=limit,
    )


def _extra_day(facts: TripFacts, params: dict[str, Any]) -> bool:
    regions, subregions = set(params["extra_region_codes"]), set(params["extra_subregion_codes"])
    return any(c.region_code in regions or c.subregion_code in subregions for c in facts.countries.values())


def days_per_countries(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Administrative delegations: days abroad, departure and arrival days counted, at most ``days_one``,
    ``days_two``, ``days_three`` for one, two, three (or more) countries; ``extra_days`` more when a
    destination lies in Africa or Latin America (UN M49 region 002, sub-region 419; parameters)."""
    if (exempt := _exempt(facts, params)) is not None:
        return exempt
    n = len(facts.countries)
    if n == 0:
        return not_applicable(_("Add the itinerary to check the number of days."))
    limit = [params["days_one"], params["days_two"], params["days_three"]][min(n, 3) - 1]
    extra = _extra_day(facts, params)
    if extra:
        limit += params["extra_days"]
    values = {"days": facts.days, "n": n, "limit": limit}
    if facts.days <= limit:
        if extra:
            return passed(
                _(
                    "%(days)s days counting the departure and arrival days; with %(n)s countries the "
                    "limit is "
                    "%(limit)s days (the extra day for Latin America or Africa included)."
                ),
                **values,
            )
        return passed(
            _(
                "%(days)s days counting the departure and arrival days; with %(n)s countries the "
                "limit is %(limit)s."
            ),
            **values,
        )
    if extra:
        return failed(
            _(
                "The trip lasts %(days)s days counting the departure and arrival days; with %(n)s "
                "countries an "
                "administrative delegation stays at most %(limit)s days (the extra day for Latin America or "
                "Africa included)."
            ),
            **values,
        )
    return failed(
        _(
            "The trip lasts %(days)s days counting the departure and arrival days; with %(n)s countries an "
            "administrative delegation stays at most %(limit)s days."
        ),
        **values,
    )


def _continent(country: CountryFact, split_americas: bool) -> tuple[str, Localised]:
    if split_americas and country.region_code == AMERICAS and country.subregion_code:
        return country.subregion_code, Localised(country.subregion_en, country.subregion_zh)
    return country.region_code or country.code, Localised(
        country.region_en or country.name_en, country.region_zh
    )


def same_continent(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Administrative delegations: every destination (transits aside) on one continent. Continents are UN M49
    regions; with ``split_americas`` Northern America and Latin America count as two."""
    if (exempt := _exempt(facts, params)) is not None:
        return exempt
    if not facts.itinerary:
        return not_applicable(_("Add the itinerary to check the continents."))
    continents: dict[str, Localised] = {}
    for country in facts.destinations.values():
        key, name = _continent(country, params["split_americas"])
        continents.setdefault(key, name)
    names = Joined(continents.values())
    if len(continents) > 1:
        return failed(
            _(
                "The destinations lie on more than one continent (%(continents)s); an administrative "
                "delegation "
                "visits one continent."
            ),
            continents=names,
        )
    return passed(_("Every destination lies in %(continents)s."), continents=names)


def unit_leaders(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Administrative delegations: at most ``max_per_unit`` leaders of one unit travel together."""
    if (exempt := _exempt(facts, params)) is not None:
        return exempt
    by_unit: dict[int, list[MemberFact]] = {}
    for m in facts.members:
        if m.is_unit_leader and m.unit_id is not None:
            by_unit.setdefault(m.unit_id, []).append(m)
    crowded = [group for group in by_unit.values() if len(group) > params["max_per_unit"]]
    if crowded:
        group = crowded[0]
        return failed(
            _(
                "%(names)s are leaders of the same unit (%(unit)s); leaders of one unit do not travel in one "
                "delegation."
            ),
            names=Joined(m.name for m in group),
            unit=group[0].unit_name,
        )
    return passed(_("No two leaders of one unit travel together."))


def lead_time(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Applications reach the office ``days_one_country`` days before departure for one country,
    ``days_schengen`` for a Schengen country, ``days_several`` for two or three countries, ``days_usa`` for
    the USA, ``days_south_america`` for South America (calendar days from today; the largest applies)."""
    destinations = facts.destinations
    if not destinations:
        return not_applicable(_("Add the itinerary to check the lead time."))
    codes = set(destinations)
    needs: list[tuple[int, Any]] = [(params["days_one_country"], _("one country"))]
    if codes & set(params["schengen_codes"]):
        needs.append((params["days_schengen"], _("a Schengen country")))
    if len(codes) > 1:
        needs.append((params["days_several"], _("two or more countries")))
    if codes & set(params["usa_codes"]):
        needs.append((params["days_usa"], _("the United States")))
    if codes & set(params["south_america_codes"]):
        needs.append((params["days_south_america"], _("South America")))
    required, reason = max(needs, key=lambda need: need[0])
    lead = (facts.depart_on - facts.today).days
    if lead < required:
        return failed(
            _(
                "The trip departs in %(lead)s days; an application for %(reason)s reaches the office "
                "at least "
                "%(required)s days before departure."
            ),
            lead=lead,
            reason=reason,
            required=required,
        )
    return passed(
        _("The trip departs in %(lead)s days; %(required)s days are needed for %(reason)s."),
        lead=lead,
        reason=reason,
        required=required,
    )


def counterpart_invitation(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """The invitation comes from a counterpart organisation (not an agency or intermediary). With
    ``require_letter`` a missing invitation letter is flagged too, as a warning: the lifecycle already
    requires the letter as a document before the publicity notice starts, so it is not counted twice."""
    if not facts.inviter_is_counterpart:
        return failed(
            _(
                "The inviting organisation is not a counterpart organisation: an agency, travel company or "
                "intermediary may not invite an official delegation."
            )
        )
    if params["require_letter"] and not facts.has_invitation:
        return failed(_("Upload the invitation letter of the inviting organisation."), severity=WARN)
    return passed(_("Invited by a counterpart organisation; the invitation letter is on file."))


class _Sentences:
    """Several sentences (messages or plain strings) shown one after the other."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __str__(self) -> str:
        return " ".join(str(i) for i in self.items)


def conference_paper(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """A trip to an international conference names the paper presented."""
    if facts.purpose != "conference":
        return not_applicable(_("Not a conference trip."))
    if not facts.paper_title:
        return failed(_("A conference trip needs the title of the paper presented."))
    return passed(_("Paper: %(title)s"), title=facts.paper_title)


def hr_step(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Trips of ``min_days`` days or more need the approval of human resources (the chain adds the step)."""
    limit = params["min_days"]
    if facts.days >= limit:
        return failed(
            _(
                "The trip lasts %(days)s days: trips of %(limit)s days or more need the approval of human "
                "resources, which is added to the approval chain."
            ),
            days=facts.days,
            limit=limit,
        )
    return passed(
        _("The trip lasts %(days)s days; human resources approve only trips of %(limit)s days or more."),
        days=facts.days,
        limit=limit,
    )


def overlapping_trips(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """No traveller is on another trip in the same days (trips cancelled, rejected or closed without leaving
    aside)."""
    clashes = [
        Message(
            _("%(person)s is on trip %(number)s from %(start)s to %(end)s."),
            person=facts.member_name(person_id),
            number=number,
            start=start.isoformat(),
            end=end.isoformat(),
        )
        for person_id, number, start, end in facts.overlapping
    ]
    if clashes:
        return Outcome(
            "fail",
            Message(
                _("%(clashes)s One person cannot travel on two trips at the same time."),
                clashes=_Sentences(clashes),
            ),
        )
    return passed(_("No traveller has another trip in these days."))


DOCUMENT_FOR_REGION = {
    "abroad": "official_passport",
    "hk_macao": "hk_macao_permit",
    "taiwan": "taiwan_permit",
}


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the last day of a shorter month when needed)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def travel_document(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Every traveller holds the document of the region (official passport abroad, Hong Kong/Macao permit,
    Taiwan permit) valid at least ``months`` months beyond the return date."""
    from meridian.people.choices import DocumentType

    kind = DOCUMENT_FOR_REGION.get(facts.region, "official_passport")
    kind_label = DocumentType(kind).label
    needed = add_months(facts.return_on, params["months"])
    problems = []
    for m in facts.members:
        expiry = facts.documents.get(m.person_id, {}).get(kind)
        if expiry is None:
            problems.append(
                Message(_("%(person)s has no %(document)s on record."), person=m.name, document=kind_label)
            )
        elif expiry < needed:
            problems.append(
                Message(
                    _("The %(document)s of %(person)s expires on %(expiry)s, before %(needed)s."),
                    person=m.name,
                    document=kind_label,
                    expiry=expiry.isoformat(),
                    needed=needed.isoformat(),
                )
            )
    if problems:
        return Outcome(
            "fail",
            Message(
                _(
                    "%(problems)s A travel document must be valid at least %(months)s months beyond "
                    "the return date."
                ),
                problems=_Sentences(problems),
                months=params["months"],
            ),
        )
    return passed(
        _("Every traveller's %(document)s is valid until at least %(needed)s."),
        document=kind_label,
        needed=needed,
    )


BUDGET_KINDS = {"accommodation": 1, "meals": 2, "incidentals": 3}


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def budget_standards(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """Accommodation per person per night, meals and incidentals per person per day within the country's
    standard (财行〔2013〕516号) valid on the departure date, plus ``tolerance_percent``; compared in CNY.
    A line without a country uses the trip's only destination. No standard or rate known: a warning."""
    from meridian.travel.choices import BudgetKind

    lines = [b for b in facts.budget if b.kind in BUDGET_KINDS]
    if not lines:
        return not_applicable(_("The budget has no accommodation, meals or incidentals to check."))
    single = next(iter(facts.destinations)) if len(facts.destinations) == 1 else None
    factor = 1 + params["tolerance_percent"] / 100
    over: list[Message] = []
    unknown: list[Message] = []
    for line in lines:
        label = BudgetKind(line.kind).label
        code = line.country_code or single
        if code is None:
            unknown.append(Message(_("%(line)s: give the country of the line."), line=label))
            continue
        country = facts.countries.get(code)
        name = country.name if country else code
        standard = facts.standards.get(code)
        if standard is None:
            unknown.append(Message(_("no spending standard is known for %(country)s"), country=name))
            continue
        currency = standard[0]
        line_rate, standard_rate = facts.rates.get(line.currency), facts.rates.get(currency)
        if line_rate is None or standard_rate is None:
            missing = line.currency if line_rate is None else currency
            unknown.append(Message(_("no exchange rate is known for %(currency)s"), currency=missing))
            continue
        per_unit = line.amount / (max(line.persons, 1) * max(line.days, 1)) * line_rate
        allowed = cast(Decimal, standard[BUDGET_KINDS[line.kind]]) * standard_rate  # items 1-3: amounts
        if per_unit > allowed * factor:
            template = (
                _(
                    "%(line)s in %(country)s: %(amount)s CNY per person per night, the standard is "
                    "%(standard)s CNY."
                )
                if line.kind == "accommodation"
                else _(
                    "%(line)s in %(country)s: %(amount)s CNY per person per day, the standard is "
                    "%(standard)s CNY."
                )
            )
            over.append(
                Message(template, line=label, country=name, amount=_money(per_unit), standard=_money(allowed))
            )
    if over:
        parts = list(over)
        if unknown:
            parts.append(Message(_("Not checked: %(items)s."), items=Joined(unknown)))
        return Outcome("fail", Message("%(parts)s", parts=_Sentences(parts)))
    if unknown:
        return failed(
            _("Not checked against the standards: %(items)s."), severity=WARN, items=Joined(unknown)
        )
    return passed(_("Accommodation, meals and incidentals are within the standards."))


def _suspension_reasons(unit_id: int, today: date) -> list[str] | None:
    try:
        from meridian.travel.selectors.compliance import unit_suspension_reasons
    except ModuleNotFoundError as exc:
        if exc.name != "meridian.travel.selectors.compliance":
            raise
        return None
    return list(unit_suspension_reasons(unit_id=unit_id, today=today))


def _overdue_reports(person_ids: list[int], today: date) -> set[int] | None:
    try:
        from meridian.travel.selectors.compliance import persons_with_overdue_reports
    except ModuleNotFoundError as exc:
        if exc.name != "meridian.travel.selectors.compliance":
            raise
        return None
    return set(persons_with_overdue_reports(person_ids=person_ids, today=today))


def unit_suspension(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """A unit with a passport or permit, or a trip report, more than ``grace_days`` calendar days overdue is
    suspended: its trips cannot go forward (``selectors.compliance.unit_suspension_reasons``)."""
    if facts.unit_id is None:
        return not_applicable(_("Choose the unit first."))
    reasons = _suspension_reasons(facts.unit_id, facts.today)
    if reasons is None:
        return not_applicable(_("The passport and report records cannot be checked now."))
    if reasons:
        return failed(_("The unit's official trips are suspended: %(reasons)s"), reasons=_Sentences(reasons))
    return passed(_("The unit has no passport, permit or trip report overdue."))


def overdue_reports(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """A traveller whose trip report is overdue may not start a new application."""
    if not facts.members:
        return not_applicable(_("Add the travellers first."))
    overdue = _overdue_reports([m.person_id for m in facts.members], facts.today)
    if overdue is None:
        return not_applicable(_("The trip-report records cannot be checked now."))
    if overdue:
        return failed(
            _(
                "%(names)s: a trip report of an earlier trip is overdue; new applications wait until "
                "it is submitted."
            ),
            names=Joined(m.name for m in facts.members if m.person_id in overdue),
        )
    return passed(_("No traveller has an overdue trip report."))


def annual_plan(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """A trip outside the unit's annual plan needs a written justification. Academic exchange by teaching and
    research staff is exempt by default (``exempt_academic``): it is planned by actual need."""
    if (exempt := _exempt(facts, params)) is not None:
        return exempt
    if facts.plan_line_id is None:
        return failed(
            _("The trip is not matched to a line of the unit's annual plan: explain why it is needed now.")
        )
    return passed(_("The trip is matched to a line of the unit's annual plan."))


def region_itinerary(facts: TripFacts, params: dict[str, Any]) -> Outcome:
    """The region the trip is filed under matches where it goes: trips to Hong Kong and Macao, to Taiwan and
    abroad are approved and planned separately (and need different travel documents). Transits are left
    aside."""
    special = {
        "hk_macao": set(params["hk_macao_codes"]),
        "taiwan": set(params["taiwan_codes"]),
    }
    places = [p.country for p in facts.itinerary if not p.is_transit]
    if not places:
        return not_applicable(_("Add the itinerary first."))
    if facts.region in special:
        wrong = [c for c in places if c.code not in special[facts.region]]
    else:
        wrong = [c for c in places if c.code in special["hk_macao"] | special["taiwan"]]
    if wrong:
        names = Joined({c.code: c.name for c in wrong}.values())
        return failed(
            _(
                "The trip is filed as “%(region)s” but its itinerary goes to %(places)s: choose the "
                "region that matches, or file separate trips."
            ),
            region=_region_label(facts.region),
            places=names,
        )
    return passed(_("The itinerary matches the region the trip is filed under."))


def _region_label(region: str) -> Any:
    from meridian.travel.choices import RegionKind

    return dict(RegionKind.choices).get(region, region)


# --- the pack --------------------------------------------------------------------------------------------

PACK = rule_packs.pack(CONTEXT, _("Official travel"))


def _register() -> None:
    r = PACK.register
    r(
        RuleDefinition(
            "region_itinerary",
            _("Region and itinerary"),
            _(
                "Trips to Hong Kong and Macao, to Taiwan and abroad are filed separately: the itinerary's "
                "destinations (transits aside) lie in the region the trip is filed under."
            ),
            BLOCK,
            (
                Param("hk_macao_codes", "codes", ["HK", "MO"], _("Hong Kong and Macao (ISO codes)")),
                Param("taiwan_codes", "codes", ["TW"], _("Taiwan (ISO codes)")),
            ),
            UNIVERSITY,
            region_itinerary,
        )
    )
    r(
        RuleDefinition(
            "delegation_size",
            _("Delegation size"),
            _("An administrative delegation has at most this many people, the interpreter included."),
            BLOCK,
            (Param("max_people", "int", 6, _("Most people")), EXEMPT_ACADEMIC),
            SCUT,
            delegation_size,
        )
    )
    r(
        RuleDefinition(
            "country_count",
            _("Number of countries"),
            _(
                "An administrative delegation visits at most this many countries or territories; "
                "transits count."
            ),
            BLOCK,
            (Param("max_countries", "int", 3, _("Most countries")), EXEMPT_ACADEMIC),
            SCUT,
            country_count,
        )
    )
    r(
        RuleDefinition(
            "days_per_countries",
            _("Days per number of countries"),
            _(
                "Days abroad, departure and arrival days counted, by number of countries; one more "
                "day when a "
                "destination lies in Latin America or Africa."
            ),
            BLOCK,
            (
                Param("days_one", "int", 5, _("Days for one country")),
                Param("days_two", "int", 8, _("Days for two countries")),
                Param("days_three", "int", 10, _("Days for three countries")),
                Param("extra_days", "int", 1, _("Extra days")),
                Param(
                    "extra_region_codes",
                    "codes",
                    [AFRICA],
                    _("Regions with extra days (UN M49)"),
                    _("002 is Africa."),
                ),
                Param(
                    "extra_subregion_codes",
                    "codes",
                    [LATIN_AMERICA],
                    _("Sub-regions with extra days (UN M49)"),
                    _("419 is Latin America and the Caribbean."),
                ),
                EXEMPT_ACADEMIC,
            ),
            SCUT,
            days_per_countries,
        )
    )
    r(
        RuleDefinition(
            "same_continent",
            _("One continent"),
            _("The destinations of an administrative delegation lie on one continent (transits aside)."),
            BLOCK,
            (
                Param(
                    "split_americas",
                    "bool",
                    True,
                    _("Northern and Latin America are two continents"),
                ),
                EXEMPT_ACADEMIC,
            ),
            SCUT,
            same_continent,
        )
    )
    r(
        RuleDefinition(
            "unit_leaders",
            _("Leaders of one unit"),
            _("Leaders of one unit do not travel in the same delegation."),
            BLOCK,
            (Param("max_per_unit", "int", 1, _("Most leaders of one unit")), EXEMPT_ACADEMIC),
            SCUT,
            unit_leaders,
        )
    )
    r(
        RuleDefinition(
            "lead_time",
            _("Lead time"),
            _("How many calendar days before departure the application reaches the office, by destination."),
            JUSTIFY,
            (
                Param("days_one_country", "int", 45, _("One country")),
                Param("days_schengen", "int", 60, _("Schengen country")),
                Param("days_several", "int", 90, _("Two or three countries")),
                Param("days_usa", "int", 90, _("United States")),
                Param("days_south_america", "int", 90, _("South America")),
                Param("schengen_codes", "codes", SCHENGEN, _("Schengen countries (ISO codes)")),
                Param("usa_codes", "codes", ["US"], _("United States (ISO codes)")),
                Param("south_america_codes", "codes", SOUTH_AMERICA, _("South America (ISO codes)")),
            ),
            LEAD_TIMES,
            lead_time,
        )
    )
    r(
        RuleDefinition(
            "counterpart_invitation",
            _("Invitation from a counterpart"),
            _("The invitation comes from a counterpart organisation, not an agency; its letter is uploaded."),
            BLOCK,
            (Param("require_letter", "bool", True, _("The invitation letter must be uploaded")),),
            SCUT,
            counterpart_invitation,
        )
    )
    r(
        RuleDefinition(
            "conference_paper",
            _("Conference paper"),
            _("A conference trip names the paper presented."),
            BLOCK,
            (),
            UNIVERSITY,
            conference_paper,
        )
    )
    r(
        RuleDefinition(
            "hr_step",
            _("Human resources approval"),
            _("Trips of this many days or more need the approval of human resources."),
            WARN,
            (Param("min_days", "int", 30, _("From days")),),
            SEED,
            hr_step,
        )
    )
    r(
        RuleDefinition(
            "overlapping_trips",
            _("Overlapping trips"),
            _("No traveller is on another trip in the same days."),
            BLOCK,
            (),
            UNIVERSITY,
            overlapping_trips,
        )
    )
    r(
        RuleDefinition(
            "travel_document",
            _("Travel document valid"),
            _(
                "Each traveller's official passport (Hong Kong/Macao or Taiwan permit for those "
                "regions) is valid "
                "this many months beyond the return date."
            ),
            WARN,
            (Param("months", "int", 6, _("Months beyond the return")),),
            UNIVERSITY,
            travel_document,
        )
    )
    r(
        RuleDefinition(
            "budget_standards",
            _("Budget within the standards"),
            _("Accommodation, meals and incidentals within the per-country standards valid on departure."),
            BLOCK,
            (Param("tolerance_percent", "decimal", Decimal("0"), _("Tolerance (%)")),),
            FINANCE,
            budget_standards,
        )
    )
    r(
        RuleDefinition(
            "unit_suspension",
            _("Unit not suspended"),
            _(
                "A unit with a passport, permit or trip report overdue by more than the grace period has its "
                "trips suspended."
            ),
            BLOCK,
            (Param("grace_days", "int", 14, _("Grace period (calendar days)")),),
            SUSPENSION,
            unit_suspension,
        )
    )
    r(
        RuleDefinition(
            "overdue_reports",
            _("No overdue trip report"),
            _("A traveller with an overdue trip report may not start a new application."),
            BLOCK,
            (),
            UNIVERSITY,
            overdue_reports,
        )
    )
    r(
        RuleDefinition(
            "annual_plan",
            _("In the annual plan"),
            _("A trip outside the unit's annual plan needs a written justification."),
            JUSTIFY,
            (EXEMPT_ACADEMIC,),
            PLANS,
            annual_plan,
        )
    )
    # Settings other parts of the context read; shown and edited on the same page, never evaluated.
    r(
        RuleDefinition(
            "publicity",
            _("Publicity notice"),
            _(
                "How long the publicity notice runs before submission, and by when after return it "
                "is repeated."
            ),
            WARN,
            (
                Param("working_days", "int", 5, _("Working days before submission")),
                Param("after_return_days", "int", 30, _("Days after return")),
            ),
            SEED,
        )
    )
    r(
        RuleDefinition(
            "passport_issue",
            _("Passport issue"),
            _("The office issues an official passport or permit at most this many days before departure."),
            WARN,
            (Param("days_before_departure", "int", 7, _("Days before departure")),),
            Source(
                _("Wuhan University: official passport custody"),
                "",
                "https://sph.whu.edu.cn/info/1039/1535.htm",
            ),
        )
    )
    r(
        RuleDefinition(
            "passport_return",
            _("Passport return"),
            _("The official passport or permit is back in the office within this many days after return."),
            WARN,
            (Param("days_after_return", "int", 7, _("Days after return")),),
            Source(
                _("Wuhan University: official passport custody"),
                "",
                "https://sph.whu.edu.cn/info/1039/1535.htm",
            ),
        )
    )
    r(
        RuleDefinition(
            "trip_report",
            _("Trip report"),
            _("The trip report is due this many working days after return."),
            WARN,
            (Param("working_days", "int", 15, _("Working days after return")),),
            SEED,
        )
    )


_register()

# Every parameter with its default, by rule code (publicity, passport windows, report due time, unit
# suspension grace period, and each rule's own).
DEFAULT_PARAMETERS: dict[str, dict[str, Any]] = {d.code: d.defaults() for d in PACK}


# --- interface -------------------------------------------------------------------------------------------


def parameter(code: str, name: str) -> Any:
    """The value of parameter ``name`` of rule ``code`` in the current rule set (its default when the rule set
    does not configure it). Raises ``KeyError`` for an unknown rule or parameter."""
    return ruleset_current(CONTEXT).parameter(code, name)


def _run(facts: TripFacts, *, languages: tuple[str, ...] = ()) -> tuple[int | None, list[dict[str, Any]]]:
    ruleset = ruleset_current(CONTEXT)
    results = evaluate(
        CONTEXT, facts, ruleset=ruleset, justifications=facts.justifications, languages=languages
    )
    return ruleset.number, results


def trip_check(*, trip: Any, save: bool = False) -> list[dict[str, Any]]:
    """Evaluate every rule in force on a saved trip; returns one dict per rule (``code``, ``label``,
    ``severity`` block|justify|warn, ``outcome`` pass|fail|not_applicable, ``message``, ``source``
    {document, article, url}, ``justification``, ``blocking``).

    With ``save`` the results (in English and Chinese), the rule-set version number and the time are stored on
    the trip (``rule_results``, ``rules_version``, ``rules_checked_at``) without touching its version or
    history.
    """
    from meridian.travel.models import Trip

    facts = facts_from_trip(trip)
    number, results = _run(facts, languages=LANGUAGES if save else ())
    if save and trip.pk is not None:
        now = timezone.now()
        Trip.objects.filter(pk=trip.pk).update(
            rule_results=results, rules_version=number, rules_checked_at=now
        )
        trip.rule_results, trip.rules_version, trip.rules_checked_at = results, number, now
    return results


def check_data(
    *,
    fields: dict[str, Any],
    members: list[dict[str, Any]],
    itinerary: list[dict[str, Any]],
    budget: list[dict[str, Any]],
    trip: Any = None,
) -> list[dict[str, Any]]:
    """The live check of a form being filled: the same rules on unsaved data, shaped as for
    ``services.trips.trip_create`` (``fields`` may also carry ``has_invitation``); nothing is stored."""
    facts = facts_from_data(fields=fields, members=members, itinerary=itinerary, budget=budget, trip=trip)
    return _run(facts)[1]


def blocking_messages(trip: Any) -> list[str]:
    """What stops ``trip`` now: messages of failing ``block`` rules, and of failing ``justify`` rules whose
    justification (``trip.justifications[code]``) is empty. Evaluated fresh against the current rule set."""
    return _blocking(trip_check(trip=trip, save=False))
