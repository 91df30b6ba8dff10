"""Words the demo data is made of: people's names (fictional), positions, topics and agreement titles."""

# Fictional people, by the language of the partner's country; the organisations are real, the people are not.
NAMES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("Emily", "Carter"),
        ("James", "Whitfield"),
        ("Sarah", "Collins"),
        ("Daniel", "Hughes"),
        ("Olivia", "Grant"),
        ("Michael", "Turner"),
        ("Hannah", "Price"),
        ("Robert", "Ellison"),
    ],
    "de": [
        ("Katrin", "Hoffmann"),
        ("Jonas", "Weber"),
        ("Sabine", "Krüger"),
        ("Matthias", "Vogel"),
        ("Lena", "Schäfer"),
        ("Stefan", "Brandt"),
    ],
    "fr": [
        ("Claire", "Dubois"),
        ("Julien", "Moreau"),
        ("Sophie", "Lefèvre"),
        ("Nicolas", "Girard"),
        ("Camille", "Roux"),
    ],
    "ru": [
        ("Elena", "Sokolova"),
        ("Dmitry", "Volkov"),
        ("Irina", "Morozova"),
        ("Sergey", "Kuznetsov"),
        ("Anna", "Lebedeva"),
    ],
    "ja": [
        ("Yuki", "Tanaka"),
        ("Hiroshi", "Sato"),
        ("Aiko", "Suzuki"),
        ("Kenji", "Watanabe"),
        ("Naomi", "Kobayashi"),
    ],
    "ko": [
        ("Ji-won", "Kim"),
        ("Min-jun", "Park"),
        ("Seo-yeon", "Lee"),
        ("Hyun-woo", "Choi"),
        ("Eun-ji", "Jung"),
    ],
    "th": [("Siriporn", "Chaiyaporn"), ("Somchai", "Wongsawat"), ("Kanya", "Srisuk"), ("Anan", "Boonmee")],
    "es": [("Lucía", "Fernández"), ("Javier", "Morales"), ("Carmen", "Ruiz"), ("Diego", "Herrera")],
    "other": [
        ("Priya", "Raman"),
        ("Arjun", "Mehta"),
        ("Nguyen", "Thi Lan"),
        ("Ahmed", "Hassan"),
        ("Aigerim", "Nurlanova"),
        ("Marco", "Bianchi"),
        ("Eva", "Lindqvist"),
        ("Tomasz", "Nowak"),
        ("Ana", "Costa"),
        ("Pieter", "de Vries"),
        ("Wanjiru", "Kamau"),
        ("Siti", "Rahman"),
    ],
}

COUNTRY_LANGUAGE: dict[str, str] = {
    "US": "en",
    "GB": "en",
    "CA": "en",
    "AU": "en",
    "NZ": "en",
    "IE": "en",
    "SG": "en",
    "IN": "en",
    "ZA": "en",
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "FR": "fr",
    "BE": "fr",
    "RU": "ru",
    "KZ": "ru",
    "JP": "ja",
    "KR": "ko",
    "TH": "th",
    "ES": "es",
    "MX": "es",
    "AR": "es",
    "CL": "es",
}

# Contact languages the partner model knows (see partners.choices.ContactLanguage).
CONTACT_LANGUAGE: dict[str, str] = {
    "en": "en",
    "de": "de",
    "fr": "fr",
    "ru": "ru",
    "ja": "ja",
    "ko": "ko",
    "es": "es",
}

# ISO 639-1 code of the language an agreement text may also be written in, by country.
TEXT_LANGUAGE: dict[str, str] = {
    "DE": "de",
    "AT": "de",
    "FR": "fr",
    "RU": "ru",
    "JP": "ja",
    "KR": "ko",
    "TH": "th",
    "ES": "es",
    "MX": "es",
    "AR": "es",
    "CL": "es",
    "IT": "it",
    "NL": "nl",
    "SE": "sv",
    "FI": "fi",
    "DK": "da",
    "NO": "nb",
    "PL": "pl",
    "CZ": "cs",
    "PT": "pt",
    "BR": "pt",
    "VN": "vi",
    "ID": "id",
    "TR": "tr",
    "KZ": "kk",
    "MN": "mn",
    "IL": "he",
}

CONTACT_POSITIONS = [
    "International Relations Officer",
    "Head of International Office",
    "Exchange Programme Coordinator",
    "Director of Global Engagement",
    "Partnership Manager",
]

PARTNER_SIGNATORY_TITLES = {
    "university": [
        "President",
        "Rector",
        "Vice-President for International Affairs",
        "Vice-Rector for International Relations",
    ],
    "research_institute": ["President", "Director General"],
    "enterprise": ["Chief Executive Officer", "Chief Technology Officer", "Head of University Relations"],
    "government": ["Director General", "Minister"],
    "international_organisation": ["Director", "Assistant Director-General"],
    "foundation": ["Chief Executive", "Secretary General"],
    "hospital": ["Chief Executive Officer", "Medical Director"],
}

HOME_SIGNATORIES = [
    ("Prof. Wang Jianguo", "President, Meridian University"),
    ("Prof. Li Hua", "Vice-President for International Affairs, Meridian University"),
]

TOPICS: list[tuple[str, str]] = [
    ("Intelligent Manufacturing", "智能制造"),
    ("Renewable Energy Systems", "可再生能源系统"),
    ("Artificial Intelligence", "人工智能"),
    ("Advanced Materials", "先进材料"),
    ("Public Health", "公共卫生"),
    ("Climate Change Adaptation", "气候变化适应"),
    ("Quantum Information", "量子信息"),
    ("Sustainable Cities", "可持续城市"),
    ("Biomedical Engineering", "生物医学工程"),
    ("Digital Humanities", "数字人文"),
    ("Food Security", "粮食安全"),
    ("Water Resources", "水资源"),
]

# Agreement kind → (English title, Chinese title); {p}/{pz} partner, {s}/{sz} subject, {t}/{tz} topic.
TITLES: dict[str, tuple[str, str]] = {
    "mou": (
        "Memorandum of Understanding between Meridian University and {p}",
        "子午线大学与{pz}合作谅解备忘录",
    ),
    "student_exchange": ("Student Exchange Agreement with {p}", "与{pz}学生交流协议"),
    "staff_exchange": ("Teaching Staff Exchange Agreement with {p}", "与{pz}教师交流协议"),
    "joint_education": ("Joint Education Programme in {s} with {p}", "与{pz}{sz}联合培养项目协议"),
    "research": ("Research Cooperation Agreement on {t} with {p}", "与{pz}{tz}科研合作协议"),
    "joint_lab": ("Agreement on the Joint Laboratory for {t} with {p}", "与{pz}共建{tz}联合实验室协议"),
    "advanced_training": ("Advanced Training Programme Agreement with {p}", "与{pz}进修培训项目协议"),
    "conference": (
        "Cooperation Agreement for the International Conference on {t} with {p}",
        "与{pz}合作举办{tz}国际会议协议",
    ),
    "government": ("Government-level Cooperation Agreement with {p}", "与{pz}政府间合作协议"),
    "erasmus_iia": ("Erasmus+ Inter-institutional Agreement with {p}", "与{pz}伊拉斯谟+校际协议"),
    "other": ("Cultural Exchange and Student Recruitment Agreement with {p}", "与{pz}文化交流与招生合作协议"),
}

DESCRIPTIONS: dict[str, str] = {
    "mou": "Framework for cooperation in teaching, research and exchange; activities follow in addenda.",
    "student_exchange": "Up to {n} students a year each way for one or two semesters, tuition waived.",
    "staff_exchange": "Up to {n} teaching staff a year for visits of one to four weeks.",
    "joint_education": "A double-degree track: two years at Meridian University and two at the partner.",
    "research": "Joint projects, co-supervised doctoral students and shared use of equipment.",
    "joint_lab": "A jointly run laboratory with a steering committee that meets twice a year.",
    "advanced_training": "Training placements of three to twelve months for up to {n} staff a year.",
    "conference": "The parties host the conference in turn and share its programme committee.",
    "government": "Cooperation agreed at government level, with an annual joint working group.",
    "erasmus_iia": "Erasmus+ mobility of students and staff for study and teaching, with agreed quotas.",
    "other": "Cultural events, language courses and joint recruitment of international students.",
}

# Multilateral agreements: English title, Chinese title, kind, channels, state, partners (English names).
CONSORTIA: list[tuple[str, str, str, list[str], str, list[str]]] = [
    (
        "Asia-Pacific Engineering Education Network Agreement",
        "亚太工程教育联盟协议",
        "joint_education",
        ["joint_education", "student_exchange"],
        "active",
        [
            "The University of Melbourne",
            "The University of Auckland",
            "National University of Singapore",
            "Korea Advanced Institute of Science and Technology",
        ],
    ),
    (
        "European Master's Consortium in Data Science",
        "欧洲数据科学硕士联合培养联盟协议",
        "joint_education",
        ["joint_education", "student_exchange", "staff_exchange"],
        "active",
        [
            "Delft University of Technology",
            "KTH Royal Institute of Technology",
            "Aalto University",
            "Technical University of Munich",
        ],
    ),
    (
        "Mekong Public Health Research Consortium Agreement",
        "湄公河区域公共卫生科研联盟协议",
        "research",
        ["research", "advanced_training"],
        "active",
        [
            "Mahidol University",
            "Vietnam National University, Hanoi",
            "Royal University of Phnom Penh",
            "Chulalongkorn University",
        ],
    ),
    (
        "Silk Road Universities Cooperation Agreement",
        "丝绸之路大学合作协议",
        "mou",
        ["student_exchange", "cultural", "recruitment"],
        "active",
        [
            "Lomonosov Moscow State University",
            "Nazarbayev University",
            "National University of Uzbekistan",
            "National University of Mongolia",
        ],
    ),
    (
        "Arctic and Cold Regions Research Network Agreement",
        "北极与寒区研究网络协议",
        "research",
        ["research", "conference"],
        "under_review",
        [
            "University of Oslo",
            "University of Helsinki",
            "Norwegian University of Science and Technology",
            "The University of British Columbia",
        ],
    ),
    (
        "Global Surgery Advanced Training Partnership",
        "全球外科进修培训合作协议",
        "advanced_training",
        ["advanced_training", "staff_exchange"],
        "active",
        [
            "Charité – Berlin University Medicine",
            "Mayo Clinic",
            "Siriraj Hospital",
            "Singapore General Hospital",
        ],
    ),
    (
        "Conference Series on Higher Education and the Sustainable Development Goals",
        "高等教育与可持续发展目标国际会议系列合作协议",
        "conference",
        ["conference", "government"],
        "expired",
        [
            "United Nations Educational, Scientific and Cultural Organization",
            "Organisation for Economic Co-operation and Development",
            "United Nations University",
        ],
    ),
    (
        "Agreement on the Joint Laboratory for Intelligent Manufacturing",
        "智能制造联合实验室共建协议",
        "joint_lab",
        ["joint_lab", "research", "recruitment"],
        "active",
        ["Siemens", "RWTH Aachen University", "Karlsruhe Institute of Technology"],
    ),
]
