"""Demo student exchange: cooperation conditions on the demo's exchange agreements (outgoing and incoming,
for this academic year and the next) with forty and more university partners, factsheets, and the partner
portal's people (demo-partner, Heidelberg's coordinator, with a viewer colleague; coordinators at Tokyo and
Barcelona); then three calls and the stays that came of them:

- the call of the next academic year's autumn semester: 300 applicants across 40 destinations (1–3 places
  each, about 80 in all), 3–5 ranked preferences each, some not eligible, scored by a committee of three
  (one conflict of interest declared), ranked, allocated and published; offers accepted, declined (the
  places re-allocated to the waiting list) and still open — demo-student (Liu Yang) has one to answer; the
  students who accepted nominated to four partners: one accepted by Heidelberg (its learning agreement in
  draft), documents requested by Tokyo, the others waiting;
- this academic year's call, finished: its students abroad now, with learning agreements approved, changed
  (approved — the old version superseded —, waiting for the coordinators, rejected), and one back from a
  short programme with the transcript converted by the partner's grade table and every course decided;
- a summer-school call open now (the public Exchange Programmes pages and the student portal show it), with
  a few students' drafts;
- incoming students nominated by three partners: nominated, invited, applied, accepted with the acceptance
  letter, and arrived and registered.

Every step goes through the context's services on its own day of the story (``casework.evaluation_date``)
and is dated that day; the applications of the big call are written in bulk (``mobility_students``) and go
through the services from the schools' decisions on. Where a service refuses a step, the story goes on
without it and the reason is kept in ``MobilitySummary.notes`` (and logged as a warning).

Idempotent like the rest of the demo: nothing is added when demo calls exist; ``remove_mobility`` deletes what
it built (the student exchange agreements it added stay with the demo's agreements).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from meridian.demo.mobility_calls import CallPlan, CallStory, open_call_drafts, weekday
from meridian.demo.mobility_data import (
    BARCELONA,
    CHANGES,
    COURSES,
    HEIDELBERG,
    INCOMING,
    NEW_AGREEMENT_PARTNERS,
    PARTNER_ACCOUNTS,
    POPULAR,
    SHORT_COURSES,
    SUMMER_SCHOOLS,
    TOKYO,
)
from meridian.demo.mobility_places import PlacesBuilder, academic_year_of
from meridian.demo.mobility_stays import StayStory, row
from meridian.demo.mobility_steps import Steps, note_all
from meridian.demo.mobility_students import (
    DEMO_FILES,
    MEMBER_PREFIX,
    STUDENT_PREFIX,
    Applicant,
    Students,
    draw_applicant,
    motivation,
    spread,
)
from meridian.demo.organisation import Organisation
from meridian.demo.visitors_steps import quiet_pdf_progress
from meridian.mobility.choices import ApplicationState, LearningAgreementState, MobilityType, Semester

logger = logging.getLogger("meridian.demo.mobility")

SEED = "meridian-mobility-demo"
APPLICANTS = 300
TOTAL_PLACES = 80
A = ApplicationState


@dataclass
class MobilitySummary:
    calls: int = 0
    applications: int = 0
    destinations: int = 0
    places: int = 0
    partners_with_places: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    mobilities: int = 0
    learning_agreements: dict[str, int] = field(default_factory=dict)
    incoming: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Calendar:
    """The story's days, relative to ``today``: the academic year now (``year``) and the next one; the
    start of the semester under way (``stay``: 15 September or 20 February, at least two weeks ago) with its
    academic year and semester; and the semester incoming students are nominated for next."""

    today: date

    def __post_init__(self) -> None:
        t = self.today
        self.year = academic_year_of(t)
        self.next_year = self.year + 1
        starts = [date(y, m, d) for y in (t.year - 1, t.year) for m, d in ((2, 20), (9, 15))]
        self.stay = max(s for s in starts if s <= t - timedelta(days=14))
        if self.stay.month == 9:
            self.stay_year, self.stay_semester = self.stay.year, Semester.AUTUMN
        else:
            self.stay_year, self.stay_semester = self.stay.year - 1, Semester.SPRING
        if t.month >= 9:
            self.next_in = (t.year, Semester.SPRING, date(t.year + 1, 2, 22))
        else:
            self.next_in = (t.year, Semester.AUTUMN, date(t.year, 9, 12))


def build_mobility(*, org: Organisation, today: date) -> MobilitySummary:
    """Build the demo's student exchange (see the module docstring); does nothing when demo calls exist."""
    from meridian.mobility.models import Call

    if Call.objects.filter(is_demo=True).exists():
        return MobilitySummary()
    with quiet_pdf_progress():
        return _build(org=org, today=today)


def _destination_places(names: list[str]) -> dict[str, int]:
    """Places per destination: 3 at the partners students ask for most (Heidelberg among them), 2 at Tokyo
    and Barcelona, 2 or 1 elsewhere, about ``TOTAL_PLACES`` in all."""
    places = {name: 3 if name in POPULAR else 2 for name in names}
    places.update({n: v for n, v in ((TOKYO, 2), (BARCELONA, 2)) if n in places})
    for name in reversed(names):
        if sum(places.values()) <= TOTAL_PLACES:
            break
        if name not in POPULAR and name not in (TOKYO, BARCELONA):
            places[name] = 1
    return places


def _build(*, org: Organisation, today: date) -> MobilitySummary:
    from meridian.mobility.models import Call, CooperationCondition

    summary = MobilitySummary()
    notes = summary.notes
    rng = random.Random(SEED)
    steps = Steps(notes)
    days = Calendar(today)

    # --- places ---
    builder = PlacesBuilder(org=org, today=today, rng=rng, steps=steps)
    builder.agreements(story_years={days.stay_year, days.year}, next_year=days.next_year)
    builder.contacts()
    places = builder.places
    destination_places = _destination_places(places.destinations)
    incoming_plan = _incoming_plan(days)
    nominations: dict[tuple[str, int, str], date] = {}
    for spec, (year, semester, when, _arrival) in incoming_plan:
        key = (
            spec.partner,
            year,
            "autumn" if semester in (Semester.AUTUMN, Semester.FULL_YEAR) else "spring",
        )
        nominations[key] = max(nominations.get(key, when["nominated"]), when["nominated"])
    builder.conditions(
        years=sorted({days.stay_year, days.year, days.next_year}),
        next_year=days.next_year,
        places=destination_places,
        extra=[(HEIDELBERG, MobilityType.SHORT_PROGRAMME, days.stay_year, 2)]
        + [(name, MobilityType.SUMMER_SCHOOL, days.year, 4) for name in SUMMER_SCHOOLS],
        nominations=nominations,
    )
    CooperationCondition.objects.filter(pk__in=[c.pk for c in places.conditions.values()]).update(
        is_demo=True
    )
    builder.factsheets()

    students = Students(org=org, rng=rng)
    story = CallStory(org=org, today=today, rng=rng, steps=steps)
    stays = StayStory(org=org, today=today, steps=steps, coordinators=places.coordinators)

    # --- this year's call, its students abroad now ---
    _current_call(story, stays, students, places, days, rng)
    # --- incoming students ---
    for spec, (year, semester, when, arrival) in incoming_plan:
        condition = places.condition(spec.partner, "incoming", MobilityType.SEMESTER, year)
        stays.incoming(spec, condition, year, semester, when, arrival)
    # --- next year's call ---
    big, answers = _next_call(story, stays, students, places, destination_places, days, rng)
    # --- the summer schools, open now ---
    story.refresh([a for a in big if a.application is not None])
    waitlisted = [a for a in big if a.application is not None and a.application.state == A.WAITLISTED]
    _open_call(story, places, days, [a.student for a in waitlisted[:4]])

    _sync_clocks(today)
    from meridian.mobility.models import Application, LearningAgreement, Mobility

    calls = Call.objects.filter(is_demo=True)
    summary.calls = calls.count()
    summary.applications = Application.objects.filter(call__in=calls).exclude(state=A.DRAFT).count()
    next_call = calls.filter(academic_year=days.next_year, semester=Semester.AUTUMN).first()
    if next_call is not None:
        summary.destinations = next_call.destinations.count()
        summary.places = sum(next_call.destinations.values_list("places", flat=True))
    summary.partners_with_places = (
        CooperationCondition.objects.filter(is_demo=True).values("partner").distinct().count()
    )
    summary.answers = answers
    mobilities = Mobility.objects.filter(is_demo=True)
    summary.mobilities = mobilities.count()
    summary.incoming = mobilities.filter(direction="incoming").count()
    for state in LearningAgreement.objects.filter(mobility__in=mobilities).values_list("state", flat=True):
        summary.learning_agreements[state] = summary.learning_agreements.get(state, 0) + 1
    note_all(notes)
    return summary


# --- the stories --------------------------------------------------------------------------------------------


def _incoming_plan(days: Calendar) -> list[tuple[Any, tuple[int, str, dict[str, date], date]]]:
    """Each incoming student with the academic year, semester, days of their steps and arrival."""
    t, s = days.today, days.stay
    plan: list[tuple[Any, tuple[int, str, dict[str, date], date]]] = []
    year, semester, arrival = days.next_in
    for spec in INCOMING:
        if spec.season == "current":
            when = {
                "nominated": s - timedelta(days=150),
                "invited": s - timedelta(days=147),
                "applied": s - timedelta(days=130),
                "accepted": s - timedelta(days=120),
            }
            plan.append((spec, (days.stay_year, days.stay_semester, when, s - timedelta(days=2))))
            continue
        offsets = {
            "accepted": (45, 42, 30, 20),
            "applied": (35, 33, 6, 0),
            "invited": (25, 21, 0, 0),
            "nominated": (3, 0, 0, 0),
        }[spec.target]
        when = {
            name: t - timedelta(days=offset)
            for name, offset in zip(("nominated", "invited", "applied", "accepted"), offsets, strict=True)
        }
        plan.append((spec, (year, semester, when, arrival)))
    return plan


def _current_call(
    story: CallStory, stays: StayStory, students: Students, places, days: Calendar, rng
) -> list:
    """This academic year's call: nine applicants, six places at the three portal partners (one a short
    programme), all accepted and nominated; the partners accept; learning agreements and stays follow."""
    from meridian.clocks.calendar import add_working_days

    s = days.stay
    semester_label = dict(Semester.choices)[days.stay_semester]
    season_zh = "秋季" if days.stay_semester == Semester.AUTUMN else "春季"
    wanted = [
        (HEIDELBERG, MobilityType.SEMESTER, 2),
        (HEIDELBERG, MobilityType.SHORT_PROGRAMME, 1),
        (TOKYO, MobilityType.SEMESTER, 2),
        (BARCELONA, MobilityType.SEMESTER, 1),
    ]
    destinations = []
    for name, kind, count in wanted:
        condition = places.condition(name, "outgoing", kind, days.stay_year)
        if condition is not None:
            destinations.append((condition, count))
    if not destinations:
        story.steps.notes.append("This year's call: no places at the portal partners")
        return []
    year = days.stay_year
    plan = CallPlan(
        title_en=f"Exchange semester abroad {year}/{year + 1}, {semester_label.lower()}",
        title_zh=f"{year}—{year + 1}学年{season_zh}学期校际交换生选拔",
        description_en="Study for a semester (or a short programme) at a partner university; tuition waived.",
        description_zh="赴合作院校交换学习一学期（或参加短期项目），免学费。",
        year=year,
        semester=days.stay_semester,
        created=s - timedelta(days=250),
        opens=s - timedelta(days=245),
        closes=s - timedelta(days=205),
        destinations=destinations,
        offer_days=10,
    )
    call = story.file(plan)
    if call is None:
        return []
    rows = {(d.partner.name_en, d.mobility_type): d for d in call.destinations.select_related("partner")}
    story_students = students.make(
        9,
        departments=[
            "software",
            "ai",
            "software",
            "economics-dept",
            "business",
            "english",
            "mechanical",
            "physics",
            "international-law",
        ],
        joined=s - timedelta(days=900),
    )
    firsts = [
        (HEIDELBERG, MobilityType.SEMESTER, "en"),
        (HEIDELBERG, MobilityType.SEMESTER, "en"),
        (HEIDELBERG, MobilityType.SHORT_PROGRAMME, "en"),
        (TOKYO, MobilityType.SEMESTER, "en"),
        (TOKYO, MobilityType.SEMESTER, "en"),
        (BARCELONA, MobilityType.SEMESTER, "es"),
        (HEIDELBERG, MobilityType.SEMESTER, "en"),
        (TOKYO, MobilityType.SEMESTER, "en"),
        (HEIDELBERG, MobilityType.SHORT_PROGRAMME, "en"),
    ]
    times = spread(rng, 9, plan.opens, plan.closes)
    applicants = []
    for index, (student, (name, kind, language), when) in enumerate(
        zip(story_students, firsts, times, strict=True)
    ):
        first = rows.get((name, kind))
        others = [d for d in rows.values() if d is not first and (d.language in ("", language))]
        applicant = draw_applicant(
            rng, student, [first, *others] if first else others, {}, submitted=when, count=2
        )
        applicant.preferences = [first, *others[:1]] if first else others[:2]
        applicant.motivation = motivation(rng, applicant.preferences[0].partner.name_en, language)
        applicant.language, applicant.cefr = language, "B2" if language != "en" else "C1"
        applicant.certificate = "DELE B2" if language == "es" else "IELTS 7.0"
        applicant.year_of_study, applicant.clean_record = 2, True
        applicant.grade = Decimal("3.7") - Decimal(index) / 20 if index < 6 else Decimal("3.1")
        applicant.quality = 0.9 - index * 0.03 if index < 6 else 0.3
        applicants.append(applicant)
    story.submit(call, applicants)
    story.close(call, plan.closes)
    story.school(call, applicants, plan.closes + timedelta(days=3), plan.closes + timedelta(days=5))
    story.refresh(applicants)
    story.reviews(call, applicants, plan.closes + timedelta(days=8))
    story.allocate(call, plan.closes + timedelta(days=11), plan.closes + timedelta(days=12))
    publish = weekday(plan.closes + timedelta(days=15))
    story.publish(call, publish)
    publicity_end = add_working_days(publish, 5)
    story.refresh(applicants)
    accept = {a.application.pk: ("accept", publish + timedelta(days=6)) for a in applicants}
    story.answers(call, first=publish + timedelta(days=1), last=publish + timedelta(days=6), plan=accept)
    story.finish(call, publicity_end + timedelta(days=1))
    partners = [places.partners[n] for n in (HEIDELBERG, TOKYO, BARCELONA) if n in places.partners]
    nominated = story.nominate(call, partners, publicity_end + timedelta(days=3))
    decided = publicity_end + timedelta(days=10)
    mobilities = []
    for name, batch in nominated.items():
        coordinator = places.coordinators.get(name)
        for index, mobility in enumerate(batch):
            if coordinator is not None:
                story.partner_decides(mobility, coordinator, "accept", decided + timedelta(days=index * 2))
            mobility.refresh_from_db()
            mobilities.append(mobility)
    _stays(stays, mobilities, days)
    return mobilities


def _stays(stays: StayStory, mobilities: list, days: Calendar) -> None:
    """The learning agreements and stays of this year's students (by partner and mobility type)."""
    s, t = days.stay, days.today
    term = "Winter semester" if days.stay_semester == Semester.AUTUMN else "Summer semester"
    before = (
        s - timedelta(days=120),
        s - timedelta(days=117),
        s - timedelta(days=112),
        s - timedelta(days=108),
    )
    seen: dict[tuple[str, str], int] = {}
    for mobility in mobilities:
        if mobility.state != "accepted":
            continue
        name = mobility.partner.name_en
        key = (name, mobility.mobility_type)
        seen[key] = seen.get(key, 0) + 1
        short = mobility.mobility_type == MobilityType.SHORT_PROGRAMME
        if short:
            start, end = t - timedelta(days=95), t - timedelta(days=35)
            stays.planned(mobility, start, end, Decimal("2.0"), before[0] - timedelta(days=5))
            stays.agreement(mobility, [row(c, "Summer school") for c in SHORT_COURSES], before)
            stays.move(mobility, "start", start, actual_start=start)
            stays.conversion_table(mobility.partner, t - timedelta(days=40))
            stays.move(mobility, "end", end, actual_end=end)
            stays.recognise(
                mobility,
                ["1.7", "2.3"],
                (
                    t - timedelta(days=20),
                    t - timedelta(days=18),
                    t - timedelta(days=15),
                    t - timedelta(days=12),
                ),
            )
            continue
        start, end = s, s + timedelta(days=150)
        stays.planned(mobility, start, end, Decimal("5.0"), before[0] - timedelta(days=5))
        stays.agreement(mobility, [row(c, term) for c in COURSES.get(name, [])], before)
        stays.move(mobility, "start", start, actual_start=start)
        if name not in CHANGES:
            continue
        added, reason = CHANGES[name]
        if name == HEIDELBERG and seen[key] == 1:  # changed and approved: the version before is superseded
            change_days = tuple(s + timedelta(days=n) for n in (21, 22, 25, 27))
            stays.change(mobility, added, reason, change_days, "approved")
        elif name == HEIDELBERG:  # approved by our office, waiting for the partner's coordinator
            change_days = tuple(t - timedelta(days=n) for n in (6, 4, 2, 0))
            stays.change(mobility, added, reason, change_days, "submitted")
        elif name == BARCELONA:  # rejected by the partner
            stays.change(
                mobility,
                added,
                reason,
                tuple(t - timedelta(days=n) for n in (14, 12, 11, 10)),
                "rejected",
                rejection="Latin American Narrative is full; choose another literature course.",
            )


def _next_call(story, stays, students, places, destination_places, days: Calendar, rng):
    """The call of the next academic year's autumn semester: 300 applicants, the whole selection, answers,
    nominations to four partners and the partners' first decisions."""
    from meridian.clocks.calendar import add_working_days
    from meridian.mobility.models import Application

    t = days.today
    year = days.next_year
    destinations = []
    for name in places.destinations:
        condition = places.condition(name, "outgoing", MobilityType.SEMESTER, year)
        if condition is not None and name in destination_places:
            destinations.append((condition, destination_places[name]))
    publish = weekday(t - timedelta(days=30))
    publicity_end = add_working_days(publish, 5)
    offer_days = min(max((t + timedelta(days=6) - publicity_end).days, 7), 60)
    plan = CallPlan(
        title_en=f"Exchange semester abroad {year}/{year + 1}, autumn semester",
        title_zh=f"{year}—{year + 1}学年秋季学期校际交换生选拔",
        description_en=(
            "Apply for a semester at one of our partner universities in autumn. Rank up to five "
            "destinations; places are allocated by your score and your preferences. Tuition is waived at the "
            "partner."
        ),
        description_zh="申请秋季学期赴合作院校交换学习。最多可填报五个志愿，按综合成绩和志愿顺序分配名额，合作院校免收学费。",
        year=year,
        semester=Semester.AUTUMN,
        created=t - timedelta(days=100),
        opens=t - timedelta(days=95),
        closes=t - timedelta(days=55),
        destinations=destinations,
        offer_days=offer_days,
    )
    call = story.file(plan)
    if call is None:
        return [], {}
    rows = list(call.destinations.select_related("partner").order_by("id"))
    weights = {d.pk: 4.0 if d.partner.name_en in POPULAR else 1.0 for d in rows}
    pool = students.make(APPLICANTS - 1, joined=t - timedelta(days=800))
    times = spread(rng, APPLICANTS, plan.opens, plan.closes)
    applicants: list[Applicant] = [
        draw_applicant(rng, student, rows, weights, submitted=when)
        for student, when in zip(pool, times, strict=False)
    ]
    # demo-student (Liu Yang, software engineering) ranks a partner of the new agreements first.
    liu = students.existing(story.user("demo-student"), "software", gender=1, joined=t - timedelta(days=800))
    english = [d for d in rows if d.language in ("", "en")]
    later = [d for d in english if d.partner.name_en in NEW_AGREEMENT_PARTNERS[3:]] or english
    firsts = [later[0], *[d for d in english if d.partner.name_en in (HEIDELBERG, "ETH Zurich")][:2]]
    liu_applicant = draw_applicant(rng, liu, rows, weights, submitted=times[-1], strong=True)
    liu_applicant.preferences = list(dict.fromkeys([*firsts, *english]))[:4]
    liu_applicant.motivation = motivation(rng, liu_applicant.preferences[0].partner.name_en, "en")
    applicants.append(liu_applicant)
    story.submit(call, applicants)
    story.close(call, plan.closes)
    story.school(call, applicants, plan.closes + timedelta(days=2), plan.closes + timedelta(days=8))
    story.refresh(applicants)
    conflicted = next(
        (
            a
            for a in applicants
            if a.student.department == "mechanical" and a.application.state == A.PRE_APPROVED
        ),
        None,
    )
    if conflicted is not None:
        story.conflict(call, conflicted, plan.closes + timedelta(days=10))
    story.reviews(call, applicants, plan.closes + timedelta(days=11))
    story.allocate(call, plan.closes + timedelta(days=15), plan.closes + timedelta(days=17))
    story.publish(call, publish)
    # The answers: at the partners nominated first every student accepts before the nomination; elsewhere
    # most accept, some decline (their places go to the waiting list), some have not answered yet.
    nominate_day = weekday(max(publicity_end + timedelta(days=2), t - timedelta(days=9)))
    nominated_partners = [HEIDELBERG, TOKYO, BARCELONA, "ETH Zurich"]
    plan_answers: dict[int, tuple[str, date]] = {}
    last = t - timedelta(days=2)
    for application in Application.objects.filter(call=call, state=A.OFFERED).select_related(
        "offered__partner"
    ):
        if application.offered is None or application.student_id == liu.user.pk:
            continue
        partner = application.offered.partner.name_en
        if partner in nominated_partners:
            plan_answers[application.pk] = ("accept", nominate_day - timedelta(days=1))
            continue
        draw = rng.random()
        if draw < 0.55:
            plan_answers[application.pk] = ("accept", last)
        elif draw < 0.65:
            plan_answers[application.pk] = ("decline", last - timedelta(days=4))
    answers = story.answers(call, first=publish + timedelta(days=1), last=last, plan=plan_answers)
    partners = [places.partners[n] for n in nominated_partners if n in places.partners]
    nominated = story.nominate(call, partners, nominate_day)
    if TOKYO in nominated and TOKYO in places.coordinators:
        story.partner_decides(
            nominated[TOKYO][0],
            places.coordinators[TOKYO],
            "request_documents",
            t - timedelta(days=5),
            comment="Please send the transcript with course descriptions in English and a passport copy.",
        )
    if HEIDELBERG in nominated and HEIDELBERG in places.coordinators:
        mobility = story.partner_decides(
            nominated[HEIDELBERG][0], places.coordinators[HEIDELBERG], "accept", t - timedelta(days=3)
        )
        if mobility is not None:
            winter = "Winter semester"
            stays.agreement(
                mobility,
                [row(c, winter) for c in COURSES[HEIDELBERG][:2]],
                (t - timedelta(days=1), t, t, t),
                stop=LearningAgreementState.DRAFT,
            )
    return applicants, answers


def _open_call(story: CallStory, places, days: Calendar, drafters: list) -> None:
    """The summer schools of this academic year, open now, with a few drafts."""
    t = days.today
    year = days.year
    destinations = []
    for name in SUMMER_SCHOOLS:
        condition = places.condition(name, "outgoing", MobilityType.SUMMER_SCHOOL, year)
        if condition is not None:
            destinations.append((condition, 4))
    if not destinations:
        story.steps.notes.append("Summer school call: no summer school places")
        return
    plan = CallPlan(
        title_en=f"Summer schools {year + 1}",
        title_zh=f"{year + 1}年暑期学校项目选拔",
        description_en="Three to four weeks of courses and culture at a partner university in July.",
        description_zh="七月赴合作院校参加三至四周的暑期课程与文化活动。",
        year=year,
        semester=Semester.SUMMER,
        created=t - timedelta(days=20),
        opens=t - timedelta(days=14),
        closes=t + timedelta(days=30),
        destinations=destinations,
        offer_days=7,
        required=["transcript"],
        max_preferences=2,
        min_year=1,
        reviewers=["demo-director"],
        criteria=[
            ("grades", "Grade average", "学业成绩", 50, "grades"),
            ("motivation", "Motivation", "申请动机", 50, "reviewers"),
        ],
    )
    call = story.file(plan)
    if call is None:
        return
    rows = list(call.destinations.order_by("id"))
    open_call_drafts(story, call, drafters, rows, t - timedelta(days=1))


def _sync_clocks(today: date) -> None:
    """Open the offer-answer clocks now (the hourly job would)."""
    from meridian.clocks.services import clocks_sync
    from meridian.mobility.deadlines_selection import OFFER_RULE

    clocks_sync(today=today, rule=OFFER_RULE)


# --- removal ------------------------------------------------------------------------------------------------


@transaction.atomic
def remove_mobility() -> None:
    """Delete the demo's calls (with their applications, reviews and allocation runs), mobilities (with
    their learning agreements, transcripts, files, letters and clocks), cooperation conditions, factsheets,
    grade tables and course catalogue of the demo partners, the partner contacts it linked to portal
    accounts, and its students (accounts and person records, incoming students' too). Runs before the demo
    partners and users go: applications and mobilities protect them."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from meridian.clocks.models import Obligation
    from meridian.core.models import Activity, Notification
    from meridian.documents.models import GeneratedDocument
    from meridian.mobility.models import (
        Application,
        ApplicationFile,
        Call,
        CooperationCondition,
        CourseEquivalence,
        GradeConversionTable,
        LearningAgreement,
        LearningAgreementCourse,
        Mobility,
        MobilityFile,
        PartnerFactsheet,
        private_storage,
    )
    from meridian.partners.models import PartnerContact
    from meridian.people.models import DocumentScan, Person

    calls = Call.objects.filter(is_demo=True)
    applications = Application.objects.filter(Q(is_demo=True) | Q(call__in=calls))
    mobilities = Mobility.objects.filter(Q(is_demo=True) | Q(application__in=applications))
    call_ids = list(calls.values_list("pk", flat=True))
    application_ids = list(applications.values_list("pk", flat=True))
    mobility_ids = list(mobilities.values_list("pk", flat=True))
    las = LearningAgreement.objects.filter(mobility_id__in=mobility_ids)
    la_ids = list(las.values_list("pk", flat=True))
    condition_ids = list(CooperationCondition.objects.filter(is_demo=True).values_list("pk", flat=True))
    incoming = Mobility.objects.filter(pk__in=mobility_ids, direction="incoming")
    person_ids = set(incoming.values_list("person_id", flat=True))
    account_ids = set(incoming.exclude(student=None).values_list("student_id", flat=True))
    person_ids |= set(
        Person.objects.filter(member_number__startswith=MEMBER_PREFIX).values_list("pk", flat=True)
    )
    partner_ids = set(mobilities.values_list("partner_id", flat=True))
    tables = GradeConversionTable.objects.filter(partner__is_demo=True, name__startswith="German grades")
    subjects = (
        (Call, call_ids),
        (Application, application_ids),
        (Mobility, mobility_ids),
        (LearningAgreement, la_ids),
        (GradeConversionTable, list(tables.values_list("pk", flat=True))),
    )
    for model, ids in subjects:
        ref = {"content_type": ContentType.objects.get_for_model(model), "object_id__in": ids}
        Obligation.objects.filter(**ref).delete()
        Activity.objects.filter(**ref).delete()
        Notification.objects.filter(**ref).delete()
        for document in GeneratedDocument.objects.filter(**ref):
            document.file.delete(save=False)
            document.delete()
    storage = private_storage()
    shared = set()
    for upload in ApplicationFile.objects.filter(application_id__in=application_ids):
        if (upload.file.name or "").startswith(DEMO_FILES):
            shared.add(upload.file.name or "")
        else:
            upload.file.delete(save=False)
    for record in MobilityFile.objects.filter(mobility_id__in=mobility_ids):
        record.file.delete(save=False)
    for scan in DocumentScan.objects.filter(document__person_id__in=person_ids).exclude(file=""):
        scan.file.delete(save=False)
    equivalences = set(
        LearningAgreementCourse.objects.filter(learning_agreement_id__in=la_ids)
        .exclude(equivalence=None)
        .values_list("equivalence_id", flat=True)
    )
    las.update(previous=None)
    las.delete()
    mobilities.delete()
    applications.delete()
    calls.delete()
    for name in shared - {""}:
        storage.delete(name)
    used = set(
        LearningAgreementCourse.objects.filter(equivalence_id__in=equivalences).values_list(
            "equivalence_id", flat=True
        )
    )
    CourseEquivalence.objects.filter(pk__in=equivalences - used).delete()
    tables.delete()
    CooperationCondition.objects.filter(pk__in=condition_ids).delete()
    PartnerFactsheet.objects.filter(
        partner__is_demo=True, partner_id__in=partner_ids | _factsheet_partners()
    ).delete()
    PartnerContact.objects.filter(user__username__in=list(PARTNER_ACCOUNTS)).delete()
    Person.objects.filter(pk__in=person_ids).delete()
    users = get_user_model().objects.filter(Q(username__startswith=STUDENT_PREFIX) | Q(pk__in=account_ids))
    users.delete()


def _factsheet_partners() -> set[int]:
    from meridian.demo.mobility_data import FACTSHEETS
    from meridian.partners.models import Partner

    return set(
        Partner.objects.filter(is_demo=True, name_en__in=list(FACTSHEETS)).values_list("pk", flat=True)
    )
