"""The places of the demo's student exchange: exchange agreements in force with the university partners
(student exchange agreements added where a partner the story needs has none), their cooperation conditions
in both directions for the academic years the story uses, partner factsheets, and the partner contacts who
act in the partner portal (Heidelberg's coordinator and viewer, and a coordinator each at Tokyo and
Barcelona).

Agreements are created and taken through their review like the rest of the demo's (the office's chain,
step by step); conditions and factsheets through the conditions services, with the office as actor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from meridian.agreements.choices import AgreementState, AgreementType, Channel, Side
from meridian.agreements.models import Agreement
from meridian.demo.mobility_data import (
    BARCELONA,
    ENGLISH,
    FACTSHEETS,
    HEIDELBERG,
    LANGUAGES,
    NEW_AGREEMENT_PARTNERS,
    PARTNER_ACCOUNTS,
    PORTAL_PARTNERS,
    SUBJECTS,
    TOKYO,
    VIEWER,
)
from meridian.demo.mobility_steps import Steps
from meridian.demo.organisation import Organisation
from meridian.demo.visitors_steps import message, refusals
from meridian.demo.vocabulary import COUNTRY_LANGUAGE, NAMES, PARTNER_SIGNATORY_TITLES
from meridian.mobility.choices import Direction, MobilityType
from meridian.partners.models import Partner

# Kinds of agreement that carry student exchange places, best first: a partner's places go on its best one.
KIND_ORDER: list[str] = [
    AgreementType.STUDENT_EXCHANGE,
    AgreementType.ERASMUS_IIA,
    AgreementType.JOINT_EDUCATION,
    AgreementType.MOU,
]
DESTINATIONS = 40  # partners offered in the call of the next academic year
# The school that hosts each portal partner's incoming students.
INCOMING_UNITS = {HEIDELBERG: "computing", TOKYO: "economics", BARCELONA: "languages"}
NEW_TITLE = ("Student Exchange Agreement with {p}", "与{pz}学生交流协议")
NEW_DESCRIPTION = "Up to {n} students a year each way for one or two semesters, tuition waived."


def academic_year_of(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def covers(agreement: Agreement, year: int) -> bool:
    """The agreement's period touches academic year ``year`` (1 September – 31 August)."""
    first, last = date(year, 9, 1), date(year + 1, 8, 31)
    return (agreement.start_date is None or agreement.start_date <= last) and (
        agreement.end_date is None or agreement.end_date >= first
    )


@dataclass
class Places:
    """What the stories draw on: each partner's agreement, its conditions by (direction, type, year), the
    destinations of the next year's call in order, and the partner coordinators' accounts."""

    agreements: dict[str, Agreement] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    conditions: dict[tuple[str, str, str, int], Any] = field(default_factory=dict)
    destinations: list[str] = field(default_factory=list)
    coordinators: dict[str, Any] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)  # partners given a student exchange agreement

    def condition(self, partner: str, direction: str, kind: str, year: int) -> Any:
        return self.conditions.get((partner, direction, kind, year))


class PlacesBuilder:
    def __init__(self, *, org: Organisation, today: date, rng: random.Random, steps: Steps) -> None:
        self.org, self.today, self.rng, self.steps = org, today, rng, steps
        self.officer = org.users["demo-officer"]
        self.places = Places()

    # --- agreements ---

    def _exchange_agreements(self, years: set[int]) -> dict[str, Agreement]:
        """Each university partner's best agreement in force that carries places and covers every year of
        ``years``."""
        from django.db.models import Q

        from meridian.demo.partners_data import PARTNERS

        best: dict[str, tuple[int, str, Agreement]] = {}
        # The demo partners (marked ``is_demo`` once the demo is built; known by name while it is built).
        demo = Partner.objects.filter(Q(is_demo=True) | Q(name_en__in=[f.name_en for f in PARTNERS]))
        rows = (
            Agreement.objects.filter(state=AgreementState.ACTIVE, kind__in=KIND_ORDER, partners__in=demo)
            .prefetch_related("partners")
            .distinct()
        )
        for agreement in rows.order_by("number"):
            if not all(covers(agreement, year) for year in years):
                continue
            rank = KIND_ORDER.index(agreement.kind)
            for partner in agreement.partners.all():
                if partner.kind != "university":
                    continue
                name = partner.name_en
                if name not in best or (rank, agreement.number) < best[name][:2]:
                    best[name] = (rank, agreement.number, agreement)
                    self.places.partners[name] = partner
        return {name: row[2] for name, row in best.items()}

    def add_agreement(self, partner: Partner, first_year: int) -> Agreement | None:
        """A student exchange agreement with ``partner`` run by the International Office, in force from before
        ``first_year`` for five years: filed, reviewed step by step and activated on the days of its story."""
        from meridian.agreements.services import agreement_create, agreement_transition
        from meridian.demo.casework import approve_all

        start = min(date(first_year, 3, 1), self.today - timedelta(days=400))
        end = start.replace(year=start.year + 5) - timedelta(days=1)
        created = start - timedelta(days=75)
        signed = start - timedelta(days=10)
        title_en, title_zh = NEW_TITLE
        places = self.rng.choice([3, 4, 5])
        first, last = self.rng.choice(NAMES[COUNTRY_LANGUAGE.get(partner.country_id, "other")])

        def create() -> Agreement:
            return agreement_create(
                actor=self.org.admin,
                partners=[partner],
                channels=[Channel.STUDENT_EXCHANGE],
                signatories=[
                    {
                        "side": Side.HOME,
                        "name": "Prof. Li Hua",
                        "title": "Vice-President for International Affairs, Meridian University",
                        "signed_on": signed,
                    },
                    {
                        "side": Side.PARTNER,
                        "partner": partner,
                        "name": f"Prof. {first} {last}",
                        "title": self.rng.choice(PARTNER_SIGNATORY_TITLES["university"]),
                        "signed_on": signed,
                    },
                ],
                title_en=title_en.format(p=partner.name_en),
                title_zh=title_zh.format(pz=partner.name_zh or partner.name_en),
                kind=AgreementType.STUDENT_EXCHANGE,
                responsible_unit=self.org.office,
                home_coordinator=self.officer,
                start_date=start,
                end_date=end,
                languages="en,zh",
                description=NEW_DESCRIPTION.format(n=places),
            )

        agreement = self.steps.take(f"Agreement with {partner.name_en}", created, create)
        if agreement is None:
            return None
        for action, day in (
            ("submit", created + timedelta(days=7)),
            ("approve", created + timedelta(days=30)),
            ("activate", start),
        ):

            def move(action: str = action) -> None:
                if action == "approve":
                    approve_all(agreement, users=self.org.users)
                    return
                agreement_transition(agreement=agreement, actor=self.org.admin, action=action)

            self.steps.take(f"{agreement.number}: {action}", min(day, self.today), move)
        agreement.refresh_from_db()
        if agreement.state != AgreementState.ACTIVE:
            return None
        Agreement.objects.filter(pk=agreement.pk).update(is_demo=True)
        self._partner_active(partner, start)
        self.places.added.append(partner.name_en)
        return agreement

    def _partner_active(self, partner: Partner, since: date) -> None:
        from meridian.partners.choices import RelationshipStatus
        from meridian.partners.services import partner_update

        if partner.status == RelationshipStatus.ACTIVE:
            return
        fields: dict[str, Any] = {"status": RelationshipStatus.ACTIVE}
        if partner.cooperating_since is None or partner.cooperating_since > since:
            fields["cooperating_since"] = since
        self.steps.take(
            f"{partner.name_en}: active",
            since,
            lambda: partner_update(partner=partner, actor=self.org.admin, **fields),
        )

    def agreements(self, *, story_years: set[int], next_year: int) -> None:
        """Each partner's agreement for the conditions; new student exchange agreements where a partner the
        stories need has none in force for every year they use."""
        found = self._exchange_agreements(story_years | {next_year})
        by_name = {p.name_en: p for p in Partner.objects.filter(name_en__in=NEW_AGREEMENT_PARTNERS)}
        first = min(story_years)
        for name in NEW_AGREEMENT_PARTNERS:
            partner = by_name.get(name)
            if partner is None:
                continue
            agreement: Agreement | None = found.get(name)
            if agreement is None or agreement.kind != AgreementType.STUDENT_EXCHANGE:
                agreement = self.add_agreement(partner, first) or agreement
            if agreement is not None:
                found[name] = agreement
                self.places.partners[name] = partner

        # Destinations: portal partners, the new agreements, then student exchange, IIA, joint education, MoU.
        def order(name: str) -> tuple:
            agreement = found[name]
            listed = NEW_AGREEMENT_PARTNERS.index(name) if name in NEW_AGREEMENT_PARTNERS else 99
            return (listed, KIND_ORDER.index(agreement.kind), name)

        names = sorted(found, key=order)
        self.places.agreements = {name: found[name] for name in names}
        self.places.destinations = names[:DESTINATIONS]
        current = self._exchange_agreements({min(story_years)})
        for name in sorted(current, key=lambda n: (KIND_ORDER.index(current[n].kind), n)):
            if name not in self.places.agreements and current[name].kind in KIND_ORDER[:2]:
                self.places.agreements[name] = current[name]  # places for this year only

    # --- conditions ---

    def _deadlines(self, year: int, nominations: dict[tuple[str, int, str], date], name: str) -> dict:
        """Nomination and application deadlines (``--MM-DD``) that admit the story's nominations: the
        partner's usual days, later when a nomination of the story needs it (never past 31 December)."""
        usual = {"autumn": date(year, 5, 15), "spring": date(year, 10, 31)}
        values = {}
        for semester, day in usual.items():
            needed = nominations.get((name, year, semester))
            if needed is not None and needed.year == year:
                day = max(day, min(needed + timedelta(days=7), date(year, 12, 31)))
            values[f"{semester}_nomination_deadline"] = f"--{day.month:02d}-{day.day:02d}"
            apply = min(day + timedelta(days=30), date(year, 12, 31))
            values[f"{semester}_application_deadline"] = f"--{apply.month:02d}-{apply.day:02d}"
        return values

    def conditions(
        self,
        *,
        years: list[int],
        next_year: int,
        places: dict[str, int],
        extra: list[tuple[str, Any, int, int]],
        nominations: dict[tuple[str, int, str], date],
    ) -> None:
        """Outgoing and incoming semester places for each year of ``years`` the agreement covers (the next
        year's outgoing places as ``places`` says), and the ``extra`` places (partner, mobility type, year,
        places) for short programmes and summer schools."""
        from meridian.mobility.services.conditions import condition_create

        day = self.today - timedelta(days=330)
        rows: list[tuple[str, Agreement, dict[str, Any]]] = []
        for name, agreement in self.places.agreements.items():
            partner = self.places.partners[name]
            languages = LANGUAGES.get(name, ENGLISH)
            for year in years:
                if not covers(agreement, year):
                    continue
                for direction in (Direction.OUTGOING, Direction.INCOMING):
                    if direction == Direction.OUTGOING and year == next_year:
                        count = places.get(name) or self.rng.choice([1, 2])
                    else:
                        count = self.rng.choice([2, 2, 3, 4])
                    values: dict[str, Any] = {
                        "partner": partner,
                        "academic_year": year,
                        "direction": direction,
                        "mobility_type": MobilityType.SEMESTER,
                        "places": count,
                        "total_months": count * 5,
                        "eqf_levels": [6, 7],
                        "languages": languages if direction == Direction.OUTGOING else ENGLISH,
                        "subject_areas": SUBJECTS.get(name, []),
                    }
                    if direction == Direction.INCOMING:
                        values.update(self._deadlines(year, nominations, name))
                        unit = INCOMING_UNITS.get(name)
                        if unit:
                            values["home_unit"] = self.org.units[unit]
                    rows.append((name, agreement, values))
        for name, kind, year, count in extra:
            if name not in self.places.agreements or not covers(self.places.agreements[name], year):
                continue
            agreement = self.places.agreements[name]
            months = 1 if kind == MobilityType.SUMMER_SCHOOL else 2
            rows.append(
                (
                    name,
                    agreement,
                    {
                        "partner": self.places.partners[name],
                        "academic_year": year,
                        "direction": Direction.OUTGOING,
                        "mobility_type": kind,
                        "places": count,
                        "total_months": count * months,
                        "eqf_levels": [6],
                        "languages": ENGLISH,
                    },
                )
            )

        def create_all(rows: list[tuple[str, Agreement, dict[str, Any]]]) -> None:
            for name, agreement, values in rows:
                key = (name, values["direction"], values["mobility_type"], values["academic_year"])
                try:
                    with transaction.atomic():
                        condition = condition_create(agreement=agreement, actor=self.officer, **values)
                except refusals() as exc:
                    self.steps.notes.append(
                        f"Places of {agreement.number} {key[1:]} refused — {message(exc)}"
                    )
                    continue
                self.places.conditions[key] = condition

        # This year's places were agreed long ago; the next year's in the spring before the call.
        now = [r for r in rows if r[2]["academic_year"] < next_year]
        later = [r for r in rows if r[2]["academic_year"] >= next_year]
        self.steps.take("Cooperation conditions", day, lambda: create_all(now))
        self.steps.take(
            "Cooperation conditions of the next year",
            self.today - timedelta(days=130),
            lambda: create_all(later),
        )

    # --- partner contacts and factsheets ---

    def contacts(self) -> None:
        """Portal accounts of the partner contacts: Heidelberg's coordinator (demo-partner) and viewer, and
        the coordinators at Tokyo and Barcelona (their accounts come with the demo's users)."""
        from meridian.accounts.models import User
        from meridian.partners.choices import PortalRole
        from meridian.partners.models import PartnerContact
        from meridian.partners.services import contact_create

        accounts = {**{u: n for n, u in PORTAL_PARTNERS.items()}, VIEWER: "Heidelberg University"}
        users = {u.username: u for u in User.objects.filter(username__in=list(accounts))}
        for username, name in accounts.items():
            partner = self.places.partners.get(name)
            user = users.get(username)
            if partner is None or user is None:
                continue
            role = PortalRole.VIEWER if username == VIEWER else PortalRole.COORDINATOR
            contact = PartnerContact.objects.filter(user=user).first()
            if contact is None:
                first, last, display, position = PARTNER_ACCOUNTS.get(
                    username, (user.first_name, user.last_name, str(user), "")
                )
                contact = contact_create(
                    partner=partner,
                    actor=self.org.admin,
                    name=display,
                    position=position,
                    email=user.email,
                    preferred_language="en",
                    user=user,
                    portal_role=role,
                )
            elif contact.portal_role != role:
                PartnerContact.objects.filter(pk=contact.pk).update(portal_role=role)
            if role == PortalRole.COORDINATOR:
                self.places.coordinators[name] = user

    def factsheets(self) -> None:
        from meridian.mobility.services.conditions import factsheet_update

        day = self.today - timedelta(days=200)
        for name, fields in FACTSHEETS.items():
            partner = self.places.partners.get(name)
            if partner is None:
                continue
            actor = self.places.coordinators.get(name, self.officer)

            def update(partner: Partner = partner, actor: Any = actor, fields: dict = fields) -> Any:
                return factsheet_update(partner=partner, actor=actor, expected_version=None, **fields)

            self.steps.take(f"Factsheet of {name}", day, update)
