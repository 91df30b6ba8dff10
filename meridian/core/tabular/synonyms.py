"""Header words offices use for the fields of an import, in Chinese and English, keyed by field name.

A column's own ``header_en``, ``header_zh`` and ``synonyms`` are tried first; this table adds the words found
in office spreadsheets and templates (Chinese university templates, Excel and WPS exports, ministry report
forms). A word is listed under a field only where it names that field and nothing else an import reads, so
that a file with several columns never has two of them fall on one field: generic words such as "编号" or
"No." (usually a row count, 序号) are deliberately absent.

The table is keyed by field name and shared by every import kind; a kind uses only the entries of the fields
it declares.
"""

from __future__ import annotations

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    # --- partners ---------------------------------------------------------------------------------------
    "name": (
        "名称", "院校名称", "合作院校名称", "合作院校", "学校名称", "高校名称", "大学名称", "机构名称",
        "合作机构名称", "单位名称", "院校", "外方院校名称", "正式名称", "官方名称",
        "Name", "Institution", "Institution name", "Name of institution", "Partner", "Partner name",
        "Partner institution", "University", "University name", "Organisation", "Organization",
        "Organisation name", "Organization name", "Official name", "Institution (official name)",
    ),
    "name_en": (
        "英文名称", "英文名", "英文校名", "外文名称", "院校英文名称", "机构英文名称",
        "English name", "Name (English)", "Name (EN)", "Name in English", "Institution name (English)",
    ),
    "name_zh": (
        "中文名称", "中文名", "中文校名", "院校中文名称", "机构中文名称",
        "Chinese name", "Name (Chinese)", "Name (ZH)", "Name (CN)", "Name in Chinese",
        "Institution name (Chinese)",
    ),
    "acronym": ("简称", "缩写", "英文缩写", "Acronym", "Abbreviation", "Short name"),
    "kind": ("类型", "类别", "Type", "Category"),
    "country": (
        "国家", "国别", "国家/地区", "国家（地区）", "国家或地区", "国家和地区", "国家(地区)", "所在国家",
        "所在国家/地区", "所在国家（地区）", "所属国家", "所属国家/地区", "国家地区",
        "Country", "Country/Region", "Country / region", "Country or region", "Country (region)",
        "Country/Territory", "Nation", "Country name",
    ),
    "city": ("城市", "所在城市", "所在地", "City", "Town", "City/Town"),
    "province": (
        "省/州", "省份", "州", "省", "所在省州", "省/州/地区",
        "Province", "State", "Province / state", "State/Province", "Province/State",
    ),
    "website": (
        "网站", "官网", "网址", "官方网站", "学校网址", "学校官网", "院校网址", "院校官网", "主页", "网页",
        "网站地址", "Website", "Web site", "Homepage", "Home page", "URL", "Web", "Web address",
        "Website URL", "Internet address",
    ),
    "ror_id": ("ROR", "ROR ID", "ROR编号", "ROR标识"),
    "erasmus_code": ("Erasmus", "Erasmus code", "Erasmus ID", "Erasmus代码", "Erasmus编码", "伊拉斯谟代码"),
    "pic": ("PIC", "PIC code", "PIC number", "PIC代码", "PIC编码"),
    "schac_code": ("SCHAC", "SCHAC code", "SCHAC代码", "SCHAC编码"),
    "status": ("合作状态", "状态", "Status", "Relationship status", "Partnership status"),
    "cooperating_since": (
        "合作起始", "合作起始日期", "合作开始", "合作开始时间", "开始合作时间", "建立合作时间", "建交时间",
        "Cooperating since", "Partner since", "Cooperation since", "Partnership since",
    ),
    "tags": ("标签", "关键词", "Tags", "Keywords"),
    "is_public": ("公开", "是否公开", "对外公开", "Public", "Published", "Shown publicly"),
    "notes": ("备注", "说明", "内部备注", "Notes", "Remarks", "Comments", "Internal notes"),
    "latitude": ("纬度", "Latitude", "Lat"),
    "longitude": ("经度", "Longitude", "Lng", "Lon"),
    # --- agreements -------------------------------------------------------------------------------------
    "number": (
        "协议编号", "合同编号", "协议号", "Number", "Agreement number", "Agreement no.", "Agreement No",
        "Agreement ID", "Reference number",
    ),
    "title_en": (
        "英文标题", "协议英文名称", "英文协议名称", "协议名称（英文）", "协议名称(英文)",
        "Title", "Title (English)", "English title", "Agreement title",
    ),
    "title_zh": (
        "中文标题", "协议名称", "协议中文名称", "中文协议名称", "协议名称（中文）", "协议名称(中文)",
        "Title (Chinese)", "Chinese title",
    ),
    "partners": (
        "合作方", "合作伙伴", "合作机构", "合作院校", "合作单位", "外方院校", "外方机构", "对方院校",
        "合作院校名称", "Partners", "Partner", "Partner institution", "Partner institutions",
        "Partner name", "Partner names",
    ),
    "channels": ("合作渠道", "渠道", "合作方式", "Channels", "Channel", "Cooperation channels"),
    "responsible_unit": (
        "负责单位", "责任单位", "承办单位", "主管单位", "负责部门", "归口单位", "牵头单位",
        "Responsible unit", "Unit", "Responsible department", "Department", "Managing unit",
    ),
    "start_date": (
        "开始日期", "生效日期", "起始日期", "开始时间", "生效时间", "有效期起",
        "Start date", "Start", "Effective date", "Valid from", "Date of effect",
    ),
    "end_date": (
        "结束日期", "到期日期", "截止日期", "终止日期", "失效日期", "到期时间", "结束时间", "有效期至",
        "有效期止", "End date", "End", "Expiry date", "Expiration date", "Expires", "Valid until", "Valid to",
    ),
    "state": ("状态", "协议状态", "State", "Status", "Agreement status"),
    "auto_renew": (
        "自动续签", "自动续约", "是否自动续签", "Auto renew", "Auto-renew", "Automatic renewal",
        "Renews automatically",
    ),
    "renewal_notice_days": (
        "提前通知天数", "通知期", "通知期（天）", "Notice period", "Notice period (days)", "Notice days",
    ),
    "languages": ("文本语言", "语言", "协议语言", "Languages", "Language", "Languages of the text"),
    "description": ("说明", "描述", "备注", "协议内容", "Description", "Notes", "Remarks", "Summary"),
}  # fmt: skip
