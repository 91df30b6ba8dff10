"""The columns an import understands: English and Chinese headers, synonyms, and how each cell is read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils import translation

from meridian.core.text import fold

PARTNERS = "partners"
AGREEMENTS = "agreements"
KINDS = (PARTNERS, AGREEMENTS)

# How a cell is turned into a value; see parsing.py.
TEXT = "text"
CHOICE = "choice"
DATE = "date"
BOOL = "bool"
INT = "int"
DECIMAL = "decimal"
COUNTRY = "country"
LIST = "list"
UNIT = "unit"
PARTNER_REFS = "partner_refs"
CHANNELS = "channels"
LANGUAGES = "languages"
WEBSITE = "website"
ROR = "ror"

# Columns whose cells hold numbers: a leading "-" or "+" there is a sign, not a formula.
NUMERIC_KINDS = frozenset({INT, DECIMAL})


@dataclass(frozen=True)
class Column:
    field: str
    header_en: str
    header_zh: str
    parse: str = TEXT
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: type[models.TextChoices] | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header_en, self.header_zh, *self.synonyms)


def header_key(text: object) -> str:
    """Headers match case-, width- and space-insensitively: " Official  Name " == "officialname"."""
    folded = fold(str(text or ""))
    return re.sub(r"[\s_]+", "", folded)


def _partner_columns() -> list[Column]:
    from meridian.partners.choices import PartnerType, RelationshipStatus

    return [
        Column("name", "Name", "名称", required=True, synonyms=("Official name", "机构名称", "正式名称")),
        Column("name_en", "English name", "英文名称", synonyms=("Name (English)", "英文名")),
        Column("name_zh", "Chinese name", "中文名称", synonyms=("Name (Chinese)", "中文名")),
        Column("acronym", "Acronym", "简称", synonyms=("缩写",)),
        Column("kind", "Type", "类型", CHOICE, choices=PartnerType, synonyms=("机构类型",)),
        Column(
            "country",
            "Country",
            "国家",
            COUNTRY,
            required=True,
            synonyms=("国家或地区", "Country or region", "国家/地区"),
        ),
        Column("city", "City", "城市"),
        Column("province", "Province", "省/州", synonyms=("Province / state", "State", "省份", "州")),
        Column("website", "Website", "网站", WEBSITE, synonyms=("网址", "Web site", "URL")),
        Column("ror_id", "ROR ID", "ROR编号", ROR, synonyms=("ROR",)),
        Column("erasmus_code", "Erasmus code", "Erasmus代码", synonyms=("Erasmus",)),
        Column("pic", "PIC", "PIC代码", synonyms=("PIC code",)),
        Column("schac_code", "SCHAC code", "SCHAC代码", synonyms=("SCHAC",)),
        Column(
            "status",
            "Status",
            "合作状态",
            CHOICE,
            choices=RelationshipStatus,
            synonyms=("Relationship status", "状态"),
        ),
        Column(
            "cooperating_since", "Cooperating since", "合作起始", DATE, synonyms=("合作起始日期", "合作开始")
        ),
        Column("tags", "Tags", "标签", LIST),
        Column("is_public", "Public", "公开", BOOL, synonyms=("Shown publicly", "是否公开")),
        Column("notes", "Notes", "备注", synonyms=("Internal notes", "内部备注")),
        Column("latitude", "Latitude", "纬度", DECIMAL),
        Column("longitude", "Longitude", "经度", DECIMAL),
    ]


def _agreement_columns() -> list[Column]:
    from meridian.agreements.choices import AgreementState, AgreementType

    return [
        Column("number", "Number", "协议编号", synonyms=("Agreement number", "编号")),
        Column("title_en", "Title (English)", "英文标题", required=True, synonyms=("English title", "Title")),
        Column("title_zh", "Title (Chinese)", "中文标题", synonyms=("Chinese title",)),
        Column("kind", "Type", "协议类型", CHOICE, required=True, choices=AgreementType, synonyms=("类型",)),
        Column(
            "partners",
            "Partners",
            "合作方",
            PARTNER_REFS,
            required=True,
            synonyms=("Partner", "合作伙伴", "合作机构"),
        ),
        Column("channels", "Channels", "合作渠道", CHANNELS, synonyms=("Cooperation channels", "渠道")),
        Column(
            "responsible_unit",
            "Responsible unit",
            "负责单位",
            UNIT,
            required=True,
            synonyms=("Unit", "责任单位"),
        ),
        Column("start_date", "Start date", "开始日期", DATE, synonyms=("生效日期",)),
        Column("end_date", "End date", "结束日期", DATE, synonyms=("到期日期", "截止日期")),
        Column("state", "State", "状态", CHOICE, choices=AgreementState, synonyms=("协议状态",)),
        Column("auto_renew", "Auto renew", "自动续签", BOOL, synonyms=("Renews automatically", "自动续约")),
        Column(
            "renewal_notice_days",
            "Notice period (days)",
            "提前通知天数",
            INT,
            synonyms=("Notice period", "通知期"),
        ),
        Column("languages", "Languages", "文本语言", LANGUAGES, synonyms=("Languages of the text", "语言")),
        Column("description", "Description", "说明", synonyms=("描述", "备注", "Notes")),
    ]


def columns_for(kind: str) -> list[Column]:
    return _partner_columns() if kind == PARTNERS else _agreement_columns()


def match_headers(kind: str, headers: list[object]) -> tuple[dict[int, Column], list[str], list[str]]:
    """Map header positions to columns. Returns (position → column, ignored headers, repeated headers)."""
    by_key: dict[str, Column] = {}
    for column in columns_for(kind):
        for header in column.headers:
            by_key.setdefault(header_key(header), column)
    found: dict[int, Column] = {}
    seen: set[str] = set()
    ignored: list[str] = []
    repeated: list[str] = []
    for index, header in enumerate(headers):
        text = str(header if header is not None else "").strip()
        if not text:
            continue
        column = by_key.get(header_key(text))
        if column is None:
            ignored.append(text)
        elif column.field in seen:
            repeated.append(text)
        else:
            seen.add(column.field)
            found[index] = column
    return found, ignored, repeated


# Chinese (and a few English) words for choice values, so that imports work without compiled translations.
CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "kind:partners": {
        "大学": "university",
        "高校": "university",
        "高等院校": "university",
        "学院": "university",
        "研究机构": "research_institute",
        "研究所": "research_institute",
        "科研机构": "research_institute",
        "研究院": "research_institute",
        "企业": "enterprise",
        "公司": "enterprise",
        "company": "enterprise",
        "政府机构": "government",
        "政府部门": "government",
        "政府": "government",
        "government": "government",
        "国际组织": "international_organisation",
        "international organization": "international_organisation",
        "基金会": "foundation",
        "非政府组织": "foundation",
        "基金会/非政府组织": "foundation",
        "ngo": "foundation",
        "foundation": "foundation",
        "医院": "hospital",
        "其他": "other",
    },
    "status:partners": {
        "潜在": "prospect",
        "潜在合作": "prospect",
        "意向": "prospect",
        "洽谈中": "prospect",
        "活跃": "active",
        "合作中": "active",
        "有效": "active",
        "休眠": "dormant",
        "暂停": "dormant",
        "不活跃": "dormant",
        "以往": "former",
        "前合作伙伴": "former",
        "已终止": "former",
        "过去": "former",
    },
    "kind:agreements": {
        "谅解备忘录": "mou",
        "合作备忘录": "mou",
        "框架协议": "mou",
        "备忘录": "mou",
        "mou": "mou",
        "谅解备忘录/框架协议": "mou",
        "学生交流": "student_exchange",
        "学生交流协议": "student_exchange",
        "教师交流": "staff_exchange",
        "人员交流": "staff_exchange",
        "教职工交流": "staff_exchange",
        "联合培养": "joint_education",
        "合作办学": "joint_education",
        "联合培养项目": "joint_education",
        "科研合作": "research",
        "研究合作": "research",
        "联合实验室": "joint_lab",
        "联合研发中心": "joint_lab",
        "联合实验室或研发中心": "joint_lab",
        "进修培训": "advanced_training",
        "进修": "advanced_training",
        "培训": "advanced_training",
        "国际会议合作": "conference",
        "会议合作": "conference",
        "政府间合作": "government",
        "政府合作": "government",
        "伊拉斯谟+校际协议": "erasmus_iia",
        "伊拉斯谟协议": "erasmus_iia",
        "erasmus+ iia": "erasmus_iia",
        "erasmus iia": "erasmus_iia",
        "iia": "erasmus_iia",
        "其他": "other",
    },
    "state:agreements": {
        "草稿": "draft",
        "审核中": "under_review",
        "审批中": "under_review",
        "待审核": "under_review",
        "已批准": "approved",
        "已审批": "approved",
        "生效": "active",
        "有效": "active",
        "已签署": "active",
        "生效中": "active",
        "active": "active",
        "已到期": "expired",
        "过期": "expired",
        "已过期": "expired",
        "已终止": "terminated",
        "终止": "terminated",
        "已续签": "renewed",
    },
    "channel": {
        "进修培训": "advanced_training",
        "进修": "advanced_training",
        "培训": "advanced_training",
        "科研合作": "research",
        "研究合作": "research",
        "学生交流": "student_exchange",
        "教师交流": "staff_exchange",
        "教职工交流": "staff_exchange",
        "staff exchange": "staff_exchange",
        "联合培养": "joint_education",
        "合作办学": "joint_education",
        "会议合作": "conference",
        "国际会议": "conference",
        "政府合作": "government",
        "政府间合作": "government",
        "联合实验室": "joint_lab",
        "联合研发中心": "joint_lab",
        "联合实验室/研发中心": "joint_lab",
        "文化交流": "cultural",
        "国际学生招生": "recruitment",
        "留学生招生": "recruitment",
        "招生": "recruitment",
    },
}

LANGUAGE_NAMES: dict[str, str] = {
    "english": "en",
    "英文": "en",
    "英语": "en",
    "chinese": "zh",
    "中文": "zh",
    "汉语": "zh",
    "简体中文": "zh",
    "french": "fr",
    "法文": "fr",
    "法语": "fr",
    "german": "de",
    "德文": "de",
    "德语": "de",
    "russian": "ru",
    "俄文": "ru",
    "俄语": "ru",
    "japanese": "ja",
    "日文": "ja",
    "日语": "ja",
    "korean": "ko",
    "韩文": "ko",
    "韩语": "ko",
    "spanish": "es",
    "西班牙文": "es",
    "西班牙语": "es",
    "italian": "it",
    "意大利文": "it",
    "意大利语": "it",
    "portuguese": "pt",
    "葡萄牙文": "pt",
    "葡萄牙语": "pt",
    "arabic": "ar",
    "阿拉伯文": "ar",
    "阿拉伯语": "ar",
    "thai": "th",
    "泰文": "th",
    "泰语": "th",
}


def choice_lookup(choices: type[models.TextChoices], synonyms_key: str) -> dict[str, str]:
    """Folded code, English label, Chinese label and synonyms → stored value."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[header_key(value)] = value
        with translation.override("en"):
            table[header_key(str(label))] = value
        with translation.override("zh-hans"):
            table.setdefault(header_key(str(label)), value)
    for word, value in CHOICE_SYNONYMS.get(synonyms_key, {}).items():
        table.setdefault(header_key(word), value)
    return table
