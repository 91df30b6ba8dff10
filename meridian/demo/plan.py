"""The demo agreements, planned in memory first so that partner statuses can follow from them.

Everything here is pure: a seeded `random.Random`, the list of partner facts and a reference date in,
a list of plans out. The builder then creates the records through the services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from meridian.agreements.choices import AgreementState, AgreementType, Channel
from meridian.demo.partners_data import Fact
from meridian.demo.vocabulary import CONSORTIA, DESCRIPTIONS, TEXT_LANGUAGE, TITLES, TOPICS

S = AgreementState
T = AgreementType
EUROPE = {
    "DE",
    "FR",
    "IT",
    "ES",
    "NL",
    "SE",
    "FI",
    "DK",
    "NO",
    "BE",
    "AT",
    "IE",
    "PT",
    "PL",
    "CZ",
    "CH",
    "GB",
}

KINDS_FOR: dict[str, list[str]] = {
    "university": [T.STUDENT_EXCHANGE] * 4
    + [T.MOU] * 3
    + [T.STAFF_EXCHANGE] * 2
    + [T.JOINT_EDUCATION] * 2
    + [T.RESEARCH] * 2
    + [T.ADVANCED_TRAINING, T.CONFERENCE, T.OTHER],
    "research_institute": [T.RESEARCH] * 3 + [T.JOINT_LAB] * 2 + [T.MOU, T.CONFERENCE],
    "enterprise": [T.JOINT_LAB] * 2 + [T.RESEARCH, T.ADVANCED_TRAINING, T.OTHER],
    "government": [T.GOVERNMENT] * 3 + [T.MOU, T.ADVANCED_TRAINING],
    "international_organisation": [T.CONFERENCE] * 2 + [T.MOU, T.ADVANCED_TRAINING, T.GOVERNMENT],
    "foundation": [T.RESEARCH] * 2 + [T.OTHER, T.ADVANCED_TRAINING],
    "hospital": [T.ADVANCED_TRAINING] * 2 + [T.RESEARCH, T.JOINT_EDUCATION],
}
CHANNELS_FOR: dict[str, list[str]] = {
    T.MOU: [Channel.STUDENT_EXCHANGE, Channel.RESEARCH],
    T.STUDENT_EXCHANGE: [Channel.STUDENT_EXCHANGE],
    T.STAFF_EXCHANGE: [Channel.STAFF_EXCHANGE],
    T.JOINT_EDUCATION: [Channel.JOINT_EDUCATION, Channel.STUDENT_EXCHANGE],
    T.RESEARCH: [Channel.RESEARCH],
    T.JOINT_LAB: [Channel.JOINT_LAB, Channel.RESEARCH],
    T.ADVANCED_TRAINING: [Channel.ADVANCED_TRAINING],
    T.CONFERENCE: [Channel.CONFERENCE],
    T.GOVERNMENT: [Channel.GOVERNMENT],
    T.ERASMUS_IIA: [Channel.STUDENT_EXCHANGE, Channel.STAFF_EXCHANGE],
    T.OTHER: [Channel.CULTURAL, Channel.RECRUITMENT],
}
# Schools that usually look after each kind ("" = the International Office).
UNITS_FOR: dict[str, list[str]] = {
    T.MOU: ["", "", ""],
    T.STUDENT_EXCHANGE: ["", "", "engineering", "computing", "economics", "languages"],
    T.STAFF_EXCHANGE: ["", "humanities", "languages", "science"],
    T.JOINT_EDUCATION: ["engineering", "computing", "economics", "law", "medicine"],
    T.RESEARCH: ["engineering", "computing", "science", "medicine"],
    T.JOINT_LAB: ["engineering", "computing", "science"],
    T.ADVANCED_TRAINING: ["", "engineering", "economics"],
    T.CONFERENCE: ["", "science", "humanities"],
    T.GOVERNMENT: [""],
    T.ERASMUS_IIA: ["", "languages", "engineering"],
    T.OTHER: ["", "languages"],
}
STATE_WEIGHTS = [
    (S.ACTIVE, 50),
    (S.EXPIRED, 13),
    (S.TERMINATED, 5),
    (S.RENEWED, 8),
    (S.DRAFT, 8),
    (S.UNDER_REVIEW, 6),
    (S.APPROVED, 5),
]


@dataclass
class AgreementPlan:
    key: int
    partners: list[int]  # indexes into the list of partner facts
    kind: str
    channels: list[str]
    state: str
    unit: str  # school code, or "" for the International Office
    start: date | None
    end: date | None
    title_en: str
    title_zh: str
    description: str = ""
    languages: str = "en,zh"
    auto_renew: bool = False
    notice_days: int | None = None
    umbrella: int | None = None  # key of the umbrella plan
    successor_state: str | None = None  # for renewed agreements: where the successor ends up
    comment: str = ""
    extra: dict = field(default_factory=dict)


def _years(start: date, years: int) -> date:
    return start + timedelta(days=round(365.25 * years))


def _dates(rng: random.Random, state: str, today: date, kind: str) -> tuple[date | None, date | None]:
    years = rng.choice([3, 4, 5, 5]) if kind != T.ERASMUS_IIA else rng.choice([2, 3])
    if state in (S.DRAFT, S.UNDER_REVIEW, S.APPROVED):
        start = today + timedelta(days=rng.randint(20, 200))
        return start, _years(start, years)
    if state == S.EXPIRED:
        end = today - timedelta(days=rng.randint(10, 1400))
        return _years(end, -years), end
    if state == S.RENEWED:
        end = today + timedelta(days=rng.randint(-200, 45))
        return _years(end, -years), end
    start = today - timedelta(days=rng.randint(60, 1600))
    end = _years(start, years)
    if end <= today + timedelta(days=30):
        end = today + timedelta(days=rng.randint(100, 900))
    if kind == T.MOU and rng.random() < 0.25:
        end = None  # open-ended framework agreements
    return start, end


def _title(kind: str, fact: Fact, rng: random.Random, subject: tuple[str, str]) -> tuple[str, str]:
    topic = rng.choice(TOPICS)
    en, zh = TITLES[kind]
    values = {
        "p": fact.name_en,
        "pz": fact.name_zh or fact.name_en,
        "s": subject[0],
        "sz": subject[1],
        "t": topic[0],
        "tz": topic[1],
    }
    return en.format(**values), zh.format(**values)


def plan_agreements(
    *, rng: random.Random, facts: list[Fact], today: date, subjects: dict[str, tuple[str, str]]
) -> list[AgreementPlan]:
    """About 220 agreements: bilateral ones per partner, addenda to umbrella MoUs, multilateral consortia."""
    plans: list[AgreementPlan] = []
    states, weights = zip(*STATE_WEIGHTS, strict=True)

    def add(plan_partners: list[int], kind: str, state: str, **extra) -> AgreementPlan:
        fact = facts[plan_partners[0]]
        unit = extra.pop("unit", None)
        if unit is None:
            unit = "medicine" if fact.kind == "hospital" else rng.choice(UNITS_FOR[kind])
        start, end = extra.pop("dates", None) or _dates(rng, state, today, kind)
        title_en, title_zh = extra.pop("titles", None) or _title(
            kind, fact, rng, subjects.get(unit or "engineering")
        )
        local = TEXT_LANGUAGE.get(fact.country)
        plan = AgreementPlan(
            key=len(plans),
            partners=plan_partners,
            kind=kind,
            channels=list(extra.pop("channels", None) or CHANNELS_FOR[kind]),
            state=state,
            unit=unit,
            start=start,
            end=end,
            title_en=title_en,
            title_zh=title_zh,
            description=DESCRIPTIONS[kind].format(n=rng.choice([2, 4, 5, 6, 10])),
            languages="en,zh" + (f",{local}" if local and rng.random() < 0.4 else ""),
            **extra,
        )
        if kind == T.ERASMUS_IIA or len(plan_partners) > 2:
            # Erasmus+ agreements and consortium agreements are written in English only.
            plan.languages = "en"
        if plan.end is not None and rng.random() < 0.2:
            plan.auto_renew, plan.notice_days = True, rng.choice([90, 180])
        plans.append(plan)
        return plan

    for index, fact in enumerate(facts):
        roll = rng.random()
        if roll < 0.07:
            continue  # a prospect: no agreement yet
        count = 2 if fact.kind == "university" and roll > 0.88 else 1
        kinds = list(KINDS_FOR[fact.kind])
        if fact.kind == "university" and fact.country in EUROPE and fact.country != "GB":
            kinds += [T.ERASMUS_IIA] * 3
        for kind in rng.sample(kinds, k=min(count, len(set(kinds)))):
            state = rng.choices(states, weights=weights)[0]
            channels = list(CHANNELS_FOR[kind])
            if kind == T.MOU:
                channels = rng.sample(Channel.values, k=rng.randint(2, 4))
            plan = add([index], kind, state, channels=channels)
            if state == S.RENEWED:
                plan.successor_state = rng.choices([S.ACTIVE, S.DRAFT, S.UNDER_REVIEW], weights=[8, 1, 1])[0]
            if state == S.TERMINATED:
                plan.comment = rng.choice(
                    [
                        "The partner closed the programme.",
                        "Replaced by a university-wide agreement.",
                        "No exchanges took place for three years.",
                    ]
                )

    # Umbrella MoUs with addenda, for a few universities.
    universities = [i for i, f in enumerate(facts) if f.kind == "university"]
    for index in rng.sample(universities, k=8):
        fact = facts[index]
        start = today - timedelta(days=rng.randint(900, 2500))
        umbrella = add(
            [index], T.MOU, S.ACTIVE, dates=(start, None), unit="", channels=rng.sample(Channel.values, k=3)
        )
        for number in range(1, rng.randint(2, 3) + 1):
            kind = rng.choice([T.STUDENT_EXCHANGE, T.RESEARCH, T.JOINT_EDUCATION, T.STAFF_EXCHANGE])
            a_start = start + timedelta(days=200 * number)
            a_state = S.ACTIVE if number < 3 else S.DRAFT
            a_start = a_start if a_state == S.ACTIVE else today + timedelta(days=60)
            titles = (
                f"Addendum No. {number} to the Memorandum of Understanding with {fact.name_en}",
                f"与{fact.name_zh or fact.name_en}合作谅解备忘录补充协议（第{number}号）",
            )
            a_end = _years(a_start, 5)
            if a_end <= today:
                a_end = today + timedelta(days=rng.randint(200, 1200))
            add([index], kind, a_state, umbrella=umbrella.key, dates=(a_start, a_end), titles=titles)

    # Multilateral agreements.
    by_name = {f.name_en: i for i, f in enumerate(facts)}
    for title_en, title_zh, kind, channels, state, names in CONSORTIA:
        members = [by_name[n] for n in names if n in by_name]
        add(members, kind, state, channels=channels, titles=(title_en, title_zh), unit="")

    _make_some_expire_soon(plans, rng, today)
    _ensure_coverage(plans, rng, today)
    return plans


def _make_some_expire_soon(plans: list[AgreementPlan], rng: random.Random, today: date) -> None:
    """Every sixth active bilateral agreement ends within 90 days: reminders and the dashboard have work."""
    active = [
        p for p in plans if p.state == S.ACTIVE and p.umbrella is None and len(p.partners) == 1 and p.end
    ]
    for plan in active[::6]:
        plan.end = today + timedelta(days=rng.randint(5, 88))


def _ensure_coverage(plans: list[AgreementPlan], rng: random.Random, today: date) -> None:
    """Whatever the seed, every state, type and channel appears at least once."""
    bilateral = [p for p in plans if p.umbrella is None and len(p.partners) == 1 and p.kind != T.MOU]
    present_states = {p.state for p in plans}
    for state in S.values:
        if state not in present_states:
            donor = next(p for p in bilateral if p.state == S.ACTIVE)
            donor.state = state
            donor.start, donor.end = _dates(rng, state, today, donor.kind)
            if state == S.RENEWED:
                donor.successor_state = S.ACTIVE
    present_kinds = {p.kind for p in plans}
    for kind in T.values:
        if kind not in present_kinds:
            donor = bilateral[len(bilateral) // 2 + T.values.index(kind)]
            donor.kind, donor.channels = kind, list(CHANNELS_FOR[kind])
    present_channels = {c for p in plans for c in p.channels}
    for channel in Channel.values:
        if channel not in present_channels:
            next(p for p in plans if p.kind == T.MOU).channels.append(channel)
