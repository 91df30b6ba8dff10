"""The stories of the demo visitors, written down as data: visits (one per state, an official delegation of
five), their guests, the lectures on the public calendar and the foreign experts' hiring cases.

Days are offsets from the demo's "today"; partners are named by their English name in ``partners_data``;
units by their code in ``organisation``; people by their demo user name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --- visits -----------------------------------------------------------------------------------------------


@dataclass
class GuestSpec:
    """A guest: names (Latin and Chinese), nationality, standing and post, gender (ISO 5218), year of birth,
    and what they did with their self-service link: "" (no link), "link" (sent, not filled), "entered",
    "locked" (entered and checked by the office)."""

    family: str
    given: str
    zh: str
    country: str
    rank: str
    position: str
    gender: int = 1
    born: int = 1970
    head: bool = False
    data: str = ""


@dataclass
class VisitSpec:
    """A demo visit: its target state, who hosts and files it, the guests' organisation, the kind of visit,
    its dates (arrival in days from today, days hosted counting both ends) and what the story needs: the
    approval step it waits at, a referral to a university leader, guests left unregistered."""

    state: str
    title: str
    unit: str
    host: str
    filer: str
    partner: str
    category: str
    purpose: str
    arrive: int
    days: int
    guests: list[GuestSpec]
    invitation: str = "none"
    accommodation: str = "hotel"
    address: str = ""
    wait_at: str = ""
    escalate: bool = False
    unregistered: int = 0  # guests (from the last) whose accommodation registration is left open
    comment: str = ""  # why a visit was rejected or cancelled
    outcomes: str = ""
    follow_up: str = ""
    programme: list[tuple[str, str]] = field(default_factory=list)  # (kind, activity) for the middle days


GUEST_HOUSE = "Meridian University International Guest House, 8 Ziwu Road"
LEADER_STEP, OFFICE_STEP, UNIT_STEP = "University leader", "International Office", "Leader of the host unit"

VISITS: list[VisitSpec] = [
    VisitSpec(
        "draft", "Robotics summer school planning", "mechanical", "demo-staff", "demo-staff",
        "Technical University of Munich", "visiting_scholar",
        "Plan a joint robotics summer school and give a guest lecture on legged locomotion.",
        75, 4,
        [GuestSpec("Bauer", "Lukas", "卢卡斯·鲍尔", "DE", "professor", "Professor of Robotics")],
        invitation="letter", accommodation="on_campus", address=GUEST_HOUSE,
        programme=[("lecture", "Guest lecture: legged locomotion"), ("meeting", "Summer school planning")],
    ),
    VisitSpec(
        "under_review", "Smart grid laboratory visit", "electrical", "demo-secretary", "demo-secretary",
        "RWTH Aachen University", "general",
        "Visit the smart grid laboratory and discuss a joint doctoral supervision scheme.",
        45, 3,
        [
            GuestSpec("Hoffmann", "Katrin", "卡特琳·霍夫曼", "DE", "director", "Head of the Institute for "
                      "Power Systems", gender=2, born=1968, head=True),
            GuestSpec("Schulz", "Jan", "扬·舒尔茨", "DE", "professor", "Senior researcher", born=1983),
        ],
        wait_at=UNIT_STEP,
        programme=[("lab_visit", "Smart grid laboratory")],
    ),
    VisitSpec(
        "under_review", "Rector's delegation on physics cooperation", "science", "demo-dean-science",
        "demo-officer", "Lomonosov Moscow State University", "official_delegation",
        "Official delegation led by the vice-rector: sign the cooperation agreement on theoretical physics "
        "and plan a joint institute.",
        100, 4,
        [
            GuestSpec("Petrov", "Sergei", "谢尔盖·彼得罗夫", "RU", "vice_minister", "Vice-Rector for "
                      "International Affairs", born=1962, head=True),
            GuestSpec("Ivanova", "Elena", "叶莲娜·伊万诺娃", "RU", "director", "Dean of the Faculty of "
                      "Physics", gender=2, born=1966),
            GuestSpec("Smirnov", "Dmitry", "德米特里·斯米尔诺夫", "RU", "professor", "Professor of "
                      "Theoretical Physics", born=1971),
            GuestSpec("Kuznetsova", "Anna", "安娜·库兹涅佐娃", "RU", "other", "Head of the International "
                      "Office", gender=2, born=1979),
            GuestSpec("Volkov", "Pavel", "帕维尔·沃尔科夫", "RU", "other", "Interpreter", born=1990),
        ],
        invitation="letter", wait_at=OFFICE_STEP,
        programme=[("signing", "Signing of the cooperation agreement"), ("lab_visit", "Physics labs")],
    ),
    VisitSpec(
        "under_review", "Negotiation of a double degree in software engineering", "software",
        "demo-dean-computing", "demo-officer", "The University of Tokyo", "negotiation",
        "Negotiate the double-degree programme in software engineering; referred to a university leader by "
        "the International Office because the programme admits students from the next autumn.",
        35, 3,
        [
            GuestSpec("Tanaka", "Hiroshi", "田中宏", "JP", "director", "Dean of the Graduate School of "
                      "Information Science", born=1964, head=True),
            GuestSpec("Sato", "Yui", "佐藤唯", "JP", "professor", "Associate Professor", gender=2, born=1985),
        ],
        wait_at=LEADER_STEP, escalate=True,
        programme=[("meeting", "Negotiation of the double-degree programme")],
    ),
    VisitSpec(
        "approved", "Lectures on bridge engineering", "civil", "demo-staff", "demo-secretary",
        "University of Cambridge", "visiting_scholar",
        "Give a lecture series on long-span bridges and examine a doctoral thesis.",
        40, 5,
        [
            GuestSpec("Clarke", "Oliver", "奥利弗·克拉克", "GB", "professor", "Professor of Structural "
                      "Engineering", born=1969, head=True, data="entered"),
            GuestSpec("Evans", "Charlotte", "夏洛特·埃文斯", "GB", "other", "Research associate", gender=2,
                      born=1990, data="link"),
        ],
        invitation="letter", accommodation="on_campus", address=GUEST_HOUSE,
        programme=[("lecture", "Lecture series: long-span bridges"), ("meeting", "Thesis examination")],
    ),
    VisitSpec(
        "invitation_issued", "Lectures on computational linguistics", "russian", "demo-dean-languages",
        "demo-officer", "Saint Petersburg State University", "visiting_scholar",
        "A week of lectures on corpus linguistics for the Department of Russian.",
        30, 5,
        [GuestSpec("Sokolov", "Andrei", "安德烈·索科洛夫", "RU", "professor", "Professor of Computational "
                   "Linguistics", born=1974, data="locked")],
        invitation="letter", accommodation="on_campus", address=GUEST_HOUSE,
        programme=[("lecture", "Lecture: corpus linguistics"), ("meeting", "Joint publication plan")],
    ),
    VisitSpec(
        "visa_confirmed", "Lecture visit on power electronics", "electrical", "demo-staff", "demo-secretary",
        "Imperial College London", "visiting_scholar",
        "Lecture on wide-bandgap power electronics and plan a student exchange.",
        10, 4,
        [GuestSpec("Patel", "Ravi", "拉维·帕特尔", "GB", "professor", "Reader in Power Electronics",
                   born=1978, data="locked")],
        invitation="letter", accommodation="on_campus", address=GUEST_HOUSE,
        programme=[("lecture", "Lecture: wide-bandgap power electronics"), ("lab_visit", "Power lab")],
    ),
    VisitSpec(
        "arrived", "Joint laboratory on additive manufacturing", "mechanical", "demo-staff", "demo-staff",
        "Bauman Moscow State Technical University", "visiting_scholar",
        "Set up the joint laboratory on additive manufacturing; seminars with doctoral students.",
        -2, 6,
        [
            GuestSpec("Morozov", "Alexei", "阿列克谢·莫罗佐夫", "RU", "professor", "Head of the Department "
                      "of Laser Technologies", born=1967, head=True, data="locked"),
            GuestSpec("Orlova", "Maria", "玛丽亚·奥尔洛娃", "RU", "other", "Research engineer", gender=2,
                      born=1992, data="locked"),
        ],
        invitation="letter", accommodation="on_campus", address=GUEST_HOUSE, unregistered=1,
        programme=[("lab_visit", "Additive manufacturing laboratory"), ("lecture", "Doctoral seminar")],
    ),
    VisitSpec(
        "hosted", "Workshop on trustworthy AI", "ai", "demo-dean-computing", "demo-officer",
        "Seoul National University", "conference_guest",
        "Keynote and panel at the workshop on trustworthy AI.",
        -8, 4,
        [
            GuestSpec("Kim", "Minjun", "金敏俊", "KR", "professor", "Professor of Computer Science",
                      born=1975, head=True),
            GuestSpec("Lee", "Seoyeon", "李瑞妍", "KR", "other", "Doctoral student", gender=2, born=1997),
        ],
        programme=[("lecture", "Keynote: trustworthy AI"), ("meeting", "Panel discussion")],
    ),
    VisitSpec(
        "closed", "Materials science partnership visit", "mechanical", "demo-staff", "demo-staff",
        "Heidelberg University", "negotiation",
        "Agree the joint supervision scheme in materials science and visit the laboratories.",
        -60, 5,
        [
            GuestSpec("Becker", "Thomas", "托马斯·贝克尔", "DE", "director", "Dean of the Faculty of "
                      "Chemistry and Earth Sciences", born=1965, head=True, data="locked"),
            GuestSpec("Wagner", "Julia", "尤丽娅·瓦格纳", "DE", "professor", "Professor of Materials "
                      "Science", gender=2, born=1976, data="locked"),
        ],
        invitation="letter", accommodation="on_campus", address=GUEST_HOUSE,
        outcomes="Joint supervision scheme for doctoral students in materials science agreed; two laboratory "
        "exchanges planned for the spring semester.",
        follow_up="Draft the joint supervision agreement by the end of next month; host a return visit.",
        programme=[("signing", "Joint supervision scheme"), ("lab_visit", "Materials laboratories")],
    ),
    VisitSpec(
        "rejected", "Conference on emerging markets", "economics-dept", "demo-dean-economics",
        "demo-officer", "HSE University", "conference_guest",
        "Two speakers for the conference on emerging markets.",
        50, 3,
        [GuestSpec("Lebedev", "Nikolai", "尼古拉·列别杰夫", "RU", "professor", "Professor of Economics",
                   born=1972)],
        invitation="letter",
        comment="The conference was moved online; the guests can take part remotely.",
        programme=[("lecture", "Conference talk")],
    ),
    VisitSpec(
        "cancelled", "Visit on green chemistry", "chemistry", "demo-dean-science", "demo-officer",
        "The University of Melbourne", "general",
        "Discuss a joint project on green chemistry.",
        20, 3,
        [GuestSpec("Nguyen", "Emma", "艾玛·阮", "AU", "professor", "Professor of Chemistry", gender=2,
                   born=1980)],
        comment="The guest postponed the visit to next year.",
        programme=[("meeting", "Green chemistry project")],
    ),
]  # fmt: skip


# --- lectures ---------------------------------------------------------------------------------------------


@dataclass
class LectureSpec:
    """A lecture of a demo visit (by its title) given by the visit's first guest ``day`` days after the
    visit's arrival; ``review``: "approved" (then published), "pending" (submitted, waiting), "" (no review:
    not public, published)."""

    visit: str
    day: int
    hour: int
    title_en: str
    title_zh: str
    abstract_en: str
    abstract_zh: str
    place_en: str
    place_zh: str
    review: str = "approved"
    is_public: bool = True


LECTURES: list[LectureSpec] = [
    LectureSpec(
        "Lectures on computational linguistics", 1, 14,
        "Corpus linguistics and the Russian National Corpus", "语料库语言学与俄语国家语料库",
        "How a national corpus is built and what it tells about language change.",
        "国家语料库的建设方法及其揭示的语言变化。",
        "Foreign Languages Building, Room 301", "外国语学院楼301室",
    ),
    LectureSpec(
        "Lecture visit on power electronics", 1, 15,
        "Wide-bandgap semiconductors in power electronics", "宽禁带半导体在电力电子中的应用",
        "Silicon carbide and gallium nitride devices and what they change for converters.",
        "碳化硅与氮化镓器件及其对变换器设计的影响。",
        "Library lecture hall", "图书馆报告厅",
    ),
    LectureSpec(
        "Lectures on bridge engineering", 1, 10,
        "Long-span bridges: design for wind and fatigue", "大跨度桥梁：抗风与抗疲劳设计",
        "Lessons from the design of long-span bridges in Europe and Asia.",
        "欧洲与亚洲大跨度桥梁设计的经验。",
        "Civil Engineering Building, Lecture Hall 1", "土木工程楼第一报告厅",
        review="pending",
    ),
    LectureSpec(
        "Joint laboratory on additive manufacturing", 3, 9,
        "Doctoral seminar: laser powder bed fusion", "博士生研讨会：激光粉末床熔融",
        "Seminar for the doctoral students of the joint laboratory.", "联合实验室博士生研讨会。",
        "Mechanical Engineering Building, Room 210", "机械工程楼210室",
        review="", is_public=False,
    ),
]  # fmt: skip


# --- foreign experts --------------------------------------------------------------------------------------


@dataclass
class ExpertSpec:
    """A hiring case: target state, position, kind, host unit, responsible member of staff, the candidate
    (family, given, Chinese name, nationality, year of birth, gender), work-permit category, degree, years
    of experience, annual salary (CNY), contract start (days from today) and length (days), and for the
    later states the day the permit ends (days from today)."""

    state: str
    position: str
    kind: str
    unit: str
    supervisor: str
    person: tuple[str, str, str, str, int, int] | None
    category: str
    degree: str
    years: int
    salary: int
    starts: int
    length: int
    permit_ends: int | None = None
    talent: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


EXPERTS: list[ExpertSpec] = [
    ExpertSpec("need", "Foreign teacher of English", "teacher", "english", "demo-dean-languages", None,
               "B", "master", 3, 150000, 150, 730),
    ExpertSpec("candidate", "Postdoctoral researcher in computational chemistry", "postdoc", "chemistry",
               "demo-dean-science", ("Sharma", "Priya", "普丽娅·夏尔马", "IN", 1993, 2), "B", "doctorate", 3,
               180000, 120, 730),
    ExpertSpec("qualified", "Associate professor of mechanical engineering", "expert", "mechanical",
               "demo-staff", ("Weber", "Jonas", "约纳斯·韦伯", "DE", 1984, 1), "B", "doctorate", 8, 420000,
               100, 1095),
    ExpertSpec("permit_applied", "Foreign teacher of English", "teacher", "english", "demo-dean-languages",
               ("Clarke", "Emily", "艾米丽·克拉克", "GB", 1991, 2), "B", "master", 4, 150000, 60, 365),
    ExpertSpec("visa_notice", "Professor of artificial intelligence", "expert", "ai", "demo-dean-computing",
               ("Turner", "Michael", "迈克尔·特纳", "US", 1972, 1), "A", "doctorate", 20, 900000, 20, 1095,
               talent="National programme for high-end foreign experts"),
    ExpertSpec("arrived", "Visiting professor of physics", "expert", "physics", "demo-dean-science",
               ("Romano", "Luca", "卢卡·罗马诺", "IT", 1980, 1), "B", "doctorate", 12, 380000, -10, 730),
    ExpertSpec("employed", "Professor of materials science", "expert", "mechanical", "demo-staff",
               ("Fischer", "Thomas", "托马斯·菲舍尔", "DE", 1970, 1), "B", "doctorate", 22, 520000, -320, 365,
               permit_ends=45),
    ExpertSpec("employed", "Foreign teacher of Japanese", "teacher", "japanese", "demo-dean-languages",
               ("Yamamoto", "Yuki", "山本由纪", "JP", 1988, 2), "B", "master", 6, 160000, -340, 365,
               permit_ends=25),
    ExpertSpec("employed", "Senior lecturer in international law", "expert", "international-law",
               "demo-dean-law", ("Martin", "Sophie", "苏菲·马丁", "FR", 1982, 2), "B", "doctorate", 9, 360000,
               -200, 730, permit_ends=530, extra={"change": "New passport issued by the French consulate."}),
    ExpertSpec("renewal", "Professor of clinical medicine", "expert", "clinical-medicine",
               "demo-dean-medicine", ("Schneider", "Markus", "马库斯·施耐德", "CH", 1966, 1), "B",
               "doctorate", 25, 600000, -680, 730, permit_ends=50),
    ExpertSpec("left", "Lecturer in economics", "expert", "economics-dept", "demo-dean-economics",
               ("Brown", "Daniel", "丹尼尔·布朗", "CA", 1985, 1), "B", "doctorate", 5, 300000, -800, 730,
               permit_ends=-70),
    ExpertSpec("cancelled", "Researcher in public health", "postdoc", "public-health", "demo-dean-medicine",
               ("Silva", "Ana", "安娜·席尔瓦", "BR", 1990, 2), "B", "doctorate", 4, 200000, 90, 730,
               extra={"reason": "The candidate accepted another offer."}),
]  # fmt: skip
