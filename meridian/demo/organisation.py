"""The demo university: its organisational tree and one demo user per role."""

from __future__ import annotations

from dataclasses import dataclass

from meridian.accounts.choices import Role, UnitKind
from meridian.accounts.models import OrgUnit, User

DEMO_USER_PREFIX = "demo-"
UNIVERSITY_CODE = "meridian"
OFFICE_CODE = "international-office"
EMAIL_DOMAIN = "meridian-university.example"

# (code, English name, Chinese name, departments [(code, English, Chinese)], subject for titles (en, zh))
SCHOOLS: list[tuple[str, str, str, list[tuple[str, str, str]], tuple[str, str]]] = [
    (
        "engineering",
        "School of Engineering",
        "工程学院",
        [
            ("mechanical", "Department of Mechanical Engineering", "机械工程系"),
            ("electrical", "Department of Electrical Engineering", "电气工程系"),
            ("civil", "Department of Civil Engineering", "土木工程系"),
        ],
        ("Mechanical Engineering", "机械工程"),
    ),
    (
        "computing",
        "School of Computer Science",
        "计算机学院",
        [
            ("software", "Department of Software Engineering", "软件工程系"),
            ("ai", "Department of Artificial Intelligence", "人工智能系"),
        ],
        ("Computer Science", "计算机科学"),
    ),
    (
        "science",
        "School of Science",
        "理学院",
        [
            ("mathematics", "Department of Mathematics", "数学系"),
            ("physics", "Department of Physics", "物理系"),
            ("chemistry", "Department of Chemistry", "化学系"),
        ],
        ("Physics", "物理学"),
    ),
    (
        "medicine",
        "School of Medicine",
        "医学院",
        [
            ("clinical-medicine", "Department of Clinical Medicine", "临床医学系"),
            ("public-health", "Department of Public Health", "公共卫生系"),
        ],
        ("Clinical Medicine", "临床医学"),
    ),
    (
        "economics",
        "School of Economics and Management",
        "经济管理学院",
        [
            ("economics-dept", "Department of Economics", "经济学系"),
            ("business", "Department of Business Administration", "工商管理系"),
        ],
        ("Business Administration", "工商管理"),
    ),
    (
        "humanities",
        "School of Humanities",
        "人文学院",
        [
            ("chinese", "Department of Chinese Language and Literature", "中国语言文学系"),
            ("history", "Department of History", "历史学系"),
        ],
        ("Chinese Studies", "汉语国际教育"),
    ),
    (
        "languages",
        "School of Foreign Languages",
        "外国语学院",
        [
            ("english", "Department of English", "英语系"),
            ("japanese", "Department of Japanese", "日语系"),
            ("russian", "Department of Russian", "俄语系"),
        ],
        ("Applied Linguistics", "应用语言学"),
    ),
    (
        "law",
        "School of Law",
        "法学院",
        [
            ("international-law", "Department of International Law", "国际法学系"),
        ],
        ("International Law", "国际法"),
    ),
]

OFFICES: list[tuple[str, str, str, bool]] = [
    (OFFICE_CODE, "International Office", "国际合作与交流处", True),
    ("academic-affairs", "Office of Academic Affairs", "教务处", False),
    ("research-office", "Office of Research Administration", "科学研究院", False),
    ("graduate-school", "Graduate School", "研究生院", False),
    ("finance-office", "Finance Office", "财务处", False),
    ("hr-office", "Human Resources Office", "人事处", False),
    ("legal-office", "Office of Legal Affairs", "法律事务室", False),
]
# The university functions casework routes approval steps to: function code → office unit code.
FUNCTIONS: dict[str, str] = {
    "finance": "finance-office",
    "hr": "hr-office",
    "research": "research-office",
    "legal": "legal-office",
}

# username, first name, last name, display name, role, unit code, preferred language
USERS: list[tuple[str, str, str, str, str, str, str]] = [
    ("demo-admin", "Lin", "Wei", "林伟", Role.ADMINISTRATOR, UNIVERSITY_CODE, "zh-hans"),
    ("demo-officer", "Chen", "Jing", "陈静", Role.OFFICER, OFFICE_CODE, "zh-hans"),
    ("demo-coordinator", "Zhao", "Ming", "赵明", Role.COORDINATOR, "engineering", "en"),
    ("demo-staff", "Sun", "Li", "孙丽", Role.STAFF, "mechanical", "en"),
    ("demo-student", "Liu", "Yang", "刘洋", Role.STUDENT, "software", "zh-hans"),
    ("demo-leader", "Wang", "Jianguo", "王建国", Role.LEADERSHIP, UNIVERSITY_CODE, "zh-hans"),
    ("demo-partner", "Anna", "Becker", "Anna Becker", Role.PARTNER_CONTACT, OFFICE_CODE, "en"),
    # Casework: the foreign-affairs secretary of the School of Engineering and the staff of the offices that
    # review cases (each also holds a post or a function below).
    ("demo-secretary", "Zhou", "Yan", "周燕", Role.STAFF, "engineering", "zh-hans"),
    ("demo-director", "Qian", "Hong", "钱红", Role.OFFICER, OFFICE_CODE, "zh-hans"),
    ("demo-legal", "Xu", "Fang", "徐芳", Role.STAFF, "legal-office", "zh-hans"),
    ("demo-finance", "He", "Jun", "何军", Role.STAFF, "finance-office", "zh-hans"),
    ("demo-hr", "Ma", "Lin", "马琳", Role.STAFF, "hr-office", "zh-hans"),
    ("demo-research", "Guo", "Qiang", "郭强", Role.STAFF, "research-office", "zh-hans"),
    ("demo-deputy", "Deng", "Hui", "邓辉", Role.STAFF, "engineering", "zh-hans"),
    # Student exchange: a viewer at the demo partner, and the exchange coordinators of two more partners
    # (their contact records come with the student exchange demo).
    ("demo-partner-viewer", "Jonas", "Weber", "Jonas Weber", Role.PARTNER_CONTACT, OFFICE_CODE, "en"),
    ("demo-partner-tokyo", "Yuki", "Sato", "Sato Yuki", Role.PARTNER_CONTACT, OFFICE_CODE, "en"),
    (
        "demo-partner-barcelona",
        "Laura",
        "Martínez",
        "Laura Martínez",
        Role.PARTNER_CONTACT,
        OFFICE_CODE,
        "en",
    ),
]
# Deans: the leader of each school decides the "unit leader" step of its cases (username, names, school).
DEANS: list[tuple[str, str, str, str, str]] = [
    ("demo-dean", "Huang", "Tao", "黄涛", "engineering"),
    ("demo-dean-computing", "Yang", "Fan", "杨帆", "computing"),
    ("demo-dean-science", "Luo", "Min", "罗敏", "science"),
    ("demo-dean-medicine", "Liang", "Qing", "梁青", "medicine"),
    ("demo-dean-economics", "Song", "Jie", "宋杰", "economics"),
    ("demo-dean-humanities", "Tang", "Wen", "唐文", "humanities"),
    ("demo-dean-languages", "Han", "Xue", "韩雪", "languages"),
    ("demo-dean-law", "Feng", "Lei", "冯磊", "law"),
]
# Posts for casework (username, unit code, post): leaders decide steps, the secretary acts for applicants.
# demo-leader, the vice-president for international affairs, is the university leader who signs off last;
# demo-director leads the International Office; each office's staff member leads their office.
POSTS: list[tuple[str, str, str]] = [
    ("demo-leader", UNIVERSITY_CODE, "leader"),
    ("demo-director", OFFICE_CODE, "leader"),
    ("demo-secretary", "engineering", "secretary"),
    ("demo-legal", "legal-office", "leader"),
    ("demo-finance", "finance-office", "leader"),
    ("demo-hr", "hr-office", "leader"),
    ("demo-research", "research-office", "leader"),
]
# The partner organisation (English name) the demo partner contact belongs to.
DEMO_PARTNER_ORGANISATION = "Heidelberg University"


@dataclass
class Organisation:
    university: OrgUnit
    office: OrgUnit
    schools: dict[str, OrgUnit]
    subjects: dict[str, tuple[str, str]]
    units: dict[str, OrgUnit]
    users: dict[str, User]

    @property
    def admin(self) -> User:
        return self.users["demo-admin"]


def _unit(
    code: str, kind: str, name_en: str, name_zh: str, parent: OrgUnit | None, office: bool = False
) -> OrgUnit:
    """The unit with this code, created through the service when it does not exist yet."""
    from meridian.accounts.services import org_unit_create

    existing = OrgUnit.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return org_unit_create(
        kind=kind, code=code, name_en=name_en, name_zh=name_zh, parent=parent, is_international_office=office
    )


def build_organisation(*, password: str) -> Organisation:
    """The university tree and the demo users; units and users that exist already are kept as they are."""
    from meridian.accounts.services import membership_grant, user_create

    university = OrgUnit.objects.filter(kind=UnitKind.UNIVERSITY, parent=None).order_by("pk").first()
    if university is None:
        university = _unit(UNIVERSITY_CODE, UnitKind.UNIVERSITY, "Meridian University", "子午线大学", None)
    units: dict[str, OrgUnit] = {UNIVERSITY_CODE: university}
    for code, name_en, name_zh, is_office in OFFICES:
        units[code] = _unit(code, UnitKind.OFFICE, name_en, name_zh, university, office=is_office)
    schools: dict[str, OrgUnit] = {}
    subjects: dict[str, tuple[str, str]] = {}
    for code, name_en, name_zh, departments, subject in SCHOOLS:
        school = _unit(code, UnitKind.SCHOOL, name_en, name_zh, university)
        schools[code] = units[code] = school
        subjects[code] = subject
        for dept_code, dept_en, dept_zh in departments:
            units[dept_code] = _unit(dept_code, UnitKind.DEPARTMENT, dept_en, dept_zh, school)

    users: dict[str, User] = {}
    people = list(USERS) + [
        (username, first, last, display, Role.STAFF, school, "zh-hans")
        for username, first, last, display, school in DEANS
    ]
    for username, first, last, display, role, unit_code, language in people:
        user = User.objects.filter(username=username).first()
        if user is None:
            is_admin = role == Role.ADMINISTRATOR
            user = user_create(
                username=username,
                email=f"{username}@{EMAIL_DOMAIN}",
                password=password,
                first_name=first,
                last_name=last,
                display_name=display,
                preferred_language=language,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
        membership_grant(user=user, unit=units[unit_code], role=role)
        users[username] = user
    return Organisation(
        university=university,
        office=units[OFFICE_CODE],
        schools=schools,
        subjects=subjects,
        units=units,
        users=users,
    )
