"""The demo's calls for outgoing exchange, each step through the calls, selection, allocation and nomination
services on its day of the story: a call is filed with its destinations, criteria, question and committee,
opened, closed at its deadline; the schools decide (the ineligible are refused with the reason); the
committee scores (one member declares a conflict of interest); the office ranks, allocates and publishes
the results; students accept or decline (a declined place goes to the waiting list); the office nominates
those who accepted to their partners, who decide in the partner portal.

The applications themselves are written in bulk (``mobility_students``): their number is the point, not how
each form was typed."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from meridian.demo.mobility_data import QUESTION_EN, QUESTION_ZH
from meridian.demo.mobility_steps import Steps, call_at
from meridian.demo.mobility_students import Applicant, submit_in_bulk
from meridian.demo.organisation import Organisation
from meridian.demo.visitors_steps import message, refusals
from meridian.mobility.choices import ApplicationState, CriterionSource, DocumentKind

A = ApplicationState
REVIEWERS = ["demo-director", "demo-coordinator", "demo-staff"]
CONFLICT_REVIEWER = "demo-staff"  # a lecturer of the Department of Mechanical Engineering
CONFLICT_REASON = "I supervise this student's course project in mechanical design."
CRITERIA = [
    ("grades", "Grade average", "学业成绩", 40, CriterionSource.GRADES),
    ("language", "Language level", "外语水平", 20, CriterionSource.LANGUAGE),
    ("motivation", "Motivation and study plan", "学习计划与动机", 25, CriterionSource.REVIEWERS),
    ("interview", "Interview", "面试", 15, CriterionSource.REVIEWERS),
]
DECLINE_REASONS = [
    "I was admitted to a summer research programme that overlaps the semester.",
    "My family cannot cover the living costs after all.",
    "I will stay for my internship at home.",
]
# Schools' coordinators who decide on their students' applications (else the International Office does).
SCHOOL_DECIDERS = {"engineering": "demo-coordinator"}


def weekday(day: date) -> date:
    """``day``, or the Friday before when it falls on a weekend."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@dataclass
class CallPlan:
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    year: int
    semester: str
    created: date
    opens: date
    closes: date
    destinations: list[tuple[Any, int]]  # (condition, places)
    offer_days: int = 14
    required: list[str] = field(default_factory=lambda: [DocumentKind.TRANSCRIPT, DocumentKind.LANGUAGE])
    max_preferences: int = 5
    min_grade: Decimal | None = Decimal("3.0")
    min_year: int | None = 2
    reviewers: list[str] = field(default_factory=lambda: list(REVIEWERS))
    criteria: list[tuple] = field(default_factory=lambda: list(CRITERIA))


class CallStory:
    def __init__(self, *, org: Organisation, today: date, rng: random.Random, steps: Steps) -> None:
        self.org, self.today, self.rng, self.steps = org, today, rng, steps
        self.officer = org.users["demo-officer"]

    def user(self, username: str) -> Any:
        return self.org.users[username]

    def school_of(self, unit: Any) -> str:
        """The code of the school ``unit`` belongs to ("" for a unit outside the schools)."""
        for code, school in self.org.schools.items():
            if unit.path.startswith(school.path):
                return code
        return ""

    # --- filing and opening ---

    def file(self, plan: CallPlan) -> Any:
        """File the call with its destinations, criteria, question and committee; open it on its day."""
        from meridian.mobility.services import calls

        def create() -> Any:
            call = calls.call_create(
                actor=self.officer,
                unit=self.org.office,
                title_en=plan.title_en,
                title_zh=plan.title_zh,
                description_en=plan.description_en,
                description_zh=plan.description_zh,
                academic_year=plan.year,
                semester=plan.semester,
                opens_at=call_at(plan.opens, 9),
                closes_at=call_at(plan.closes, 17),
                school_review_until=plan.closes + timedelta(days=10),
                max_preferences=plan.max_preferences,
                min_year_of_study=plan.min_year,
                min_grade=plan.min_grade,
                grade_scale=Decimal(4),
                require_clean_record=True,
                required_documents=list(plan.required),
                offer_days=plan.offer_days,
            )
            for condition, places in plan.destinations:
                try:
                    with transaction.atomic():
                        calls.destination_add_from_condition(
                            call=call, condition=condition, places=places, actor=self.officer
                        )
                except refusals() as exc:
                    self.steps.notes.append(
                        f"{call.number}: destination {condition.partner} — {message(exc)}"
                    )
            for order, (code, label_en, label_zh, weight, source) in enumerate(plan.criteria, start=1):
                calls.criterion_add(
                    call=call,
                    actor=self.officer,
                    code=code,
                    label_en=label_en,
                    label_zh=label_zh,
                    weight=weight,
                    source=source,
                    order=order,
                )
            calls.question_add(
                call=call, actor=self.officer, text_en=QUESTION_EN, text_zh=QUESTION_ZH, kind="long_text"
            )
            for username in plan.reviewers:
                calls.reviewer_add(call=call, user=self.user(username), actor=self.officer)
            return call

        call = self.steps.take(f"Call “{plan.title_en}”", plan.created, create)
        if call is None:
            return None
        from meridian.mobility.models import Call

        Call.objects.filter(pk=call.pk).update(is_demo=True)
        self.steps.take(
            f"{call.number}: open",
            plan.opens,
            lambda: calls.call_move(call=call, actor=self.officer, move="open"),
            hour=9,
        )
        call.refresh_from_db()
        return call

    # --- applications, closing, the schools ---

    def submit(self, call: Any, applicants: list[Applicant]) -> list[Any]:
        return submit_in_bulk(call, applicants, call.questions.order_by("order", "id").first())

    def close(self, call: Any, day: date) -> None:
        from meridian.mobility.services.calls import calls_close_due

        closes = call.closes_at
        self.steps.take(
            f"{call.number}: close",
            day,
            lambda: calls_close_due(now=closes + timedelta(minutes=10)),
            hour=17,
        )

    def school(self, call: Any, applicants: list[Applicant], first: date, last: date) -> None:
        """Each school decides on its students' applications between ``first`` and ``last``: approved, or not
        eligible with the reasons the automatic check found."""
        days = max((last - first).days, 0)
        by_day: dict[date, list[Applicant]] = {}
        for applicant in applicants:
            school = self.school_of(applicant.student.unit)
            offset = sum(ord(c) for c in school) % (days + 1)
            by_day.setdefault(first + timedelta(days=offset), []).append(applicant)
        for day in sorted(by_day):

            def decide(group: list[Applicant] = by_day[day]) -> None:
                self.steps.each(group, self._decide, lambda a: f"{a.application.number}: school decision")

            self.steps.take(f"{call.number}: school decisions", day, decide, hour=14)

    def _decide(self, applicant: Applicant) -> None:
        from meridian.mobility.services.selection import school_decide

        application = applicant.application
        actor = self.user(SCHOOL_DECIDERS.get(self.school_of(applicant.student.unit), "demo-officer"))
        failed = [r["message"] for r in application.eligibility if r["outcome"] == "fail"]
        if failed:
            school_decide(application=application, actor=actor, move="reject", comment=" ".join(failed))
        else:
            school_decide(application=application, actor=actor, move="pre_approve")

    # --- the committee ---

    def conflict(self, call: Any, applicant: Applicant, day: date) -> None:
        from meridian.mobility.services.selection import conflict_declare

        reviewer = self.user(CONFLICT_REVIEWER)
        self.steps.take(
            f"{call.number}: conflict of interest",
            day,
            lambda: conflict_declare(
                application=applicant.application, reviewer=reviewer, reason=CONFLICT_REASON, actor=reviewer
            ),
            hour=9,
        )

    def reviews(self, call: Any, applicants: list[Applicant], first: date) -> None:
        """Each committee member scores every application approved by the school (their own day each)."""
        from meridian.mobility.models import ReviewConflict
        from meridian.mobility.services.selection import review_save

        conflicts = set(
            ReviewConflict.objects.filter(application__call=call).values_list("application", "reviewer")
        )
        codes = [c[0] for c in CRITERIA if c[4] == CriterionSource.REVIEWERS]
        for index, username in enumerate(REVIEWERS):
            reviewer = self.user(username)
            rng = random.Random(f"{call.number}-{username}")
            bias = (-0.5, 0.0, 0.4)[index % 3]

            def score(reviewer: Any = reviewer, rng: random.Random = rng, bias: float = bias) -> None:
                def one(applicant: Applicant) -> None:
                    points = {
                        code: int(min(max(round(applicant.quality * 10 + bias + rng.gauss(0, 1.1)), 2), 10))
                        for code in codes
                    }
                    review_save(
                        application=applicant.application, reviewer=reviewer, points=points, submit=True
                    )

                scored = [
                    a
                    for a in applicants
                    if a.application.state == A.PRE_APPROVED
                    and (a.application.pk, reviewer.pk) not in conflicts
                ]
                self.steps.each(
                    scored, one, lambda a: f"{a.application.number}: review by {reviewer.username}"
                )

            self.steps.take(f"{call.number}: reviews by {username}", first + timedelta(days=index), score)

    def refresh(self, applicants: list[Applicant]) -> None:
        from meridian.mobility.models import Application

        rows = Application.objects.in_bulk([a.application.pk for a in applicants])
        for applicant in applicants:
            applicant.application = rows[applicant.application.pk]

    def allocate(self, call: Any, rank_day: date, allocate_day: date) -> None:
        from meridian.mobility.services.allocation import allocation_run
        from meridian.mobility.services.selection import ranking_compute

        self.steps.take(
            f"{call.number}: ranking",
            rank_day,
            lambda: ranking_compute(call=call, actor=self.officer),
            hour=15,
        )
        self.steps.take(
            f"{call.number}: allocation",
            allocate_day,
            lambda: allocation_run(call=call, actor=self.officer),
            hour=10,
        )

    def publish(self, call: Any, day: date) -> None:
        from meridian.mobility.services.calls import call_move

        self.steps.take(
            f"{call.number}: results published",
            day,
            lambda: call_move(call=call, actor=self.officer, move="publish_results"),
            hour=9,
        )
        call.refresh_from_db()

    # --- the students' answers ---

    def answers(
        self,
        call: Any,
        *,
        first: date,
        last: date,
        plan: dict[int, tuple[str, date]],
        later: float = 0.5,
    ) -> dict[str, int]:
        """The students answer their offers: ``plan`` maps an application id to ("accept" or "decline", the
        last day to do it by), between ``first`` and ``last``; offers not in the plan stay open. Offers made
        from the waiting list after a decline are accepted a few days later with the share ``later`` (the
        rest stay open). Returns ``{"accepted", "declined", "reallocated"}``."""
        from meridian.mobility.models import Application
        from meridian.mobility.services.applications import offer_accept, offer_decline

        counts = {"accepted": 0, "declined": 0, "reallocated": 0}
        queue: list[tuple[date, int, int, str]] = []
        offered = Application.objects.filter(call=call, state=A.OFFERED).order_by("rank", "pk")
        seen: set[int] = set()
        for serial, application in enumerate(offered):
            seen.add(application.pk)
            if application.pk not in plan:
                continue
            what, by = plan[application.pk]
            span = max((min(by, last) - first).days, 0)
            day = first + timedelta(days=self.rng.randint(0, span))
            heapq.heappush(queue, (day, serial, application.pk, what))
        serial = 10_000
        while queue:
            day = queue[0][0]
            batch = []
            while queue and queue[0][0] == day:
                batch.append(heapq.heappop(queue))

            def act(batch: list = batch) -> list[int]:
                """The day's answers, each in its own savepoint; returns the offers made from the waiting
                list after the day's declines."""
                for _day, _serial, pk, what in batch:
                    application = Application.objects.select_related("student").get(pk=pk)
                    if application.state != A.OFFERED:
                        continue
                    student = application.student
                    try:
                        with transaction.atomic():
                            if what == "accept":
                                offer_accept(application=application, actor=student)
                            else:
                                reason = self.rng.choice(DECLINE_REASONS)
                                offer_decline(application=application, actor=student, comment=reason)
                    except refusals() as exc:
                        self.steps.notes.append(f"{application.number}: {what} refused — {message(exc)}")
                        continue
                    counts["accepted" if what == "accept" else "declined"] += 1
                return list(
                    Application.objects.filter(call=call, state=A.OFFERED)
                    .exclude(pk__in=seen)
                    .values_list("pk", flat=True)
                )

            new = self.steps.take(f"{call.number}: answers to offers", day, act, hour=self.rng.randint(9, 21))
            for pk in new or []:
                seen.add(pk)
                counts["reallocated"] += 1
                serial += 1
                if self.rng.random() < later:
                    answer_day = min(day + timedelta(days=self.rng.randint(1, 4)), last)
                    heapq.heappush(queue, (max(answer_day, day + timedelta(days=1)), serial, pk, "accept"))
        return counts

    def finish(self, call: Any, day: date) -> None:
        from meridian.mobility.services.calls import call_move

        self.steps.take(
            f"{call.number}: finished", day, lambda: call_move(call=call, actor=self.officer, move="finish")
        )

    # --- nomination and the partners' decisions ---

    def nominate(self, call: Any, partners: list[Any], day: date) -> dict[str, list[Any]]:
        from meridian.mobility.services.nominations import nominable_applications, nominate_for_partner

        nominated: dict[str, list[Any]] = {}
        for partner in partners:
            if not nominable_applications(call=call, partner=partner).exists():
                continue

            def nominate(partner: Any = partner) -> list[Any]:
                return nominate_for_partner(call=call, partner=partner, actor=self.officer)

            mobilities = self.steps.take(f"{call.number}: nomination to {partner.name_en}", day, nominate)
            if mobilities:
                from meridian.mobility.models import Mobility

                Mobility.objects.filter(pk__in=[m.pk for m in mobilities]).update(is_demo=True)
                nominated[partner.name_en] = mobilities
        return nominated

    def partner_decides(self, mobility: Any, actor: Any, move: str, day: date, comment: str = "") -> Any:
        from meridian.mobility.services.partner_portal import partner_decide

        return self.steps.take(
            f"{mobility.number}: {move} by the partner",
            day,
            lambda: partner_decide(mobility=mobility, actor=actor, move=move, comment=comment),
            hour=15,
        )


# --- the call open now -------------------------------------------------------------------------------------


def open_call_drafts(
    story: CallStory, call: Any, students: list[Any], destinations: list[Any], day: date
) -> list[Any]:
    """A few students start their applications to the open call (drafts, partly filled; one has uploaded
    their transcript)."""
    from meridian.demo.mobility_steps import pdf
    from meridian.mobility.models import Application
    from meridian.mobility.services.applications import (
        application_file_add,
        application_save,
        application_start,
    )

    made = []
    for index, student in enumerate(students):
        user = student.user

        def draft(user: Any = user, student: Any = student, index: int = index) -> Any:
            application = application_start(call=call, student=user)
            fields: dict[str, Any] = {"programme": student.programme, "year_of_study": 2}
            if index % 2 == 0:
                grade = Decimal("3.41") + Decimal(index) / 20
                fields.update({"grade_average": grade, "language": "en", "cefr_level": "B2"})
            application = application_save(
                application=application,
                actor=user,
                expected_version=application.version,
                fields=fields,
                preferences=destinations[index % len(destinations) :][:2] or destinations[:2],
            )
            if index == 0:
                application_file_add(
                    application=application, actor=user, kind="transcript", uploaded=pdf("transcript.pdf")
                )
            return application

        application = story.steps.take(
            f"Draft application of {user.username}", day - timedelta(days=index), draft, hour=20
        )
        if application is not None:
            Application.objects.filter(pk=application.pk).update(is_demo=True)
            made.append(application)
    return made
