"""The demo's students and their applications, made in bulk: a call with three hundred applicants is about
their number, not about how each one typed the form, so the accounts (one password hash for all), person
records and submitted applications with their preferences, documents, submission log and eligibility check
are written in a few queries. Everything after submission goes through the services (see
``mobility_calls``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from meridian.demo.mobility_data import (
    ANSWERS,
    CERTIFICATES,
    DEPARTMENT_LANGUAGE,
    FAMILY_NAMES,
    GIVEN_NAMES,
    MOTIVATIONS,
    OTHER_LANGUAGES,
    PROGRAMMES,
)
from meridian.demo.mobility_steps import pdf
from meridian.demo.organisation import EMAIL_DOMAIN, Organisation
from meridian.demo.visitors_steps import at

STUDENT_PREFIX = "demo-stu-"  # user names of the demo's students (demo-student is Liu Yang)
MEMBER_PREFIX = "DEMO-X"  # student numbers of their person records
DEMO_FILES = "mobility/applications/demo"  # the documents every bulk application shares
CEFR_DRAW = [("B1", 0.22), ("B2", 0.5), ("C1", 0.25), ("C2", 0.03)]


@dataclass
class Student:
    user: Any
    person: Any
    unit: Any
    programme: str
    department: str
    gender: int


@dataclass
class Applicant:
    """One applicant's declared data and the committee's view of them (``quality`` 0–1 drives the points)."""

    student: Student
    year_of_study: int
    grade: Decimal
    language: str
    cefr: str
    certificate: str
    clean_record: bool
    motivation: str
    answer: str
    preferences: list[Any]
    submitted: datetime
    quality: float
    application: Any = None


def _weighted(rng: random.Random, pairs: list[tuple[str, float]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class Students:
    """Makes the demo's students: accounts with the demo password (the hash of demo-student's, reused),
    a student membership of their department, and a person record kept for the "exchange" purpose."""

    def __init__(self, *, org: Organisation, rng: random.Random) -> None:
        self.org, self.rng = org, rng
        self.names = [(f, g) for f in FAMILY_NAMES for g in GIVEN_NAMES]
        rng.shuffle(self.names)
        self.used = 0
        self.index = 0

    def _next_index(self) -> int:
        from meridian.accounts.models import User

        if self.index == 0:
            taken = User.objects.filter(username__startswith=STUDENT_PREFIX).values_list(
                "username", flat=True
            )
            numbers = [int(n[len(STUDENT_PREFIX) :]) for n in taken if n[len(STUDENT_PREFIX) :].isdigit()]
            self.index = max(numbers, default=0)
        self.index += 1
        return self.index

    def make(self, count: int, *, departments: list[str] | None = None, joined: date) -> list[Student]:
        from meridian.accounts.choices import GrantAction, Role
        from meridian.accounts.models import Membership, RoleGrantRecord, User
        from meridian.mobility.services.incoming import exchange_purpose
        from meridian.people.choices import PersonKind
        from meridian.people.models import DataPurpose, Person
        from meridian.reference.models import Country

        password = self.org.users["demo-student"].password
        codes = list(PROGRAMMES)
        weights = [PROGRAMMES[c][0] for c in codes]
        china = Country.objects.filter(pk="CN").first()
        rows = []
        for number in range(count):
            department = departments[number] if departments else self.rng.choices(codes, weights)[0]
            (family, family_zh), (given, given_zh, gender) = self.names[self.used]
            self.used += 1
            index = self._next_index()
            username = f"{STUDENT_PREFIX}{index:03d}"
            rows.append((username, index, department, family, family_zh, given, given_zh, gender))
        users = User.objects.bulk_create(
            [
                User(
                    username=username,
                    email=f"{username}@{EMAIL_DOMAIN}",
                    first_name=given,
                    last_name=family,
                    display_name=f"{family_zh}{given_zh}",
                    preferred_language="zh-hans",
                    password=password,
                    date_joined=at(joined),
                )
                for username, _i, _d, family, family_zh, given, given_zh, _g in rows
            ]
        )
        units = self.org.units
        Membership.objects.bulk_create(
            [
                Membership(user=user, unit=units[row[2]], role=Role.STUDENT, granted_at=at(joined))
                for user, row in zip(users, rows, strict=True)
            ]
        )
        RoleGrantRecord.objects.bulk_create(
            [
                RoleGrantRecord(
                    action=GrantAction.GRANTED,
                    user=user,
                    username=user.username,
                    unit=units[row[2]],
                    unit_name=units[row[2]].name_en[:200],
                    role=Role.STUDENT,
                    at=at(joined),
                    note="Student record",
                )
                for user, row in zip(users, rows, strict=True)
            ]
        )
        persons = Person.objects.bulk_create(
            [
                Person(
                    user=user,
                    kind=PersonKind.STUDENT,
                    family_name=row[3],
                    given_name=row[5],
                    name_zh=f"{row[4]}{row[6]}",
                    gender=row[7],
                    birth_date=date(
                        2003 + self.rng.randint(0, 3), self.rng.randint(1, 12), self.rng.randint(1, 28)
                    ),
                    nationality=china,
                    unit=units[row[2]],
                    member_number=f"{MEMBER_PREFIX}{row[1]:05d}",
                    email=user.email,
                )
                for user, row in zip(users, rows, strict=True)
            ]
        )
        Person.objects.filter(pk__in=[p.pk for p in persons]).update(
            created_at=at(joined), updated_at=at(joined)
        )
        purpose = exchange_purpose()
        DataPurpose.objects.bulk_create([DataPurpose(person=p, purpose=purpose) for p in persons])
        DataPurpose.objects.filter(person__in=persons).update(collected_at=at(joined))
        return [
            Student(
                user=user,
                person=person,
                unit=units[row[2]],
                programme=PROGRAMMES[row[2]][1],
                department=row[2],
                gender=row[7],
            )
            for user, person, row in zip(users, persons, rows, strict=True)
        ]

    def existing(self, user: Any, department: str, gender: int, joined: date) -> Student:
        """A demo user who is a student already (demo-student), with a person record of the student
        exchange's own: the record linked to the account belongs to the official-travel demo, whose removal
        deletes it (an application would protect it)."""
        from meridian.mobility.services.incoming import exchange_purpose
        from meridian.people.choices import PersonKind
        from meridian.people.models import DataPurpose, Person
        from meridian.reference.models import Country

        unit = self.org.units[department]
        person = Person.objects.create(
            kind=PersonKind.STUDENT,
            family_name=user.last_name,
            given_name=user.first_name,
            name_zh=user.display_name,
            gender=gender,
            nationality=Country.objects.filter(pk="CN").first(),
            unit=unit,
            member_number=f"{MEMBER_PREFIX}{self._next_index():05d}",
            email=user.email,
        )
        Person.objects.filter(pk=person.pk).update(created_at=at(joined), updated_at=at(joined))
        DataPurpose.objects.create(person=person, purpose=exchange_purpose())
        return Student(
            user=user,
            person=person,
            unit=unit,
            programme=PROGRAMMES[department][1],
            department=department,
            gender=gender,
        )


# --- drawing applicants ------------------------------------------------------------------------------------


def draw_applicant(
    rng: random.Random,
    student: Student,
    destinations: list[Any],
    weights: dict[int, float],
    *,
    submitted: datetime,
    count: int | None = None,
    strong: bool = False,
) -> Applicant:
    """An applicant with realistic data: year 2 or 3 (a few in year 1), a grade average on a 4.0 scale around
    3.45, a language and CEFR level (their department's, else mostly English), 3–5 destinations ranked,
    mostly ones whose language requirement they meet."""
    language = "en"
    special = DEPARTMENT_LANGUAGE.get(student.department)
    if special and rng.random() < special[1]:
        language = special[0]
    else:
        for code, share in OTHER_LANGUAGES:
            if rng.random() < share:
                language = code
                break
    cefr = "C1" if strong else _weighted(rng, CEFR_DRAW)
    if language != "en" and cefr == "C2":
        cefr = "C1"
    grade = Decimal("3.86") if strong else Decimal(str(round(min(max(rng.gauss(3.45, 0.27), 2.55), 3.98), 2)))
    year = 3 if strong else rng.choices([1, 2, 3], weights=[2, 50, 48])[0]
    order = {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6}

    def fits(destination: Any) -> bool:
        if not destination.language:
            return True
        return destination.language == language and order[cefr] >= order.get(destination.min_cefr or "A1", 1)

    wanted = count or rng.choice([3, 3, 4, 4, 5])
    fitting = [d for d in destinations if fits(d)]
    pool = fitting if (rng.random() < 0.85 and len(fitting) >= wanted) else list(destinations)
    chosen: list[Any] = []
    candidates = list(pool)
    while candidates and len(chosen) < wanted:
        pick = rng.choices(candidates, weights=[weights.get(d.pk, 1.0) for d in candidates])[0]
        chosen.append(pick)
        candidates.remove(pick)
    quality = 0.97 if strong else min(max((float(grade) - 2.5) / 1.5 + rng.gauss(0, 0.15), 0.05), 0.99)
    return Applicant(
        student=student,
        year_of_study=year,
        grade=grade,
        language=language,
        cefr=cefr,
        certificate=CERTIFICATES.get(language, {}).get(cefr, ""),
        clean_record=rng.random() > 0.01,
        motivation=motivation(rng, chosen[0].partner.name_en if chosen else "", language),
        answer=rng.choice(ANSWERS),
        preferences=chosen,
        submitted=submitted,
        quality=quality,
    )


def motivation(rng: random.Random, partner: str, language: str) -> str:
    """A motivation letter's gist naming the first destination."""
    from django.utils import translation

    from meridian.mobility.selectors.conditions import language_label as language_name

    with translation.override("en"):
        name = language_name(language)
    return rng.choice(MOTIVATIONS).format(partner=partner, language=name)


# --- writing submitted applications -------------------------------------------------------------------------


def demo_files(kinds: list[str]) -> dict[str, tuple[str, int, str]]:
    """One stored document per kind that the bulk applications share: ``{kind: (name, size, sha256)}``."""
    import hashlib

    from meridian.mobility.models.base import private_storage

    storage = private_storage()
    stored = {}
    for kind in kinds:
        upload = pdf(f"{kind}.pdf", f"Demo {kind.replace('_', ' ')}")
        data = upload.read()
        name = f"{DEMO_FILES}/{kind}.pdf"
        if not storage.exists(name):
            name = storage.save(name, ContentFile(data))
        stored[kind] = (name, len(data), hashlib.sha256(data).hexdigest())
    return stored


def submit_in_bulk(call: Any, applicants: list[Applicant], question: Any) -> list[Any]:
    """Write ``applicants``' applications to ``call`` as submitted on their day: numbered like the service
    numbers them, with preferences, the required documents, the answer to ``question``, the submission in the
    case log and the automatic eligibility check (``services.selection.eligibility_check``)."""
    from django.contrib.contenttypes.models import ContentType

    from meridian.mobility import numbering
    from meridian.mobility.casework import APPLICATION
    from meridian.mobility.choices import ApplicationState
    from meridian.mobility.models import Application, ApplicationFile, ApplicationPreference
    from meridian.mobility.services.selection import eligibility_check
    from meridian.workflow.models import TransitionLog

    first = numbering.number_next(Application, prefix=numbering.APPLICATION, year=call.academic_year)
    head, sequence = first.rsplit("-", 1)
    start = int(sequence)
    applications = [
        Application(
            number=f"{head}-{start + index:05d}",
            call=call,
            student=a.student.user,
            person=a.student.person,
            unit=a.student.unit,
            programme=a.student.programme,
            year_of_study=a.year_of_study,
            grade_average=a.grade,
            language=a.language,
            cefr_level=a.cefr,
            language_certificate=a.certificate,
            clean_record=a.clean_record,
            motivation=a.motivation,
            answers={str(question.pk): a.answer} if question is not None else {},
            state=ApplicationState.SUBMITTED,
            state_changed_at=a.submitted,
            submitted_at=a.submitted,
            is_demo=True,
        )
        for index, a in enumerate(applicants)
    ]
    applications = Application.objects.bulk_create(applications)
    for application, applicant in zip(applications, applicants, strict=True):
        applicant.application = application
        application.call = call
        application.created_at = applicant.submitted - timedelta(days=2, hours=3)
        application.updated_at = applicant.submitted
        application.eligibility = eligibility_check(application=application, save=False)
        application.eligibility_checked_at = applicant.submitted
    Application.objects.bulk_update(
        applications, ["created_at", "updated_at", "eligibility", "eligibility_checked_at"], batch_size=500
    )
    ApplicationPreference.objects.bulk_create(
        [
            ApplicationPreference(application=application, destination=destination, rank=rank)
            for application, applicant in zip(applications, applicants, strict=True)
            for rank, destination in enumerate(applicant.preferences, start=1)
        ]
    )
    files = demo_files(list(call.required_documents or []))
    records = ApplicationFile.objects.bulk_create(
        [
            ApplicationFile(
                application=application,
                kind=kind,
                file=name,
                original_name=f"{kind}.pdf",
                content_type="application/pdf",
                size=size,
                sha256=digest,
                uploaded_by=application.student,
            )
            for application in applications
            for kind, (name, size, digest) in files.items()
        ]
    )
    when = {a.application.pk: a.submitted - timedelta(hours=2) for a in applicants}
    for record in records:
        record.uploaded_at = when[record.application_id]
    ApplicationFile.objects.bulk_update(records, ["uploaded_at"], batch_size=500)
    content_type = ContentType.objects.get_for_model(Application)
    TransitionLog.objects.bulk_create(
        [
            TransitionLog(
                content_type=content_type,
                object_id=application.pk,
                case_type=APPLICATION,
                action="submit",
                from_state=ApplicationState.DRAFT,
                to_state=ApplicationState.SUBMITTED,
                actor=application.student,
                at=applicant.submitted,
            )
            for application, applicant in zip(applications, applicants, strict=True)
        ]
    )
    return applications


def spread(rng: random.Random, count: int, first: date, last: date) -> list[datetime]:
    """``count`` submission times between ``first`` and ``last``, more towards the deadline, in order."""
    days = max((last - first).days, 1)
    times = []
    for _index in range(count):
        offset = int(days * (1 - rng.random() ** 1.8))
        day = first + timedelta(days=min(offset, days))
        times.append(
            timezone.make_aware(
                datetime(day.year, day.month, day.day, rng.randint(8, 22), rng.randint(0, 59))
            )
        )
    now = timezone.now()
    return sorted(min(t, now) for t in times)
