"""What the demo's student exchange is made of: the partners with portal accounts, the students' names and
programmes, languages, courses abroad and at home, factsheets and a grade conversion table. Plain data."""

from __future__ import annotations

from dataclasses import dataclass

# --- partners -----------------------------------------------------------------------------------------------

# The partners whose contacts act in the partner portal (English name → the coordinator's demo account).
HEIDELBERG = "Heidelberg University"
TOKYO = "The University of Tokyo"
BARCELONA = "University of Barcelona"
PORTAL_PARTNERS = {
    HEIDELBERG: "demo-partner",
    TOKYO: "demo-partner-tokyo",
    BARCELONA: "demo-partner-barcelona",
}
VIEWER = "demo-partner-viewer"  # reads Heidelberg's pages in the partner portal
# Universities that get a student exchange agreement of the demo's student exchange (when they have none in
# force): the portal partners first, then partners the students ask for.
NEW_AGREEMENT_PARTNERS = [
    HEIDELBERG,
    TOKYO,
    BARCELONA,
    "LMU Munich",
    "University of Bologna",
    "KU Leuven",
    "The University of Hong Kong",
    "University of Helsinki",
]
# Partners whose summer schools the call open now offers.
SUMMER_SCHOOLS = [HEIDELBERG, TOKYO, "National University of Singapore", "The University of Melbourne"]
# Destinations students ask for most (weight 4; the rest weight 1).
POPULAR = {
    HEIDELBERG,
    TOKYO,
    "ETH Zurich",
    "National University of Singapore",
    "The University of Melbourne",
    "University College London",
    "Technical University of Munich",
    "The University of Hong Kong",
    "Imperial College London",
    "Delft University of Technology",
}
# Language requirements of the places by partner (the first is the destination's); others take ENGLISH.
ENGLISH = [("en", "B2")]
LANGUAGES: dict[str, list[tuple[str, str]]] = {
    HEIDELBERG: [("en", "B2"), ("de", "B1")],
    "LMU Munich": [("de", "B2")],
    "Humboldt University of Berlin": [("de", "B2"), ("en", "C1")],
    "École Polytechnique": [("fr", "B2"), ("en", "B2")],
    BARCELONA: [("es", "B1"), ("en", "B2")],
    "Waseda University": [("ja", "B2"), ("en", "B2")],
    "Saint Petersburg State University": [("ru", "B1"), ("en", "B2")],
    "Lomonosov Moscow State University": [("ru", "B2")],
    "Kasetsart University": [("en", "B1")],
    "University of Malaya": [("en", "B1")],
    "University of Indonesia": [("en", "B1")],
}
SUBJECTS: dict[str, list[str]] = {
    TOKYO: ["0311", "0413"],
    "Delft University of Technology": ["0715", "0731"],
    "ETH Zurich": ["0533", "0613"],
}

# Partner coordinators' demo accounts besides demo-partner: username → (first, last, display, position).
PARTNER_ACCOUNTS: dict[str, tuple[str, str, str, str]] = {
    VIEWER: ("Jonas", "Weber", "Jonas Weber", "Exchange Office Assistant"),
    "demo-partner-tokyo": ("Yuki", "Sato", "Sato Yuki", "International Exchange Coordinator"),
    "demo-partner-barcelona": ("Laura", "Martínez", "Laura Martínez", "Responsable de Movilidad"),
}

FACTSHEETS: dict[str, dict[str, str]] = {
    HEIDELBERG: {
        "contact_email": "exchange@zuv.uni-heidelberg.de",
        "contact_phone": "+49 6221 54 0",
        "website": "https://www.uni-heidelberg.de/en/study/exchange",
        "autumn_term": "October – February",
        "spring_term": "April – July",
        "course_catalogue_url": "https://lsf.uni-heidelberg.de",
        "accommodation": "Rooms in student residences through the Studierendenwerk; apply when admitted.",
        "additional_info": "Orientation week in late September and late March; German courses before terms.",
    },
    TOKYO: {
        "contact_email": "exchange.adm@gs.mail.u-tokyo.ac.jp",
        "website": "https://www.u-tokyo.ac.jp/en/prospective-students/exchange.html",
        "autumn_term": "October – January",
        "spring_term": "April – July",
        "course_catalogue_url": "https://catalog.he.u-tokyo.ac.jp",
        "accommodation": "University housing is offered to exchange students; about 150,000 JPY deposit.",
    },
    BARCELONA: {
        "contact_email": "mobility@ub.edu",
        "website": "https://www.ub.edu/web/portal/en/mobility",
        "autumn_term": "September – January",
        "spring_term": "February – June",
        "course_catalogue_url": "https://www.ub.edu/grad/plae",
        "accommodation": "Private accommodation; the mobility office sends a list of trusted agencies.",
    },
    "ETH Zurich": {
        "contact_email": "outgoing@ethz.ch",
        "website": "https://ethz.ch/en/studies/non-degree-courses/exchange-and-visiting-studies.html",
        "autumn_term": "September – December",
        "spring_term": "February – May",
        "course_catalogue_url": "https://www.vvz.ethz.ch",
    },
    "National University of Singapore": {
        "contact_email": "exchange@nus.edu.sg",
        "website": "https://nus.edu.sg/gro/global-programmes/student-exchange",
        "autumn_term": "August – December",
        "spring_term": "January – May",
        "accommodation": "Halls of residence on campus, guaranteed for one semester.",
    },
}

# --- students -----------------------------------------------------------------------------------------------

FAMILY_NAMES: list[tuple[str, str]] = [
    ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
    ("Huang", "黄"), ("Zhao", "赵"), ("Wu", "吴"), ("Zhou", "周"), ("Xu", "徐"), ("Sun", "孙"),
    ("Ma", "马"), ("Zhu", "朱"), ("Hu", "胡"), ("Guo", "郭"), ("He", "何"), ("Lin", "林"),
    ("Luo", "罗"), ("Gao", "高"), ("Zheng", "郑"), ("Liang", "梁"), ("Xie", "谢"), ("Song", "宋"),
    ("Tang", "唐"), ("Han", "韩"), ("Feng", "冯"), ("Deng", "邓"), ("Cao", "曹"), ("Peng", "彭"),
    ("Zeng", "曾"), ("Xiao", "肖"), ("Tian", "田"), ("Dong", "董"), ("Pan", "潘"), ("Yuan", "袁"),
    ("Cai", "蔡"), ("Jiang", "蒋"), ("Yu", "余"), ("Du", "杜"),
]  # fmt: skip
# Given names: (pinyin, hanzi, ISO/IEC 5218 gender).
GIVEN_NAMES: list[tuple[str, str, int]] = [
    ("Xinyi", "欣怡", 2), ("Zihan", "子涵", 2), ("Yuxuan", "宇轩", 1), ("Haoran", "浩然", 1),
    ("Yichen", "一辰", 1), ("Jiayi", "佳怡", 2), ("Mingyu", "明宇", 1), ("Siyu", "思雨", 2),
    ("Junjie", "俊杰", 1), ("Yutong", "雨桐", 2), ("Zhiyuan", "志远", 1), ("Ruoxi", "若曦", 2),
    ("Tianyu", "天宇", 1), ("Shiyu", "诗雨", 2), ("Kaiwen", "凯文", 1), ("Xiaoyu", "晓雨", 2),
    ("Chenxi", "晨曦", 2), ("Wenjing", "文静", 2), ("Jiahao", "嘉豪", 1), ("Yiran", "依然", 2),
    ("Zixuan", "子轩", 1), ("Mengqi", "梦琪", 2), ("Haoyu", "昊宇", 1), ("Xinran", "欣然", 2),
    ("Boyang", "博洋", 1), ("Yuqi", "雨琪", 2), ("Jingyi", "静怡", 2), ("Zeyu", "泽宇", 1),
    ("Anqi", "安琪", 2), ("Sihan", "思涵", 2), ("Yifan", "一帆", 1), ("Jiaqi", "佳琪", 2),
    ("Shuyi", "书怡", 2), ("Hanyu", "瀚宇", 1), ("Yuhang", "宇航", 1), ("Xinyu", "心雨", 2),
    ("Zhihao", "志豪", 1), ("Ruiqi", "瑞琪", 2), ("Zimo", "子墨", 1), ("Yueyang", "悦阳", 1),
    ("Mingxuan", "铭轩", 1), ("Kexin", "可欣", 2), ("Wenhao", "文昊", 1), ("Yanan", "亚楠", 2),
    ("Jinyu", "瑾瑜", 2), ("Pengfei", "鹏飞", 1), ("Lingyun", "凌云", 1), ("Qianqian", "倩倩", 2),
    ("Shaohua", "少华", 1), ("Yiting", "怡婷", 2),
]  # fmt: skip

# Departments students apply from (unit code, weight) and their programmes (English, Chinese).
PROGRAMMES: dict[str, tuple[int, str, str]] = {
    "mechanical": (24, "Mechanical Engineering (BEng)", "机械工程"),
    "electrical": (20, "Electrical Engineering and Automation (BEng)", "电气工程及其自动化"),
    "civil": (12, "Civil Engineering (BEng)", "土木工程"),
    "software": (30, "Software Engineering (BEng)", "软件工程"),
    "ai": (20, "Artificial Intelligence (BEng)", "人工智能"),
    "mathematics": (10, "Mathematics and Applied Mathematics (BSc)", "数学与应用数学"),
    "physics": (8, "Physics (BSc)", "物理学"),
    "chemistry": (8, "Chemistry (BSc)", "化学"),
    "clinical-medicine": (6, "Clinical Medicine (MBBS)", "临床医学"),
    "public-health": (5, "Preventive Medicine (BMed)", "预防医学"),
    "economics-dept": (22, "Economics (BEc)", "经济学"),
    "business": (24, "Business Administration (BMgt)", "工商管理"),
    "chinese": (6, "Chinese Language and Literature (BA)", "汉语言文学"),
    "history": (5, "History (BA)", "历史学"),
    "english": (16, "English (BA)", "英语"),
    "japanese": (12, "Japanese (BA)", "日语"),
    "russian": (6, "Russian (BA)", "俄语"),
    "international-law": (10, "Law (LLB)", "法学"),
}
# The language a department's students study abroad in, when not English: (code, share of its students).
DEPARTMENT_LANGUAGE: dict[str, tuple[str, float]] = {
    "japanese": ("ja", 0.7),
    "russian": ("ru", 0.7),
}
# Other languages some students of any department study in (code, share).
OTHER_LANGUAGES = [("de", 0.05), ("fr", 0.03), ("es", 0.03)]
CERTIFICATES = {
    "en": {"B1": "CET-6 470", "B2": "IELTS 6.5", "C1": "IELTS 7.5", "C2": "TOEFL iBT 112"},
    "de": {"B1": "Goethe-Zertifikat B1", "B2": "TestDaF 4×4", "C1": "TestDaF 4×5"},
    "fr": {"B1": "DELF B1", "B2": "DELF B2", "C1": "DALF C1"},
    "es": {"B1": "DELE B1", "B2": "DELE B2", "C1": "DELE C1"},
    "ja": {"B1": "JLPT N3", "B2": "JLPT N2", "C1": "JLPT N1"},
    "ru": {"B1": "TORFL-1", "B2": "TORFL-2", "C1": "TORFL-3"},
}
MOTIVATIONS = [
    "I want to take courses at {partner} that my programme does not offer and to write my thesis with an "
    "international perspective.",
    "Studying at {partner} lets me deepen my specialisation and improve my {language} before graduate study.",
    "My supervisor recommended {partner} for its laboratories; I hope to join a project there.",
    "I would like to experience another academic culture at {partner} and bring back what I learn to my "
    "student society.",
    "{partner} has strong courses in my field; a semester there prepares me for an international career.",
]
QUESTION_EN = "Which courses do you plan to take abroad, and how do they fit your programme?"
QUESTION_ZH = "你计划在国外修读哪些课程？它们与你的专业培养方案如何衔接？"
ANSWERS = [
    "Advanced courses in my major and one language course; my school agreed they replace two electives.",
    "Two core courses that match our curriculum and a project course; the rest as electives.",
    "Courses of the partner's master programme open to exchange students, recognised as electives.",
]

# --- courses of the learning agreements (partner course, ECTS, our course, our credits) ---------------------


@dataclass(frozen=True)
class Course:
    code: str
    title: str
    credits: str
    home_code: str
    home_title: str
    home_credits: str


COURSES: dict[str, list[Course]] = {
    HEIDELBERG: [
        Course("INF-101", "Algorithms and Data Structures", "8", "SE2031", "数据结构与算法", "4"),
        Course("INF-220", "Software Engineering Project", "6", "SE3012", "软件工程实践", "3"),
        Course("INF-305", "Introduction to Machine Learning", "6", "AI3001", "机器学习导论", "3"),
        Course("DaF-B1", "German as a Foreign Language B1", "4", "", "", ""),
    ],
    TOKYO: [
        Course("ECON-301", "Japanese Economy", "4", "EC3105", "日本经济", "2"),
        Course("ECON-412", "International Finance", "4", "EC3201", "国际金融", "3"),
        Course("MGT-220", "Management of Innovation", "4", "BA2304", "创新管理", "2"),
        Course("JPN-110", "Japanese Language I", "2", "", "", ""),
    ],
    BARCELONA: [
        Course("FIL-201", "Spanish Literature of the Golden Age", "6", "FL3021", "西班牙文学选读", "3"),
        Course("LIN-110", "Spanish for Academic Purposes", "6", "FL2010", "学术西班牙语", "3"),
        Course("HIS-215", "History of Catalonia", "6", "HI2207", "欧洲区域史", "2"),
    ],
}
# Added by a change during the stay: (partner course, replaced course, reason).
CHANGES: dict[str, tuple[Course, str]] = {
    HEIDELBERG: (
        Course("INF-330", "Computer Vision", "6", "AI3105", "计算机视觉", "3"),
        "The machine learning course clashes with a required lab; computer vision replaces it.",
    ),
    TOKYO: (
        Course("ECON-350", "Behavioural Economics", "4", "EC3310", "行为经济学", "2"),
        "International Finance is full this term.",
    ),
    BARCELONA: (
        Course("LIT-240", "Latin American Narrative", "6", "FL3030", "拉丁美洲文学", "3"),
        "The history course is taught in Catalan only this term.",
    ),
}
SHORT_COURSES = [
    Course("SS-DS1", "Data Science Bootcamp", "5", "SE2901", "数据科学实践", "2"),
    Course("SS-GER", "German Language and Culture", "3", "", "", ""),
]
# German grades (1.0 best … 4.0 pass, 5.0 fail) to our 100-point scale.
GERMAN_TABLE = [
    ("1.0", "95"), ("1.3", "92"), ("1.7", "88"), ("2.0", "85"), ("2.3", "82"), ("2.7", "78"),
    ("3.0", "75"), ("3.3", "72"), ("3.7", "68"), ("4.0", "62"), ("5.0", "0"),
]  # fmt: skip

# --- incoming students --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """An incoming student: their partner, names, nationality, birth date, programme, ISCED-F field, the
    state their nomination reaches (nominated, invited, applied, accepted, active) and the season of the stay
    ("current": the stay under way; "next": the next semester)."""

    partner: str
    family_name: str
    given_name: str
    gender: int
    nationality: str
    born: str
    programme: str
    isced: str
    target: str
    season: str


INCOMING = [
    Incoming(HEIDELBERG, "Schneider", "Lena", 2, "DE", "2003-04-17", "Computer Science (BSc)", "0613",
             "active", "current"),
    Incoming(TOKYO, "Takahashi", "Ren", 1, "JP", "2002-11-02", "Economics (BA)", "0311", "accepted", "next"),
    Incoming(BARCELONA, "García", "Lucía", 2, "ES", "2003-08-23", "Hispanic Philology (BA)", "0231",
             "applied", "next"),
    Incoming(TOKYO, "Nakamura", "Aoi", 2, "JP", "2004-01-30", "Management (BA)", "0413", "invited", "next"),
    Incoming(HEIDELBERG, "Fischer", "Maximilian", 1, "DE", "2002-06-09", "Applied Computer Science (BSc)",
             "0613", "nominated", "next"),
]  # fmt: skip
