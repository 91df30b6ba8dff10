"""The demo foreign experts' hiring cases: each taken from the open position to its target state through the
experts services and the workflow engine, every dated step on its own day (``ExpertStory``). Used by
``meridian.demo.visitors``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from meridian.accounts.models import User
from meridian.demo.organisation import Organisation
from meridian.demo.visitors_data import ExpertSpec
from meridian.demo.visitors_steps import OFFICER, Marks, at, message, refusals


class ExpertStory:
    """Takes one hiring case from the open position to its target state, each dated step on its day."""

    def __init__(self, *, org: Organisation, today: date, notes: list[str]) -> None:
        self.org, self.today, self.notes = org, today, notes

    def days(self, s: ExpertSpec) -> dict[str, date]:
        """The day of each step: the permit applied for four months before the contract starts (three for a
        contract starting soon), entry ten days before, the residence permit five days after."""
        start = self.today + timedelta(days=s.starts)
        applied = start - timedelta(days=120 if s.starts > 100 or s.starts < 0 else 90)
        entered = start - timedelta(days=10 if s.starts < 0 else 2)
        if s.state == "arrived":
            entered = self.today - timedelta(days=12)
        return {
            "filed": min(self.today, applied - timedelta(days=40)),
            "candidate": min(self.today, applied - timedelta(days=30)),
            "qualified": min(self.today, applied - timedelta(days=10)),
            "applied": min(self.today, applied),
            "issued": min(self.today, applied + timedelta(days=30)),
            "visa": min(self.today, applied + timedelta(days=40)),
            "entered": entered,
            "residence": entered + timedelta(days=5),
            "employed": start,
        }

    def step(self, hiring, name: str, day: date, fn: Callable[[], Any]) -> bool:
        from meridian.visitors.casework_experts import evaluation_date

        marks = Marks()
        try:
            with transaction.atomic(), evaluation_date(day):
                fn()
        except refusals() as exc:
            self.notes.append(f"{hiring.number} ({hiring.position}): {name} refused — {message(exc)}")
            return False
        marks.stamp(hiring, day)
        _date_criteria(hiring, since=marks.started, day=day)
        return True

    def move(self, hiring, move: str, actor: User, data: dict | None = None, comment: str = "") -> None:
        from meridian.visitors.services.experts import expert_move

        hiring.refresh_from_db()
        expert_move(hiring=hiring, actor=actor, move=move, data=data, comment=comment)

    def documents(self, hiring, day: date, kinds: tuple[str, ...]) -> None:
        from meridian.visitors.services.experts import expert_document_add

        officer = self.org.users[OFFICER]
        for kind in kinds:
            expires = day + timedelta(days=180) if kind in ("criminal_record", "health_check") else None
            expert_document_add(
                hiring=hiring,
                actor=officer,
                kind=kind,
                received_on=day,
                expires_on=expires,
                note="Original seen by the International Office",
            )

    def run(self, s: ExpertSpec):
        from meridian.reference.models import Country
        from meridian.visitors.services.experts import (
            expert_change_report,
            expert_hiring_create,
            expert_person_create,
        )

        officer, supervisor = self.org.users[OFFICER], self.org.users[s.supervisor]
        unit = self.org.units[s.unit]
        d = self.days(s)
        start = self.today + timedelta(days=s.starts)
        from meridian.visitors.casework_experts import evaluation_date

        marks = Marks()  # the candidate's record is made the day the position is filed
        person = None
        if s.person is not None:
            family, given, zh, country, born, gender = s.person
            person = expert_person_create(
                actor=officer,
                host_unit=unit,
                allow_duplicate=True,
                family_name=family,
                given_name=given,
                name_zh=zh,
                gender=gender,
                birth_date=date(born, 3 + born % 9, 1 + born % 27),
                nationality=Country.objects.get(pk=country),
            )
        with evaluation_date(d["filed"]):
            hiring = expert_hiring_create(
                actor=officer,
                kind=s.kind,
                position=s.position,
                host_unit=unit,
                supervisor=supervisor,
                contract_starts_on=start,
                contract_ends_on=start + timedelta(days=s.length - 1),
                annual_salary=Decimal(s.salary),
                permit_category=s.category,
                degree=s.degree,
                experience_years=s.years,
                talent_programme=s.talent,
                duties=f"{s.position}: teaching and research in the host unit.",
            )
        marks.stamp(hiring, d["filed"], 9)
        _date_criteria(hiring, since=marks.started, day=d["filed"])
        target = s.state
        if target == "need":
            return hiring
        hiring.refresh_from_db()
        from meridian.visitors.services.experts import expert_hiring_update

        def choose() -> None:
            expert_hiring_update(hiring=hiring, actor=officer, expected_version=hiring.version, person=person)
            self.move(hiring, "choose_candidate", supervisor)
            kinds = (
                ("degree", "cv")
                if target == "candidate"
                else ("degree", "cv", "criminal_record", "health_check", "contract")
            )
            self.documents(hiring, d["candidate"], kinds)

        if not self.step(hiring, "candidate", d["candidate"], choose):
            return self.force(hiring, target)
        if target == "candidate":
            return hiring
        if target == "cancelled":
            if not self.step(
                hiring,
                "cancellation",
                min(self.today, d["candidate"] + timedelta(days=20)),
                lambda: self.move(hiring, "cancel", supervisor, comment=s.extra["reason"]),
            ):
                self.force(hiring, target)
            return hiring
        permit_ends = self.today + timedelta(days=s.permit_ends) if s.permit_ends is not None else None
        permit_ends = permit_ends or hiring.contract_ends_on
        steps: list[tuple[str, str, str, dict[str, Any], User]] = [
            ("qualified", "qualify", "qualified", {}, officer),
            ("permit_applied", "apply_permit", "applied", {"permit_applied_on": d["applied"]}, supervisor),
            (
                "permit_issued",
                "issue_permit",
                "issued",
                {
                    "permit_number": f"{start.year}{hiring.pk:06d}{s.category}",
                    "permit_issued_on": d["issued"],
                    "permit_expires_on": permit_ends,
                },
                supervisor,
            ),
            ("visa_notice", "visa_notice", "visa", {"visa_notice_on": d["visa"]}, supervisor),
            ("arrived", "arrive", "entered", {"entered_on": d["entered"]}, supervisor),
            (
                "residence_permit",
                "residence_permit",
                "residence",
                {"residence_permit_on": d["residence"], "residence_permit_expires_on": permit_ends},
                supervisor,
            ),
            ("employed", "employ", "employed", {"employed_on": d["employed"]}, supervisor),
        ]
        final = "employed" if target in ("employed", "renewal", "left") else target
        for state, move, day_key, data, actor in steps:
            if not self.step(hiring, move, d[day_key], partial(self.move, hiring, move, actor, data)):
                return self.force(hiring, target)
            if state == final:
                break
        if target == "renewal":
            day = self.today - timedelta(days=3)
            if not self.step(hiring, "renewal", day, lambda: self.move(hiring, "start_renewal", supervisor)):
                return self.force(hiring, target)
        if target == "left":
            left = self.today + timedelta(days=s.permit_ends or 0)
            if not self.step(
                hiring, "leaving", left, lambda: self.move(hiring, "leave", supervisor, {"left_on": left})
            ):
                return self.force(hiring, target)
        if "change" in s.extra:
            happened = self.today - timedelta(days=4)
            self.step(
                hiring,
                "change",
                self.today,
                lambda: expert_change_report(
                    hiring=hiring,
                    actor=supervisor,
                    kind="passport",
                    description=s.extra["change"],
                    happened_on=happened,
                ),
            )
        return hiring

    def force(self, hiring, target: str):
        from meridian.visitors.models import ExpertHiring

        ExpertHiring.objects.filter(pk=hiring.pk).update(state=target, state_changed_at=at(self.today, 12))
        self.notes.append(f"{hiring.number}: set to “{target}” directly.")
        return hiring


def _date_criteria(hiring, *, since: datetime, day: date) -> None:
    """The criteria results a step stored (``rules_experts.criteria_check`` dates them with the real day)
    read as checked on ``day``, the story's day of the step; results stored before ``since`` are left."""
    from meridian.visitors.models import ExpertHiring

    stored = ExpertHiring.objects.filter(pk=hiring.pk).values_list("criteria_results", flat=True).first()
    results: list[dict[str, Any]] = [r for r in stored or [] if isinstance(r, dict)]
    real = timezone.localdate(since).isoformat()
    if not any(r.get("checked_on") == real for r in results):
        return
    dated = [{**r, "checked_on": day.isoformat()} if r.get("checked_on") == real else r for r in results]
    ExpertHiring.objects.filter(pk=hiring.pk).update(criteria_results=dated)
    hiring.criteria_results = dated
