"""Demo official travel: the approval chains of trips and trip changes, travellers with official passports in
the office's custody, spending standards and exchange rates, trip plans, trips in every state, an overdue
passport that suspends a unit, and a long stay abroad.

Built through the travel services with dates relative to ``today`` (each step taken on its own day through
``casework.evaluation_date``), so the demo tells a current story: a trip whose publicity notice runs now,
trips waiting in the approval chain, a delegation abroad this week, a trip back with its report overdue.
Where a service refuses a step (for example a rule of the rule pack the demo data does not satisfy), the
trip is set to its state directly and the reason is kept in ``TravelSummary.notes``.

Idempotent like the rest of the demo: nothing is added when demo trips exist; ``remove_travel`` deletes it.
The spending standards and exchange rates are examples; replace them with the current official table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from meridian.accounts.models import OrgUnit, User
from meridian.core.errors import DomainError
from meridian.demo.organisation import Organisation

TRIP, TRIP_CHANGE = "trip", "trip_change"
CHAIN_NAMES = ("Official trip approval", "Trip change approval")
CHAIN_NAMES_ZH = ("因公出国（境）审批", "出访变更审批")
DEMO_NUMBER_PREFIX = "DEMO-T"  # member numbers of the demo travellers
SOURCE = "Example values after 财行〔2013〕516号 — replace with the current official table"

OFFICE_STEP = {
    "label": "International Office",
    "label_zh": "国际合作与交流处",
    "assignee_kind": "international_office",
}
LEADER_STEP = {"label": "University leader", "label_zh": "校领导", "assignee_kind": "university_leader"}
# Unit leader → research office (research funds) → HR (30 days or more) → graduate school (a student travels)
# → finance → International Office → university leader.
TRIP_CHAIN: list[dict[str, Any]] = [
    {"order": 1, "label": "Leader of the unit", "label_zh": "单位负责人", "assignee_kind": "unit_leader"},
    {
        "order": 2,
        "label": "Research office (research funds)",
        "label_zh": "科研处（科研经费）",
        "assignee_kind": "function",
        "function": "research",
        "conditions": "research_funds == true",
    },
    {
        "order": 3,
        "label": "Human resources (30 days or more)",
        "label_zh": "人事处（30天及以上）",
        "assignee_kind": "function",
        "function": "hr",
        "conditions": "days >= 30",
    },
    {
        "order": 4,
        "label": "Graduate school (a student travels)",
        "label_zh": "研究生院（有学生出访）",
        "assignee_kind": "function",
        "function": "graduate_school",
        "conditions": "any_student == true",
    },
    {
        "order": 5,
        "label": "Finance office",
        "label_zh": "财务处",
        "assignee_kind": "function",
        "function": "finance",
    },
    {"order": 6, **OFFICE_STEP},
    {"order": 7, **LEADER_STEP},
]
CHANGE_CHAIN: list[dict[str, Any]] = [{"order": 1, **OFFICE_STEP}, {"order": 2, **LEADER_STEP}]
DUE = {"due_amount": 3, "due_unit": "working_days"}
PREFERRED_DECIDERS = ["demo-director", "demo-officer", "demo-leader", "demo-dean"]

# Spending standards per country (city "" = the whole country): currency, accommodation per night, meals and
# incidentals per day. Examples in the shape of the official table.
STANDARDS: list[tuple[str, str, str, str, str, str]] = [
    ("DE", "", "EUR", "140", "50", "35"),
    ("DE", "Berlin", "EUR", "160", "50", "35"),
    ("FR", "Paris", "EUR", "200", "55", "35"),
    ("GB", "London", "GBP", "250", "45", "30"),
    ("US", "", "USD", "200", "55", "35"),
    ("US", "New York", "USD", "320", "60", "35"),
    ("JP", "Tokyo", "JPY", "22000", "7000", "4500"),
    ("SG", "", "SGD", "320", "70", "45"),
    ("AU", "", "AUD", "270", "70", "45"),
    ("HK", "", "HKD", "1100", "300", "200"),
    ("MO", "", "MOP", "900", "280", "180"),
]
RATES: dict[str, str] = {
    "EUR": "7.80",
    "USD": "7.12",
    "GBP": "9.05",
    "JPY": "0.0475",
    "SGD": "5.30",
    "AUD": "4.65",
    "HKD": "0.91",
    "MOP": "0.885",
}

# Travellers: key, family name, given name, Chinese name, unit code, kind, linked demo user.
TRAVELLERS: list[tuple[str, str, str, str, str, str, str]] = [
    ("sun", "Sun", "Li", "孙丽", "mechanical", "staff", "demo-staff"),
    ("zhou", "Zhou", "Kai", "周凯", "electrical", "staff", ""),
    ("wu", "Wu", "Hao", "吴昊", "civil", "staff", ""),
    ("zheng", "Zheng", "Yu", "郑宇", "mechanical", "staff", ""),
    ("lin", "Lin", "Xiao", "林晓", "ai", "staff", ""),
    ("he", "He", "Ping", "何平", "software", "staff", ""),
    ("liu", "Liu", "Yang", "刘洋", "software", "student", "demo-student"),
    ("xie", "Xie", "Na", "谢娜", "physics", "staff", ""),
    ("cao", "Cao", "Bin", "曹斌", "mathematics", "staff", ""),
    ("tian", "Tian", "Jing", "田静", "chemistry", "staff", ""),
    ("pan", "Pan", "Lei", "潘磊", "history", "staff", ""),
    ("du", "Du", "Mei", "杜梅", "english", "staff", ""),
    ("ye", "Ye", "Tong", "叶彤", "economics-dept", "staff", ""),
    ("jiang", "Jiang", "Hua", "江华", "clinical-medicine", "staff", ""),
    ("shi", "Shi", "Wen", "石文", "international-law", "staff", ""),
    ("kong", "Kong", "Rui", "孔睿", "japanese", "staff", ""),
]


@dataclass
class Scenario:
    """A demo trip: its target state, unit, travellers (leader first), destination and dates (days from
    today), and what the story needs (an overdue passport, a step it waits at)."""

    state: str
    title: str
    unit: str
    travellers: list[str]
    country: str
    city: str
    depart: int
    days: int
    purpose: str = "conference"
    region: str = "abroad"
    funding: str = "unit_budget"
    inviter: str = "Heidelberg University"
    wait_at: str = ""
    keep_passport: bool = False


SCENARIOS: list[Scenario] = [
    Scenario("draft", "Summer school on robotics", "engineering", ["zheng"], "JP", "Tokyo", 75, 6,
             purpose="lecture", inviter="The University of Tokyo"),
    Scenario("publicity", "Smart grid conference", "electrical", ["zhou"], "DE", "Berlin", 55, 5),
    Scenario("under_review", "Joint laboratory talks", "ai", ["lin", "he"], "SG", "Singapore", 48, 5,
             purpose="research", funding="research_funds", inviter="National University of Singapore",
             wait_at="Research office (research funds)"),
    Scenario("under_review", "Lecture series in Hong Kong", "software", ["he"], "HK", "Hong Kong", 44, 4,
             purpose="lecture", region="hk_macao", inviter="The University of Hong Kong"),
    Scenario("approved", "Bridge engineering workshop", "civil", ["wu"], "GB", "London", 40, 5,
             inviter="University of Cambridge"),
    Scenario("authorised", "Machine learning conference", "software", ["liu"], "US", "New York", 30, 6,
             purpose="conference", inviter="Columbia University"),
    Scenario("abroad", "Materials science collaboration", "mechanical", ["sun"], "DE", "", -3, 8,
             purpose="research", funding="research_funds"),
    Scenario("returned", "Physics symposium", "physics", ["xie", "cao"], "FR", "Paris", -52, 6,
             inviter="Sorbonne University", keep_passport=True),
    Scenario("closed", "Chemistry partnership visit", "chemistry", ["tian"], "AU", "", -100, 6,
             purpose="negotiation", inviter="The University of Melbourne"),
    Scenario("rejected", "Archive research trip", "history", ["pan"], "GB", "London", 60, 7,
             purpose="research", inviter="University of Cambridge"),
    Scenario("cancelled", "Teaching exchange", "english", ["du"], "AU", "", 90, 5,
             purpose="academic_exchange", inviter="The University of Melbourne"),
]  # fmt: skip


@dataclass
class TravelSummary:
    trips: int = 0
    states: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class SkipStep(Exception):
    """A step the demo cannot take through the services (the reason is noted)."""


def _refusals() -> tuple[type[BaseException], ...]:
    from meridian.core.errors import PermissionDeniedError, TransitionError

    return (DomainError, ValidationError, PermissionDeniedError, TransitionError, KeyError, ValueError)


# --- chains, standards, people ---------------------------------------------------------------------------


def _function_codes() -> set[str]:
    from meridian.workflow.choices import UnitFunctionCode

    return set(UnitFunctionCode.values)


def configure_chains(*, org: Organisation) -> None:
    """The trip and trip-change chains, for every unit; the graduate-school step only where the platform
    knows that function (it is routed to the Graduate School unit). A demo chain built before with other
    names or steps gets a new version; a chain an administrator made is left alone."""
    from meridian.workflow.services import chain_ensure, unit_function_set

    codes = _function_codes()
    if "graduate_school" in codes and "graduate-school" in org.units:
        unit = org.units["graduate-school"]
        unit_function_set(actor=org.admin, code="graduate_school", unit=unit)
        _graduate_school_officer(org=org, unit=unit)
    steps = [{**s, **DUE} for s in TRIP_CHAIN if s.get("function", "") in ("", *codes)]
    for case_type, name, name_zh, chain_steps, note in (
        (
            TRIP,
            CHAIN_NAMES[0],
            CHAIN_NAMES_ZH[0],
            steps,
            "Unit leader, conditional offices, finance, International Office, leader",
        ),
        (
            TRIP_CHANGE,
            CHAIN_NAMES[1],
            CHAIN_NAMES_ZH[1],
            [{**s, **DUE} for s in CHANGE_CHAIN],
            "Only the change is re-approved",
        ),
    ):
        chain_ensure(
            actor=org.admin, case_type=case_type, name=name, name_zh=name_zh, steps=chain_steps, note=note
        )


def _graduate_school_officer(*, org: Organisation, unit: OrgUnit) -> None:
    """The demo user who decides the graduate school's steps (a staff member leading that office)."""
    from meridian.accounts.choices import Role
    from meridian.accounts.services import membership_grant, user_create
    from meridian.demo.organisation import EMAIL_DOMAIN
    from meridian.workflow.models import UnitPost
    from meridian.workflow.services import unit_post_add

    username = "demo-graduate"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            email=f"{username}@{EMAIL_DOMAIN}",
            password=None,
            first_name="Bai",
            last_name="Xue",
            display_name="白雪",
            preferred_language="zh-hans",
        )
        user.password = org.admin.password  # the demo's one password
        user.save(update_fields=["password"])
    membership_grant(user=user, unit=unit, role=Role.STAFF)
    if not UnitPost.objects.filter(unit=unit, user=user).exists():
        unit_post_add(actor=org.admin, unit=unit, user=user, post="leader")
    org.users[username] = user


def build_standards(*, org: Organisation, today: date, notes: list[str]) -> None:
    """Spending standards and exchange rates valid from 1 January of this year (examples)."""
    from meridian.reference.models import Country
    from meridian.travel.models import CountryStandard, ExchangeRate

    valid_from = date(today.year, 1, 1)
    try:
        from meridian.travel.services.standards import rate_save, standard_save
    except ImportError:
        standard_save = rate_save = None  # type: ignore[assignment]
        notes.append("Spending standards written directly (standards service not installed).")
    for code, city, currency, accommodation, meals, incidentals in STANDARDS:
        country = Country.objects.filter(pk=code).first()
        if country is None or CountryStandard.objects.filter(country=country, city=city).exists():
            continue
        values: dict[str, Any] = {
            "country": country,
            "city": city,
            "currency": currency,
            "accommodation": Decimal(accommodation),
            "meals": Decimal(meals),
            "incidentals": Decimal(incidentals),
            "valid_from": valid_from,
            "source": SOURCE,
        }
        if standard_save is not None:
            standard_save(actor=org.admin, **values)
        else:
            CountryStandard.objects.create(**values)
    for currency, rate in RATES.items():
        if ExchangeRate.objects.filter(currency=currency).exists():
            continue
        values = {"currency": currency, "cny_per_unit": Decimal(rate), "valid_from": valid_from}
        if rate_save is not None:
            rate_save(actor=org.admin, **values)
        else:
            ExchangeRate.objects.create(**values)


def build_travellers(*, org: Organisation, today: date) -> dict[str, Any]:
    """The demo travellers, each with an official passport (some also a Hong Kong/Macao permit) in custody."""
    from meridian.people.models import Person, Purpose
    from meridian.people.services import identity_document_create, person_create
    from meridian.reference.models import Country
    from meridian.travel.models import CustodyItem
    from meridian.travel.services.custody import custody_register

    china = Country.objects.get(pk="CN")
    # The purpose is installed by a data migration; a database emptied since (tests that flush) lacks it.
    purpose, _created = Purpose.objects.get_or_create(
        code="official_travel",
        defaults={"name_en": "Official travel abroad", "name_zh": "因公出国（境）", "retention_days": 1095},
    )
    purposes = [purpose]
    people: dict[str, Any] = {}
    for index, (key, family, given, zh, unit_code, kind, username) in enumerate(TRAVELLERS):
        number = f"{DEMO_NUMBER_PREFIX}-{index + 1:03d}"
        person = Person.objects.filter(member_number=number).first()
        if person is None:
            user = org.users.get(username) if username else None
            if user is not None and Person.objects.filter(user=user).exists():
                user = None
            person = person_create(
                actor=org.admin,
                allow_duplicate=True,
                kind=kind,
                family_name=family,
                given_name=given,
                name_zh=zh,
                unit=org.units[unit_code],
                member_number=number,
                nationality=china,
                email=f"{family.lower()}.{given.lower()}@meridian-university.example",
                user=user,
            )
        people[key] = person
        kinds = ["official_passport"] + (["hk_macao_permit"] if key in ("he", "ye") else [])
        for offset, document_kind in enumerate(kinds):
            document = person.documents.filter(kind=document_kind).first()
            if document is None:
                prefix = "SE" if document_kind == "official_passport" else "CA"
                document = identity_document_create(
                    person=person,
                    actor=org.admin,
                    purposes=purposes,
                    kind=document_kind,
                    number=f"{prefix}{1200345 + index * 7 + offset:07d}",
                    issuing_country=china,
                    issue_date=today - timedelta(days=400 + 30 * index),
                    expiry_date=today + timedelta(days=365 * 4 + 20 * index),
                )
            if not CustodyItem.objects.filter(document=document).exists():
                custody_register(
                    document=document, actor=org.admin, location=f"Safe A, drawer {index % 4 + 1}"
                )
    CustodyItem.objects.filter(holder__member_number__startswith=DEMO_NUMBER_PREFIX).update(is_demo=True)
    return people


# --- plans ------------------------------------------------------------------------------------------------


PLAN_LINES = {
    "general": [
        ("academic", "conference", "International conferences (papers accepted)", 8, 1, 6, "240000"),
        ("academic", "research", "Joint research visits to partner laboratories", 4, 2, 7, "180000"),
        (
            "administrative",
            "negotiation",
            "Dean's delegation to sign cooperation agreements",
            1,
            3,
            5,
            "90000",
        ),
    ],
    "hk_macao": [
        ("academic", "lecture", "Lectures and seminars in Hong Kong and Macao", 4, 1, 4, "48000"),
    ],
}


def build_plans(*, org: Organisation, today: date, notes: list[str]) -> None:
    """Plans of two schools (Engineering, Computer Science), general and Hong Kong/Macao, for this year and
    (near the year's end) the next; Engineering's are consolidated, Computer Science's submitted."""
    from meridian.travel.models import TripPlan
    from meridian.travel.services import plans

    years = sorted({today.year, (today + timedelta(days=120)).year})
    for unit_code, final in (("engineering", "consolidated"), ("computing", "submitted")):
        unit = org.units[unit_code]
        for year in years:
            for kind, lines in PLAN_LINES.items():
                if TripPlan.objects.filter(unit=unit, year=year, kind=kind).exists():
                    continue
                plan = plans.plan_create(actor=org.admin, unit=unit, year=year, kind=kind, note="Demo plan")
                for category, purpose, description, count, persons, days, budget in lines:
                    plans.plan_line_add(
                        plan=plan,
                        actor=org.admin,
                        category=category,
                        purpose=purpose,
                        description=description,
                        trip_count=count,
                        persons=persons,
                        days=days,
                        budget=Decimal(budget),
                    )
                plan = plans.plan_submit(plan=plan, actor=org.admin)
                if final == "consolidated":
                    plans.plan_consolidate(plan=plan, actor=org.admin)
    TripPlan.objects.filter(unit__in=[org.units["engineering"], org.units["computing"]]).update(is_demo=True)


# --- trips ------------------------------------------------------------------------------------------------


def _pdf() -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return SimpleUploadedFile("invitation.pdf", body, content_type="application/pdf")


def _png(index: int) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (40 + 60 * index, 90, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile(f"photo-{index}.png", buffer.getvalue(), content_type="image/png")


class TripStory:
    """Takes one demo trip from filing to its target state, step by step on the days the story gives."""

    def __init__(self, *, org: Organisation, today: date, people: dict, partners: dict, notes: list[str]):
        self.org, self.today, self.people, self.partners, self.notes = org, today, people, partners, notes

    def _unit_actor(self, unit: OrgUnit) -> User:
        engineering = self.org.schools["engineering"]
        if unit.path.startswith(engineering.path):
            return self.org.users["demo-coordinator"]
        return self.org.admin

    def _budget(self, s: Scenario, persons: int) -> list[dict]:
        from meridian.reference.models import Country
        from meridian.travel.models import CountryStandard

        country = Country.objects.get(pk=s.country)
        standard = (
            CountryStandard.objects.filter(country=country, city__in=[s.city, ""]).order_by("-city").first()
        )
        lines = [{"kind": "travel", "amount": Decimal(4200 * persons), "persons": persons, "note": "Economy"}]
        if standard is not None:
            nights = s.days - 1
            for kind, per_day, days in (
                ("accommodation", standard.accommodation, nights),
                ("meals", standard.meals, s.days),
                ("incidentals", standard.incidentals, s.days),
            ):
                amount = (per_day * Decimal("0.9")).quantize(Decimal("1")) * days * persons
                lines.append(
                    {
                        "kind": kind,
                        "amount": amount,
                        "currency": standard.currency,
                        "country": country,
                        "persons": persons,
                        "days": days,
                    }
                )
        if s.purpose == "conference":
            lines.append({"kind": "registration", "amount": Decimal("3500"), "persons": persons})
        return lines

    def _plan_line(self, unit: OrgUnit, s: Scenario, depart: date):
        try:
            from meridian.travel.selectors.plans import plan_lines_for
        except ImportError:
            return None
        return plan_lines_for(unit_id=unit.pk, year=depart.year, region=s.region).first()

    def file(self, s: Scenario):
        from meridian.reference.models import Country
        from meridian.travel.services.trips import trip_create

        unit = self.org.units[s.unit]
        depart = self.today + timedelta(days=s.depart)
        back = depart + timedelta(days=s.days - 1)
        travellers = [self.people[k] for k in s.travellers]
        country = Country.objects.get(pk=s.country)
        city = s.city or {"DE": "Munich", "AU": "Melbourne"}.get(s.country, "")
        members = [
            {
                "person": p,
                "role": "leader" if i == 0 else "member",
                "post": "Professor" if i == 0 else "Lecturer",
            }
            for i, p in enumerate(travellers)
        ]
        itinerary = [
            {
                "day": depart + timedelta(days=i),
                "country": country,
                "city": city,
                "activity": "Travel" if i in (0, s.days - 1) else "Programme with the host",
            }
            for i in range(s.days)
        ]
        leader_user = travellers[0].user or self._unit_actor(unit)
        inviter = self.partners.get(s.inviter)
        trip = trip_create(
            actor=self.org.admin,
            applicant=leader_user,
            title=s.title,
            unit=unit,
            region=s.region,
            delegation_kind="academic",
            purpose=s.purpose,
            task=f"{s.title}: talks, lectures and meetings with {s.inviter}.",
            paper_title="Reliable control of distributed systems" if s.purpose == "conference" else "",
            conference_name=s.title if s.purpose == "conference" else "",
            depart_on=depart,
            return_on=back,
            inviter_partner=inviter,
            inviter_name=s.inviter,
            funding_source=s.funding,
            funding_note="Demo budget code 2026-IO-01",
            plan_line=self._plan_line(unit, s, depart),
            members=members,
            itinerary=itinerary,
            budget=self._budget(s, len(travellers)),
            partners=[inviter] if inviter is not None else None,
        )
        return trip

    # steps

    def _step(self, trip, name: str, fn) -> bool:
        """Run one step in a savepoint; a refusal is noted and the story stops (the state is then forced)."""
        try:
            with transaction.atomic():
                fn()
            return True
        except _refusals() as exc:
            message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [])) or str(exc)
            self.notes.append(f"{trip.number} ({trip.title}): {name} refused — {message}")
            return False

    def _justify(self, trip) -> None:
        from meridian.travel.rules import trip_check
        from meridian.travel.services.trips import trip_update

        wanted = {
            r["code"]: "Demo: agreed with the International Office in advance."
            for r in trip_check(trip=trip, save=False)
            if r.get("severity") == "justify" and r.get("outcome") == "fail"
        }
        if wanted:
            trip.refresh_from_db()
            trip_update(trip=trip, actor=self.org.admin, expected_version=trip.version, justifications=wanted)

    def _move(self, trip, move: str, day: date, actor=None, comment: str = "") -> None:
        from meridian.travel.casework import evaluation_date
        from meridian.travel.services.trips import trip_move

        trip.refresh_from_db()
        with evaluation_date(day):
            trip_move(trip=trip, actor=actor or self.org.admin, move=move, comment=comment)

    def _tasks(self, trip) -> list:
        from meridian.workflow.choices import TaskState
        from meridian.workflow.selectors import approval_for

        approval = approval_for(case=trip)
        if approval is None or approval.state != "running":
            return []
        return [t for t in approval.tasks.all() if t.state == TaskState.OPEN]

    def _decider(self, task) -> User:
        assignees = sorted(task.assignees.all(), key=lambda u: u.username)
        for name in PREFERRED_DECIDERS:
            for user in assignees:
                if user.username == name:
                    return user
        if not assignees:
            raise SkipStep(f"nobody decides “{task.label}”")
        return assignees[0]

    def _approve_steps(self, trip, day: date, wait_at: str = "") -> None:
        from meridian.travel.casework import evaluation_date
        from meridian.workflow.services import step_approve

        for _round in range(10):
            tasks = self._tasks(trip)
            if not tasks or (wait_at and any(t.label == wait_at for t in tasks)):
                return
            with evaluation_date(day):
                for task in tasks:
                    step_approve(task=task, actor=self._decider(task), comment="Agreed.")

    def run(self, s: Scenario) -> None:
        from meridian.travel.casework import evaluation_date

        trip = self.file(s)
        target = s.state
        today = self.today
        depart, back = trip.depart_on, trip.return_on
        if target == "cancelled":
            if not self._step(
                trip, "cancel", lambda: self._move(trip, "cancel", today, comment="Host postponed.")
            ):
                self._force(trip, target)
            return
        if target == "draft":
            return
        # The notice runs five working days (longer over public holidays) and the application must reach the
        # office well before departure (the rule pack's lead times): publish two weeks ago at the latest.
        publish_day = min(today - timedelta(days=16), depart - timedelta(days=75))
        if target == "publicity":
            publish_day = today

        def publish() -> None:
            from meridian.travel.services.trips import trip_file_add

            trip_file_add(trip=trip, actor=self.org.admin, kind="invitation", uploaded=_pdf())
            with evaluation_date(publish_day):
                self._justify(trip)
            self._move(trip, "start_publicity", publish_day)

        if not self._step(trip, "publicity notice", publish):
            return self._force(trip, target)
        if target == "publicity":
            return
        notice = trip.notices.order_by("-pk").first()
        submit_day = min(today, notice.ends_on + timedelta(days=1))

        def submit() -> None:
            from meridian.travel.services.publicity import notices_complete_due

            notices_complete_due(today=submit_day)
            self._move(trip, "submit", submit_day)

        if not self._step(trip, "submission", submit):
            return self._force(trip, target)
        if target == "under_review":
            if not s.wait_at:
                return
            self._step(trip, "first steps", lambda: self._approve_steps(trip, submit_day, s.wait_at))
            return
        if target == "rejected":

            def reject() -> None:
                from meridian.workflow.services import step_reject

                task = self._tasks(trip)[0]
                step_reject(task=task, actor=self._decider(task), comment="No budget left this year.")

            if not self._step(trip, "rejection", reject):
                self._force(trip, target)
            return
        if not self._step(trip, "approval", lambda: self._approve_steps(trip, submit_day)):
            return self._force(trip, target)
        trip.refresh_from_db()
        if trip.state != "approved":
            self.notes.append(f"{trip.number}: the chain did not approve ({trip.state}).")
            return self._force(trip, target)
        if target == "approved":
            return
        authorise_day = min(today, submit_day + timedelta(days=2))

        def authorise() -> None:
            from meridian.travel.services.external import external_approval_record, itinerary_text

            with evaluation_date(authorise_day):
                external_approval_record(
                    trip=trip,
                    actor=self.org.users["demo-officer"],
                    document_number=f"外办〔{authorise_day.year}〕{100 + trip.pk}号",
                    issued_on=authorise_day,
                    authority="Provincial Foreign Affairs Office",
                    approved_people=list(trip.members.values_list("person_id", flat=True)),
                    approved_itinerary=itinerary_text(trip),
                )

        if not self._step(trip, "external approval", authorise):
            return self._force(trip, target)
        if target == "authorised":
            return
        if not self._step(trip, "passports issued", lambda: self._issue(trip, depart - timedelta(days=2))):
            return self._force(trip, target)
        if not self._step(trip, "departure", lambda: self._move(trip, "depart", depart)):
            return self._force(trip, target)
        if target == "abroad":
            return
        if not self._step(trip, "return", lambda: self._move(trip, "come_back", back)):
            return self._force(trip, target)
        if target == "returned":
            return
        if not self._step(trip, "closing", lambda: self._close(trip, back)):
            return self._force(trip, target)

    def _issue(self, trip, on: date) -> None:
        from meridian.travel.services.custody import KIND_FOR_REGION, custody_issue

        trip.refresh_from_db()
        kind = KIND_FOR_REGION.get(trip.region, "official_passport")
        for member in trip.members.select_related("person"):
            item = member.person.custody_items.filter(document__kind=kind).first()
            if item is None:
                raise SkipStep(f"{member.person} has no document in custody")
            custody_issue(item=item, actor=self.org.users["demo-officer"], trip=trip, on=on)

    def _close(self, trip, back: date) -> None:
        from meridian.travel.casework import evaluation_date
        from meridian.travel.services import publicity, reports
        from meridian.travel.services.custody import custody_return

        trip.refresh_from_db()
        officer = self.org.users["demo-officer"]
        for item in trip.custody_items.all():
            custody_return(item=item, actor=officer, on=back + timedelta(days=2), location="Safe A")
        with evaluation_date(back + timedelta(days=1)):
            trip.refresh_from_db()
            notice = publicity.notice_publish(trip=trip, phase="after", actor=self.org.admin)
        done_day = notice.ends_on + timedelta(days=1)
        publicity.notices_complete_due(today=done_day)
        report = trip.report
        reports.report_update(
            report=report,
            actor=self.org.admin,
            expected_version=report.version,
            tasks_done="Visited the partner's laboratories; agreed a joint supervision scheme.",
            outcomes="Draft agreement on a joint laboratory; two new contacts.",
            passport_returned=True,
            discipline="The delegation observed the rules on official travel.",
            costs=Decimal("23650.00"),
            paid_by="Unit budget",
            follow_up="Sign the agreement in the spring; host a return visit.",
        )
        for index in range(3):
            reports.report_photo_add(
                report=report, actor=self.org.admin, uploaded=_png(index), caption="Visit"
            )
        reports.report_submit(report=trip.report, actor=self.org.admin)
        reports.report_accept(report=trip.report, actor=officer, comment="Complete.")
        partner = trip.inviter_partner
        if partner is not None:
            reports.outcome_add(
                trip=trip,
                actor=officer,
                kind="contact",
                description="New contact: head of the partner's materials laboratory.",
                partner=partner,
            )
        self._move(trip, "close", min(self.today, done_day), actor=officer)

    def _force(self, trip, target: str) -> None:
        """Set the trip to ``target`` directly (a service refused a step) with the rows that state needs."""
        from django.utils import timezone

        from meridian.travel.models import Trip, TripReport

        values: dict[str, Any] = {"state": target, "state_changed_at": timezone.now()}
        if target in ("abroad", "returned", "closed"):
            values["departed_on"] = trip.depart_on
        if target in ("returned", "closed"):
            values["returned_on"] = trip.return_on
        Trip.objects.filter(pk=trip.pk).update(**values)
        if target in ("returned", "closed") and not TripReport.objects.filter(trip=trip).exists():
            TripReport.objects.create(
                trip=trip,
                inviter=trip.inviter_name,
                members=", ".join(str(m.person) for m in trip.members.all()),
                dates=f"{trip.depart_on} – {trip.return_on}",
                due_on=trip.return_on + timedelta(days=21),
                state="accepted" if target == "closed" else "draft",
            )
        self.notes.append(f"{trip.number}: set to “{target}” directly.")


def _overdue_passport(story: TripStory, trip, notes: list[str]) -> None:
    """Make sure the returned trip's passports are out and overdue (the unit is then suspended)."""
    from meridian.travel.choices import CustodyState
    from meridian.travel.models import CustodyItem
    from meridian.travel.services.custody import due_back_on

    if trip.custody_items.filter(state=CustodyState.ISSUED).exists():
        return
    leader = trip.members.order_by("order").first()
    CustodyItem.objects.filter(holder=leader.person, document__kind="official_passport").update(
        state=CustodyState.ISSUED,
        trip=trip,
        issued_on=trip.depart_on - timedelta(days=2),
        due_back_on=due_back_on(trip),
    )
    notes.append(f"{trip.number}: passport marked as issued and overdue directly.")


def build_long_stay(
    *, org: Organisation, today: date, people: dict, partners: dict, notes: list[str]
) -> None:
    """A visiting scholar on a government scholarship, abroad and registered with the embassy."""
    from meridian.reference.models import Country
    from meridian.travel.casework import evaluation_date
    from meridian.travel.models import LongStay
    from meridian.travel.services.long_stays import long_stay_create, long_stay_move

    person = people["kong"]
    if LongStay.objects.filter(person=person).exists():
        return
    starts = today - timedelta(days=75)
    stay = long_stay_create(
        actor=org.admin,
        person=person,
        unit=person.unit,
        programme="government_scholarship",
        host_partner=partners.get("The University of Tokyo"),
        host_name="The University of Tokyo",
        country=Country.objects.get(pk="JP"),
        starts_on=starts,
        ends_on=starts + timedelta(days=365),
        research_topic="Second-language acquisition of Chinese by Japanese learners",
    )
    for move, day, data in (
        ("sign_agreement", starts - timedelta(days=30), {"agreement_signed_on": starts - timedelta(days=30)}),
        ("depart", starts, {"departed_on": starts}),
        ("register", starts + timedelta(days=6), {"embassy_registered_on": starts + timedelta(days=6)}),
    ):
        try:
            with transaction.atomic(), evaluation_date(day):
                stay = long_stay_move(stay=stay, actor=org.admin, move=move, data=data)
        except _refusals() as exc:
            notes.append(f"{stay.number}: {move} refused — {exc}")
            break
    LongStay.objects.filter(pk=stay.pk).update(is_demo=True)


def build_travel(*, org: Organisation, today: date) -> TravelSummary:
    """Build the demo's official travel (see the module docstring); does nothing when demo trips exist."""
    from meridian.partners.models import Partner
    from meridian.travel.casework import evaluation_date
    from meridian.travel.models import Trip

    summary = TravelSummary()
    if Trip.objects.filter(is_demo=True).exists():
        return summary
    notes = summary.notes
    with evaluation_date(today):
        configure_chains(org=org)
        build_standards(org=org, today=today, notes=notes)
        people = build_travellers(org=org, today=today)
        build_plans(org=org, today=today, notes=notes)
    names = {s.inviter for s in SCENARIOS} | {"The University of Tokyo"}
    partners = {p.name_en: p for p in Partner.objects.filter(name_en__in=names).order_by("pk")}
    story = TripStory(org=org, today=today, people=people, partners=partners, notes=notes)
    built: list[int] = []
    for scenario in SCENARIOS:
        before = set(Trip.objects.values_list("pk", flat=True))
        with evaluation_date(today):
            story.run(scenario)
        created = Trip.objects.exclude(pk__in=before)
        built.extend(created.values_list("pk", flat=True))
        if scenario.keep_passport:
            for trip in created:
                _overdue_passport(story, trip, notes)
    Trip.objects.filter(pk__in=built).update(is_demo=True)
    with evaluation_date(today):
        build_long_stay(org=org, today=today, people=people, partners=partners, notes=notes)
    summary.trips = len(built)
    for state in Trip.objects.filter(pk__in=built).values_list("state", flat=True):
        summary.states[state] = summary.states.get(state, 0) + 1
    return summary


@transaction.atomic
def remove_travel() -> None:
    """Delete the demo's trips, long stays, plans, register entries and travellers (before the demo partners
    and users go: trips protect the partners that invited them)."""
    from django.contrib.contenttypes.models import ContentType

    from meridian.people.models import Person
    from meridian.travel.models import CustodyItem, LongStay, Trip, TripChange, TripPlan
    from meridian.workflow.models import ApprovalChain, CaseApproval

    trips = Trip.objects.filter(is_demo=True)
    trip_ids = list(trips.values_list("pk", flat=True))
    stays = LongStay.objects.filter(is_demo=True)
    for model, ids in ((Trip, trip_ids), (LongStay, list(stays.values_list("pk", flat=True)))):
        CaseApproval.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=ids
        ).delete()
    CustodyItem.objects.filter(is_demo=True).delete()
    TripChange.objects.filter(trip_id__in=trip_ids).delete()
    trips.delete()
    stays.delete()
    TripPlan.objects.filter(is_demo=True).delete()
    Person.objects.filter(member_number__startswith=DEMO_NUMBER_PREFIX).delete()
    for chain in ApprovalChain.objects.filter(case_type__in=[TRIP, TRIP_CHANGE], name__in=CHAIN_NAMES):
        if not CaseApproval.objects.filter(chain_version__chain=chain).exists():
            chain.delete()
