"""The demo's stays, through the mobility, learning-agreement, recognition and incoming services on the days
of the story: our students abroad with their learning agreements (approved by the student, our office and
the partner's coordinator; changed during the stay — approved, waiting, or rejected), one back with the
transcript converted and every course decided; and incoming students nominated by three partners, invited,
applying, accepted with their acceptance letter, and arrived and registered."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from meridian.demo.mobility_data import GERMAN_TABLE, Course, Incoming
from meridian.demo.mobility_steps import Steps, pdf
from meridian.demo.organisation import Organisation
from meridian.mobility.choices import ComponentChange, LearningAgreementState, MobilityType

L = LearningAgreementState


def row(course: Course, term: str, change: str = "", reason: str = "") -> dict[str, Any]:
    """A learning agreement row for an outgoing stay: the partner's course received, ours replaced."""
    return {
        "receiving_code": course.code,
        "receiving_title": course.title,
        "receiving_credits": course.credits,
        "receiving_credit_system": "ects",
        "receiving_term": term,
        "sending_code": course.home_code,
        "sending_title": course.home_title,
        "sending_credits": course.home_credits or None,
        "sending_credit_system": "cn",
        "change": change,
        "change_reason": reason,
    }


def as_row(course: Any, change: str = "", reason: str = "") -> dict[str, Any]:
    """An approved row as it was (for a change), or marked removed."""
    return {
        "receiving_code": course.receiving_code,
        "receiving_title": course.receiving_title,
        "receiving_credits": course.receiving_credits,
        "receiving_credit_system": course.receiving_credit_system,
        "receiving_term": course.receiving_term,
        "sending_code": course.sending_code,
        "sending_title": course.sending_title,
        "sending_credits": course.sending_credits,
        "sending_credit_system": course.sending_credit_system,
        "change": change,
        "change_reason": reason,
        "equivalence": course.equivalence_id,
    }


class StayStory:
    def __init__(self, *, org: Organisation, today: date, steps: Steps, coordinators: dict[str, Any]) -> None:
        self.org, self.today, self.steps = org, today, steps
        self.officer = org.users["demo-officer"]
        self.coordinators = coordinators

    def partner_user(self, mobility: Any) -> Any:
        return self.coordinators.get(mobility.partner.name_en)

    # --- planned dates, departure, return ---

    def planned(self, mobility: Any, start: date, end: date, months: Decimal, day: date) -> None:
        from meridian.mobility.services.mobilities import mobility_dates_update

        def update() -> None:
            mobility.refresh_from_db()
            mobility_dates_update(
                mobility=mobility,
                actor=self.officer,
                expected_version=mobility.version,
                planned_start=start,
                planned_end=end,
                months=months,
            )

        self.steps.take(f"{mobility.number}: planned dates", day, update)

    def move(self, mobility: Any, move: str, day: date, actor: Any = None, **data: Any) -> Any:
        from meridian.mobility.services.mobilities import mobility_move

        def take() -> Any:
            mobility.refresh_from_db()
            return mobility_move(mobility=mobility, actor=actor or self.officer, move=move, data=data or None)

        return self.steps.take(f"{mobility.number}: {move}", day, take)

    # --- learning agreements ---

    def agreement(
        self,
        mobility: Any,
        rows: list[dict[str, Any]],
        days: tuple[date, date, date, date],
        stop: str = L.APPROVED,
    ) -> Any:
        """The learning agreement before the stay: the student writes it (``days[0]``), signs and sends it
        (``days[1]``), our office approves (``days[2]``) and the partner's coordinator approves (``days[3]``),
        as far as ``stop`` (draft, submitted or approved)."""
        from meridian.mobility.services.learning import la_courses_save, la_create, la_submit

        student = mobility.student

        def write() -> Any:
            la = la_create(mobility=mobility, actor=student)
            return la_courses_save(
                learning_agreement=la, actor=student, expected_version=la.version, rows=rows
            )

        la = self.steps.take(f"{mobility.number}: learning agreement", days[0], write, hour=20)
        if la is None or stop == L.DRAFT:
            return la
        self.steps.take(
            f"{la}: signed by the student",
            days[1],
            lambda: la_submit(learning_agreement=la, actor=student),
            hour=21,
        )
        if stop == L.SUBMITTED:
            return la
        self.sign(la, self.officer, days[2])
        partner = self.partner_user(mobility)
        if partner is not None:
            self.sign(la, partner, days[3])
        la.refresh_from_db()
        return la

    def sign(self, la: Any, actor: Any, day: date) -> None:
        from meridian.mobility.services.learning import la_sign

        def signed() -> Any:
            la.refresh_from_db()
            return la_sign(learning_agreement=la, actor=actor)

        self.steps.take(f"{la}: approved by {actor.username}", day, signed, hour=11)

    def change(
        self,
        mobility: Any,
        added: Course,
        reason: str,
        days: tuple[date, ...],
        outcome: str,
        rejection: str = "",
    ) -> Any:
        """A change during the stay: the student removes the last approved course, adds ``added``
        (``days[0]``), signs and sends it (``days[1]``); then ``outcome``: "approved" (our office ``days[2]``,
        the partner ``days[3]``), "rejected" by the partner's coordinator (``days[3]``, ``rejection``), or
        "submitted" (approved by our office ``days[2]``, waiting for the partner)."""
        from meridian.mobility.services.learning import (
            la_change_create,
            la_courses_save,
            la_reject,
            la_submit,
        )

        student = mobility.student

        def write() -> Any:
            la = la_change_create(mobility=mobility, actor=student)
            approved = list(la.courses.order_by("order", "id"))  # the approved rows, copied unchanged
            rows = [as_row(c) for c in approved[:-1]]
            rows.append(as_row(approved[-1], ComponentChange.REMOVED, reason))
            rows.append(row(added, approved[0].receiving_term, ComponentChange.ADDED, reason))
            return la_courses_save(
                learning_agreement=la, actor=student, expected_version=la.version, rows=rows
            )

        la = self.steps.take(f"{mobility.number}: change of the learning agreement", days[0], write, hour=19)
        if la is None:
            return None
        self.steps.take(
            f"{la}: change signed by the student",
            days[1],
            lambda: la_submit(learning_agreement=la, actor=student),
            hour=20,
        )
        partner = self.partner_user(mobility)
        if outcome in ("approved", "submitted"):
            self.sign(la, self.officer, days[2])
        if outcome == "approved" and partner is not None:
            self.sign(la, partner, days[3])
        elif outcome == "rejected" and partner is not None:

            def reject() -> Any:
                la.refresh_from_db()
                return la_reject(learning_agreement=la, actor=partner, reason=rejection)

            self.steps.take(f"{la}: rejected by the partner", days[3], reject, hour=16)
        la.refresh_from_db()
        return la

    # --- back home: transcript, conversion, recognition ---

    def conversion_table(self, partner: Any, day: date) -> Any:
        from meridian.mobility.services.recognition import conversion_table_save

        rows = [
            {"partner_grade": partner_grade, "home_grade": home, "passing": partner_grade != "5.0"}
            for partner_grade, home in GERMAN_TABLE
        ]
        return self.steps.take(
            f"Grade conversion table of {partner.name_en}",
            day,
            lambda: conversion_table_save(
                partner=partner,
                actor=self.officer,
                rows=rows,
                name="German grades (1.0–5.0) to the 100-point scale",
                basis="table",
                home_scale="百分制 0–100, pass 60",
                valid_from=day,
            ),
        )

    def recognise(self, mobility: Any, grades: list[str], days: tuple[date, date, date, date]) -> None:
        """After the return: the transcript file (``days[0]``), the rows from the learning agreement with the
        grades, converted by the partner's table, and a decision on each course (``days[1]``, ``days[2]``),
        then the mobility is completed (``days[3]``)."""
        from meridian.mobility.services.recognition import (
            course_results_save,
            transcript_prefill,
            transcript_upload,
        )

        officer = self.officer
        self.steps.take(
            f"{mobility.number}: transcript",
            days[0],
            lambda: transcript_upload(
                mobility=mobility, actor=officer, uploaded_file=pdf("transcript-of-records.pdf", "Transcript")
            ),
        )
        self.steps.take(
            f"{mobility.number}: transcript rows",
            days[1],
            lambda: transcript_prefill(mobility=mobility, actor=officer),
        )

        def decide() -> Any:
            rows = []
            for result, grade in zip(mobility.results.order_by("id"), grades, strict=False):
                recognised = bool(result.home_title)
                rows.append(
                    {
                        "id": result.pk,
                        "partner_code": result.partner_code,
                        "partner_title": result.partner_title,
                        "credits": result.credits,
                        "credit_system": result.credit_system,
                        "partner_grade": grade,
                        "converted_grade": "",
                        "home_code": result.home_code,
                        "home_title": result.home_title,
                        "home_credits": result.home_credits,
                        "decision": "recognised" if recognised else "not_recognised",
                        "reason": ""
                        if recognised
                        else "A language course: on the transcript, no course of ours.",
                        "la_course": result.la_course_id,
                    }
                )
            return course_results_save(mobility=mobility, actor=officer, rows=rows)

        self.steps.take(f"{mobility.number}: recognition", days[2], decide)
        self.move(mobility, "complete", days[3])

    # --- incoming students ---

    def incoming(
        self,
        spec: Incoming,
        condition: Any,
        year: int,
        semester: str,
        days: dict[str, date],
        arrival: date,
    ) -> Any:
        """Take the incoming student as far as ``spec.target``: nominated by the partner's coordinator,
        invited by the office, the application completed by the student (with passport and documents),
        accepted with the acceptance letter, arrived and registered."""
        from meridian.mobility.models import Mobility
        from meridian.mobility.services.partner_portal import partner_nomination_create
        from meridian.reference.models import Country

        coordinator = self.coordinators.get(spec.partner)
        if coordinator is None or condition is None:
            self.steps.notes.append(
                f"Nomination of {spec.given_name} {spec.family_name}: no places or no coordinator"
            )
            return None
        nationality = Country.objects.get(pk=spec.nationality)
        email = f"{spec.given_name}.{spec.family_name}@students.example.org".lower()
        email = email.replace("í", "i").replace("á", "a")
        mobility = self.steps.take(
            f"Nomination of {spec.given_name} {spec.family_name}",
            days["nominated"],
            lambda: partner_nomination_create(
                actor=coordinator,
                condition=condition,
                academic_year=year,
                semester=semester,
                mobility_type=MobilityType.SEMESTER,
                family_name=spec.family_name,
                given_name=spec.given_name,
                email=email,
                birth_date=date.fromisoformat(spec.born),
                nationality=nationality,
                home_programme=spec.programme,
                eqf_level=6,
                isced_code=spec.isced,
                language="en",
                cefr_level="B2",
            ),
            hour=15,
        )
        if mobility is None:
            return None
        Mobility.objects.filter(pk=mobility.pk).update(is_demo=True)
        order = ["nominated", "invited", "applied", "accepted", "active"]
        reach = order.index(spec.target)
        if reach >= 1:
            self.move(mobility, "invite", days["invited"])
        if reach >= 2:
            self.apply(mobility, spec, nationality, days, arrival)
        if reach >= 3:
            self.planned(mobility, arrival, arrival + timedelta(days=140), Decimal("4.5"), days["accepted"])
            self.move(mobility, "accept", days["accepted"])
        if reach >= 4:
            self.move(mobility, "start", arrival, actual_start=arrival)
            registered = arrival + timedelta(days=2)

            def register() -> Any:
                from meridian.mobility.services.mobilities import mobility_registration_record

                mobility.refresh_from_db()
                return mobility_registration_record(
                    mobility=mobility, actor=self.officer, registered_on=registered
                )

            self.steps.take(f"{mobility.number}: registration", registered, register, hour=16)
        mobility.refresh_from_db()
        return mobility

    def apply(
        self, mobility: Any, spec: Incoming, nationality: Any, days: dict[str, date], arrival: date
    ) -> None:
        """The student sets their password through the invitation, fills in the application with their
        passport and documents, and sends it."""
        from django.utils import timezone

        from meridian.accounts.models import User
        from meridian.mobility.models import Mobility
        from meridian.mobility.services.incoming import (
            incoming_application_save,
            incoming_application_send,
            invitation_accept,
        )
        from meridian.people.consent import CURRENT_VERSION

        demo_password = self.org.users["demo-student"].password

        def account() -> Any:
            mobility.refresh_from_db()
            user = invitation_accept(
                mobility=mobility, nonce=mobility.invitation_nonce, password=secrets.token_urlsafe(16)
            )
            User.objects.filter(pk=user.pk).update(password=demo_password)  # signs in with the demo password
            return user

        user = self.steps.take(
            f"{mobility.number}: account set up", days["applied"] - timedelta(days=3), account, hour=19
        )
        if user is None:
            return
        # The form refuses an arrival before the day it is saved; a stay under way was planned earlier.
        planned = max(arrival, timezone.localdate())
        born = date.fromisoformat(spec.born)

        def save() -> Any:
            mobility.refresh_from_db()
            return incoming_application_save(
                mobility=mobility,
                actor=user,
                expected_version=mobility.version,
                consent_version=CURRENT_VERSION,
                ip=None,
                person_fields={
                    "family_name": spec.family_name,
                    "given_name": spec.given_name,
                    "gender": spec.gender,
                    "birth_date": born,
                    "nationality": nationality,
                },
                passport={
                    "number": f"{spec.nationality}{secrets.randbelow(10**7):07d}",
                    "expiry_date": arrival + timedelta(days=5 * 365),
                    "issuing_country": nationality,
                    "issue_date": arrival - timedelta(days=400),
                },
                fields={
                    "home_programme": spec.programme,
                    "eqf_level": 6,
                    "isced_code": spec.isced,
                    "language": "en",
                    "cefr_level": "B2",
                    "motivation": "A semester in China, with Chinese lessons beside my courses.",
                    "accommodation_needed": True,
                    "planned_arrival": planned,
                },
                uploads={
                    "passport": pdf("passport.pdf", "Passport"),
                    "transcript": pdf("transcript.pdf", "Transcript of records"),
                    "language": pdf("language-certificate.pdf", "Language certificate"),
                },
            )

        self.steps.take(
            f"{mobility.number}: application filled in", days["applied"] - timedelta(days=1), save, hour=21
        )

        def send() -> Any:
            mobility.refresh_from_db()
            return incoming_application_send(mobility=mobility, actor=user)

        self.steps.take(f"{mobility.number}: application sent", days["applied"], send, hour=22)
        if planned != arrival:
            Mobility.objects.filter(pk=mobility.pk).update(planned_arrival=arrival)
