"""The demo visits: each taken from filing to its target state through the visitors services and the workflow
engine (``VisitStory``), its guests' self-service, arrivals and the visit note, and the lectures of the visits
(``build_lectures``). Used by ``meridian.demo.visitors``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from meridian.accounts.models import User
from meridian.core.errors import DomainError
from meridian.demo.organisation import Organisation
from meridian.demo.visitors_data import LECTURES, GuestSpec, VisitSpec
from meridian.demo.visitors_steps import OFFICER, Marks, at, message, png, refusals

PREFERRED_DECIDERS = ["demo-dean", "demo-officer", "demo-leader"]
# Lead times of the visitors rule pack (lead_time: 30 days, 60 with a visa invitation, 90 for a delegation).
LEAD_DAYS = {"none": 30, "invitation": 60, "official": 90}
# Budget rates (CNY), below the default hosting standards: per guest per night, per guest per day, per guest.
RATES = {"accommodation": 380, "meals": 180, "gifts": 200, "honoraria": 2000, "transport": 1500}
RANK_LEVELS = {
    "minister": ("university_head", "The President of Meridian University"),
    "vice_minister": ("university_leader", "Prof. Wang Jianguo, Vice-President"),
    "director": ("unit_leader", "The dean of the host school"),
    "professor": ("host", ""),
    "other": ("host", ""),
}
AIRPORT = "Beijing Capital International Airport"


class VisitStory:
    """Takes one demo visit from filing to its target state, step by step on the days the story gives."""

    def __init__(self, *, org: Organisation, today: date, partners: dict, notes: list[str]) -> None:
        self.org, self.today, self.partners, self.notes = org, today, partners, notes

    def user(self, name: str) -> User:
        return self.org.users[name]

    @property
    def officer(self) -> User:
        return self.org.users[OFFICER]

    # filing

    def _lead(self, s: VisitSpec) -> int:
        if s.category == "official_delegation":
            return LEAD_DAYS["official"]
        return LEAD_DAYS["invitation"] if s.invitation != "none" else LEAD_DAYS["none"]

    def _reception(self, s: VisitSpec) -> tuple[str, str]:
        from meridian.visitors.choices import GUEST_RANK_ORDER

        senior = max((g.rank for g in s.guests), key=lambda r: GUEST_RANK_ORDER.get(r, 0))
        return RANK_LEVELS[senior]

    def _programme(self, s: VisitSpec, arrive: date) -> list[dict[str, Any]]:
        """Arrival and a welcome dinner, the story's activities and talks with the host school on the days
        between, the departure on the last day."""

        def item(day: date, kind: str, title: str, starts: time, ends: time | None = None) -> dict[str, Any]:
            place = "Main Building" if ends else ""
            return {
                "day": day,
                "kind": kind,
                "title": title,
                "starts_at": starts,
                "ends_at": ends,
                "place": place,
            }

        items = [
            item(arrive, "transfer", "Arrival and welcome", time(15)),
            item(arrive, "meal", "Welcome dinner", time(18, 30)),
        ]
        for index in range(1, s.days - 1):
            day = arrive + timedelta(days=index)
            kind, title = s.programme[(index - 1) % len(s.programme)]
            items.append(item(day, kind, title, time(9, 30), time(11, 30)))
            items.append(item(day, "meeting", "Talks with the host school", time(14, 30), time(16, 30)))
        items.append(item(arrive + timedelta(days=s.days - 1), "transfer", "Departure", time(9)))
        return items

    def _budget(self, s: VisitSpec) -> list[dict[str, Any]]:
        persons, nights = len(s.guests), max(s.days - 1, 1)
        lines = [
            {
                "kind": "accommodation",
                "amount": RATES["accommodation"] * persons * nights,
                "persons": persons,
                "days": nights,
                "description": "Guest house" if s.accommodation == "on_campus" else "Hotel",
            },
            {
                "kind": "meals",
                "amount": RATES["meals"] * persons * s.days,
                "persons": persons,
                "days": s.days,
            },
            {"kind": "transport", "amount": RATES["transport"], "description": "Airport transfers"},
            {"kind": "gifts", "amount": RATES["gifts"] * persons, "persons": persons},
        ]
        if s.category in ("visiting_scholar", "conference_guest"):
            lines.append(
                {"kind": "honoraria", "amount": RATES["honoraria"], "persons": 1, "description": "Lecture"}
            )
        return [{**line, "amount": Decimal(str(line["amount"]))} for line in lines]

    def file(self, s: VisitSpec, day: date):
        from meridian.reference.models import Country
        from meridian.visitors.casework import evaluation_date
        from meridian.visitors.services.visits import visit_create

        arrive = self.today + timedelta(days=s.arrive)
        partner = self.partners.get(s.partner)
        level, leader = self._reception(s)
        guests = [
            {
                "new_person": {
                    "family_name": g.family,
                    "given_name": g.given,
                    "name_zh": g.zh,
                    "gender": g.gender,
                    "nationality": Country.objects.get(pk=g.country),
                },
                "is_head": g.head,
                "rank": g.rank,
                "position": g.position,
            }
            for g in s.guests
        ]
        marks = Marks()
        with evaluation_date(day):
            visit = visit_create(
                actor=self.user(s.filer),
                host=self.user(s.host),
                host_unit=self.org.units[s.unit],
                title=s.title,
                category=s.category,
                purpose=s.purpose,
                arrive_on=arrive,
                depart_on=arrive + timedelta(days=s.days - 1),
                guest_partner=partner,
                guest_organisation="" if partner else s.partner,
                guest_country=Country.objects.filter(pk=s.guests[0].country).first(),
                reception_level=level,
                reception_leader=leader,
                invitation_kind=s.invitation,
                accommodation=s.accommodation,
                accommodation_address=s.address,
                funding_note="Host school's international cooperation budget",
                guests=guests,
                programme=self._programme(s, arrive),
                budget=self._budget(s),
                agreements=None,
            )
        marks.stamp(visit, day, 9)
        return visit

    # steps

    def step(self, visit, name: str, day: date, fn: Callable[[], Any], hour: int = 10) -> bool:
        """Run one step in a savepoint on ``day``; a refusal is noted and the story stops (the state is then
        forced)."""
        from meridian.visitors.casework import evaluation_date

        marks = Marks()
        try:
            with transaction.atomic(), evaluation_date(day):
                fn()
        except refusals() as exc:
            self.notes.append(f"{visit.number} ({visit.title}): {name} refused — {message(exc)}")
            return False
        marks.stamp(visit, day, hour)
        return True

    def move(self, visit, move: str, actor: User, comment: str = "") -> None:
        from meridian.visitors.services.visits import visit_move

        visit.refresh_from_db()
        visit_move(visit=visit, actor=actor, move=move, comment=comment)

    def justify(self, visit, actor: User) -> None:
        """Write a justification for each rule that asks for one and fails (none in the stories as built)."""
        from meridian.visitors.rules import visit_check
        from meridian.visitors.services.visits import visit_update

        wanted = {
            r["code"]: "Demo: agreed with the International Office in advance."
            for r in visit_check(visit=visit, save=False)
            if r.get("severity") == "justify" and r.get("outcome") == "fail"
        }
        if wanted:
            visit.refresh_from_db()
            visit_update(visit=visit, actor=actor, expected_version=visit.version, justifications=wanted)

    def tasks(self, visit) -> list:
        from meridian.workflow.choices import TaskState
        from meridian.workflow.selectors import approval_for

        approval = approval_for(case=visit)
        if approval is None or approval.state != "running":
            return []
        return [t for t in approval.tasks.all() if t.state == TaskState.OPEN]

    def decider(self, task) -> User:
        assignees = sorted(task.assignees.all(), key=lambda u: u.username)
        for name in PREFERRED_DECIDERS:
            for user in assignees:
                if user.username == name:
                    return user
        deans = [u for u in assignees if u.username.startswith("demo-dean")]
        if deans:
            return deans[0]
        if not assignees:
            raise DomainError(f"nobody decides “{task.label}”")
        return assignees[0]

    def approve_steps(self, visit, wait_at: str = "") -> None:
        from meridian.workflow.services import step_approve

        for _round in range(10):
            tasks = self.tasks(visit)
            if not tasks or (wait_at and any(t.label == wait_at for t in tasks)):
                return
            for task in tasks:
                step_approve(task=task, actor=self.decider(task), comment="Agreed.")

    def reject(self, visit, comment: str) -> None:
        from meridian.workflow.services import step_reject

        task = self.tasks(visit)[0]
        step_reject(task=task, actor=self.decider(task), comment=comment)

    def _guests(self, visit, s: VisitSpec, phases: tuple[str, ...]) -> list[tuple[Any, GuestSpec]]:
        """The guests whose story (``GuestSpec.data``) is one of ``phases``, with their spec."""
        pairs = zip(visit.guests.select_related("person").order_by("order"), s.guests, strict=True)
        return [(guest, spec) for guest, spec in pairs if spec.data in phases]

    def guest_links(self, visit, s: VisitSpec) -> None:
        """The office sends each guest the story names their self-service link."""
        from meridian.visitors.services.guests import guest_link_issue

        for guest, _spec in self._guests(visit, s, ("link", "entered", "locked")):
            guest_link_issue(guest=guest, actor=self.officer)

    def guest_entries(self, visit, s: VisitSpec, day: date) -> None:
        """The guests enter their data through their links (those who do in the story)."""
        for guest, spec in self._guests(visit, s, ("entered", "locked")):
            guest.refresh_from_db()
            _enter_guest_data(guest, spec, visit, day)

    def guest_locks(self, visit, s: VisitSpec) -> None:
        """The office checks and locks what the guests entered (where the story says so)."""
        from meridian.visitors.services.guests import guest_lock

        for guest, _spec in self._guests(visit, s, ("locked",)):
            guest.refresh_from_db()
            guest_lock(guest=guest, actor=self.officer)

    def guest_data(self, visit, s: VisitSpec, day: date) -> bool:
        """Each guest's self-service as the story tells it: the links sent on ``day``, the data entered the
        next afternoon and checked and locked by the office that evening (never after the story's today);
        False when a step was refused."""
        entry_day = min(self.today, day + timedelta(days=1))
        return (
            self.step(visit, "guest links", day, lambda: self.guest_links(visit, s))
            and self.step(visit, "guest data", entry_day, lambda: self.guest_entries(visit, s, entry_day), 15)
            and self.step(visit, "guest data locked", entry_day, lambda: self.guest_locks(visit, s), 17)
        )

    def recheck(self, visit, day: date) -> None:
        """Store the rule results the visit was submitted with as they read on ``day``, the story's day of
        submission, and the time of the submission as the time they were checked.

        The submission's own check (``casework._store_rule_check``) runs before the demo back-dates the
        submission, so it counts the lead time from the day the demo is built; checked again once the
        submission carries its day (``Marks.stamp``), the lead time runs from that day as it did for the
        submission's guard."""
        from meridian.visitors.casework import evaluation_date
        from meridian.visitors.models import Visit
        from meridian.visitors.rules import visit_check
        from meridian.workflow.models import TransitionLog

        submitted = (
            TransitionLog.objects.filter(case_type="visit", object_id=visit.pk, action="submit")
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        visit.refresh_from_db()
        with evaluation_date(day):
            visit_check(visit=visit, save=True)
        Visit.objects.filter(pk=visit.pk).update(rules_checked_at=submitted or at(day))

    def arrivals(self, visit, s: VisitSpec) -> None:
        """Each guest arrived on the first day in the afternoon and stays where the visit says."""
        from meridian.visitors.services.arrivals import guest_arrival_record

        host = self.user(s.host)
        for index, guest in enumerate(visit.guests.order_by("order")):
            guest_arrival_record(
                guest=guest,
                arrived_at=at(visit.arrive_on, 14, 20 + 5 * index),
                accommodation=visit.accommodation,
                address=visit.accommodation_address,
                actor=host,
            )

    def registrations(self, visit, s: VisitSpec) -> None:
        """The guests' accommodation registrations, made the evening they arrived, except those the story
        leaves open."""
        from meridian.visitors.models import AccommodationRegistration
        from meridian.visitors.services.arrivals import registration_mark_done

        host = self.user(s.host)
        guests = list(visit.guests.order_by("order"))
        for index, guest in enumerate(guests):
            if index >= len(guests) - s.unregistered or guest.arrived_at is None:
                continue
            arrived = guest.arrived_at
            for registration in AccommodationRegistration.objects.filter(guest=guest, state="open"):
                registration_mark_done(
                    registration=registration,
                    registered_at=arrived + timedelta(hours=4),
                    receipt_number=f"HZ{visit.arrive_on:%Y%m%d}{guest.pk:04d}",
                    actor=host,
                )

    def note(self, visit, s: VisitSpec) -> None:
        from meridian.visitors.services.visits import visit_note_submit

        visit.refresh_from_db()
        visit_note_submit(
            visit=visit, actor=self.user(s.host), outcomes=s.outcomes, follow_up=s.follow_up, photos=[png()]
        )

    def run(self, s: VisitSpec):
        """File the visit and take it to ``s.state``; returns it."""
        today, target = self.today, s.state
        arrive = today + timedelta(days=s.arrive)
        file_day = min(today, arrive - timedelta(days=self._lead(s) + 10))
        filer, host = self.user(s.filer), self.user(s.host)
        visit = self.file(s, file_day)
        if s.escalate:
            self.step(visit, "referral", file_day, lambda: _escalate(visit, self.officer))
        self.step(visit, "justification", file_day, lambda: self.justify(visit, filer))
        if target == "draft":
            return visit
        if not self.step(visit, "submission", file_day, lambda: self.move(visit, "submit", filer)):
            return self.force(visit, target)
        self.recheck(visit, file_day)
        review_day = min(today, file_day + timedelta(days=2))
        if target == "under_review":
            self.step(visit, "first steps", review_day, lambda: self.approve_steps(visit, s.wait_at))
            return visit
        if target == "rejected":
            if not self.step(visit, "rejection", review_day, lambda: self.reject(visit, s.comment)):
                self.force(visit, target)
            return visit
        if not self.step(visit, "approval", review_day, lambda: self.approve_steps(visit)):
            return self.force(visit, target)
        visit.refresh_from_db()
        if visit.state != "approved":
            self.notes.append(f"{visit.number}: the chain did not approve ({visit.state}).")
            return self.force(visit, target)
        data_day = min(today, review_day + timedelta(days=3))
        if not self.guest_data(visit, s, data_day):
            return self.force(visit, target)
        if target == "approved":
            return visit
        if target == "cancelled":
            cancel_day = min(today, data_day + timedelta(days=5))
            if not self.step(
                visit, "cancellation", cancel_day, lambda: self.move(visit, "cancel", host, s.comment)
            ):
                self.force(visit, target)
            return visit
        if s.invitation != "none":
            issue_day = min(today, data_day + timedelta(days=2))
            if not self.step(
                visit, "invitation", issue_day, lambda: self.move(visit, "issue_invitation", self.officer)
            ):
                return self.force(visit, target)
            if target == "invitation_issued":
                return visit
            visa_day = min(today, issue_day + timedelta(days=14), arrive - timedelta(days=3))
            if not self.step(visit, "visas", visa_day, lambda: self.move(visit, "confirm_visa", host)):
                return self.force(visit, target)
            if target == "visa_confirmed":
                return visit

        def arrive_now() -> None:
            self.arrivals(visit, s)
            self.move(visit, "arrive", host)

        if not self.step(visit, "arrival", arrive, arrive_now, hour=15):
            return self.force(visit, target)
        if not self.step(visit, "registrations", arrive, lambda: self.registrations(visit, s), hour=19):
            return self.force(visit, target)
        if target == "arrived":
            return visit
        depart = arrive + timedelta(days=s.days - 1)
        if not self.step(visit, "departure", depart, lambda: self.move(visit, "finish", host), hour=12):
            return self.force(visit, target)
        if target == "hosted":
            return visit
        close_day = min(today, depart + timedelta(days=4))
        if not self.step(visit, "visit note", close_day, lambda: self.note(visit, s)):
            return self.force(visit, target)
        if not self.step(visit, "closing", close_day, lambda: self.move(visit, "close", host), hour=11):
            return self.force(visit, target)
        return visit

    def force(self, visit, target: str):
        """Set the visit to ``target`` directly (a service refused a step)."""
        from meridian.visitors.models import Visit

        values: dict[str, Any] = {"state": target, "state_changed_at": at(self.today, 12)}
        if target in ("arrived", "hosted", "closed"):
            values["arrived_on"] = visit.arrive_on
        if target in ("hosted", "closed"):
            values["left_on"] = visit.depart_on
        Visit.objects.filter(pk=visit.pk).update(**values)
        self.notes.append(f"{visit.number}: set to “{target}” directly.")
        return visit


def _escalate(visit, officer: User) -> None:
    from meridian.visitors.services.visits import visit_escalate

    visit_escalate(
        visit=visit, actor=officer, comment="A double degree needs a university leader's approval."
    )


def _cv(spec: GuestSpec, organisation: str, today: date) -> list[dict[str, str]]:
    """Three posts covering the last fourteen years without gaps, newest first."""
    year = today.year
    return [
        {"from": f"{year - 4}-01", "to": "", "organisation": organisation, "position": spec.position},
        {
            "from": f"{year - 9}-01",
            "to": f"{year - 5}-12",
            "organisation": organisation,
            "position": "Associate professor" if spec.rank != "other" else "Research assistant",
        },
        {
            "from": f"{year - 14}-09",
            "to": f"{year - 10}-12",
            "organisation": "National research institute",
            "position": "Researcher" if spec.rank != "other" else "Student",
        },
    ]


def _enter_guest_data(guest, spec: GuestSpec, visit, today: date) -> None:
    """What a guest enters through their self-service link on ``today`` (the story's day): consent, birth
    date and place, passport, CV of the last ten years and their own travel plan (``guest_data_submit``)."""
    from meridian.people.consent import CURRENT_VERSION
    from meridian.visitors.services.guests import guest_data_submit

    person = guest.person
    person.refresh_from_db()
    country = person.nationality
    guest_data_submit(
        guest=guest,
        consent_version=CURRENT_VERSION,
        ip=None,
        expected_version=person.version,
        person_fields={
            "birth_date": date(spec.born, 1 + guest.pk % 12, 1 + guest.pk % 27),
            "birth_place": {"DE": "Munich", "GB": "London", "RU": "Moscow", "JP": "Kyoto"}.get(
                country.pk, ""
            ),
        },
        document_fields={
            "kind": "passport",
            "number": f"{country.pk}{7301245 + guest.pk * 37:08d}",
            "issuing_country": country,
            "issue_date": today - timedelta(days=900 + guest.pk),
            "expiry_date": today + timedelta(days=2700 + guest.pk),
        },
        scan=None,
        photo=None,
        cv=_cv(spec, visit.organisation_name, today),
        itinerary={
            "arrival_date": visit.arrive_on,
            "arrival_flight": f"CA {900 + guest.visit_id % 90}",
            "arrival_port": AIRPORT,
            "departure_date": visit.depart_on,
            "departure_flight": f"CA {901 + guest.visit_id % 90}",
            "exit_port": AIRPORT,
        },
        needs={"dietary_needs": "Vegetarian" if guest.pk % 3 == 0 else "", "accessibility_needs": ""},
    )


# --- lectures ---------------------------------------------------------------------------------------------


def build_lectures(*, org: Organisation, visits: dict[str, Any], notes: list[str]) -> list[int]:
    """The lectures of the demo visits: published ones (after the outline review where it applies), one
    waiting for the review; returns their ids."""
    from meridian.visitors.services import lectures as service

    officer = org.users[OFFICER]
    built: list[int] = []
    for spec in LECTURES:
        visit = visits.get(spec.visit)
        if visit is None:
            continue
        guest = visit.guests.select_related("person").order_by("order").first()
        starts = timezone.make_aware(
            datetime.combine(visit.arrive_on + timedelta(days=spec.day), time(spec.hour))
        )
        try:
            with transaction.atomic():
                lecture = service.lecture_create(
                    actor=officer,
                    unit=visit.host_unit,
                    visit=visit,
                    guest=guest,
                    **service.guest_defaults(guest),
                    title_en=spec.title_en,
                    title_zh=spec.title_zh,
                    abstract_en=spec.abstract_en,
                    abstract_zh=spec.abstract_zh,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=90),
                    place_en=spec.place_en,
                    place_zh=spec.place_zh,
                    is_public=spec.is_public,
                    outline=f"1. Background\n2. {spec.title_en}\n3. Questions and discussion",
                )
                built.append(lecture.pk)
                if spec.review:
                    lecture = service.lecture_submit_for_review(lecture=lecture, actor=officer)
                if spec.review == "approved":
                    lecture = service.lecture_review_decide(lecture=lecture, actor=officer, approve=True)
                if spec.review != "pending":
                    service.lecture_publish(lecture=lecture, actor=officer)
        except refusals() as exc:
            notes.append(f"Lecture “{spec.title_en}” refused — {message(exc)}")
    return built
