"""Header recognition: synonyms in both languages, required marks, near misses and the user's mapping."""

import pytest

from meridian.core.tabular import columns as c

PARTNER = [
    c.Column("name", "Name", "名称", required=True, synonyms=("Official name",)),
    c.Column("name_en", "English name", "英文名称"),
    c.Column("country", "Country", "国家", c.COUNTRY, required=True),
    c.Column("city", "City", "城市"),
    c.Column("website", "Website", "网站", c.WEBSITE),
    c.Column("latitude", "Latitude", "纬度", c.DECIMAL),
    c.Column("notes", "Notes", "备注"),
]
AGREEMENT = [
    c.Column("title_en", "Title (English)", "英文标题", required=True),
    c.Column("partners", "Partners", "合作方", c.PARTNER_REFS, required=True, synonyms=("Partner",)),
    c.Column("end_date", "End date", "结束日期", c.DATE),
]


def fields(headers, declared=PARTNER, mapping=None):
    """{header as written: field} for the recognised headers."""
    if mapping is None:
        found, _ignored, _repeated = c.match_headers(declared, headers)
    else:
        found, _ignored, _repeated = c.match_headers_with_mapping(declared, headers, mapping)
    return {headers[index]: column.field for index, column in found.items()}


@pytest.mark.parametrize(
    "header, field",
    [
        ("院校名称", "name"),
        ("合作院校名称", "name"),
        ("学校名称", "name"),
        ("机构名称", "name"),
        ("Institution", "name"),
        ("Institution name", "name"),
        ("Partner", "name"),
        ("Partner name", "name"),
        ("University", "name"),
        ("国别", "country"),
        ("国家/地区", "country"),
        ("国家（地区）", "country"),
        ("Country/Region", "country"),
        ("Nation", "country"),
        ("官网", "website"),
        ("网址", "website"),
        ("官方网站", "website"),
        ("主页", "website"),
        ("Homepage", "website"),
        ("URL", "website"),
        ("Web", "website"),
        ("所在城市", "city"),
        ("國家", "country"),  # Traditional characters
        ("名稱", "name"),
    ],
)
def test_office_header_words_in_both_languages(header, field):
    assert fields([header]) == {header: field}


@pytest.mark.parametrize(
    "header",
    [
        "名称*",
        "＊名称",
        "名称＊",
        "名称（必填）",
        "名称(必填)",
        "Name (required)",
        "Name *",
        "必填：名称",
        "※名称",
    ],
)
def test_required_marks_are_not_part_of_the_name(header):
    assert fields([header, "国家（必填）"]) == {header: "name", "国家（必填）": "country"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("国家(必填)", "国家"),
        ("Name (required)", "Name"),
        ("Required: Name", "Name"),
        ("备注（选填）", "备注"),
        ("国家（地区）", "国家（地区）"),  # a name in its own right, not a mark
        ("Name (English)", "Name (English)"),
    ],
)
def test_strip_required_marker(text, expected):
    assert c.strip_required_marker(text) == expected


def test_a_cell_with_a_chinese_and_an_english_header_matches_by_either_half():
    headers = ["院校名称\nInstitution name", "国家 Country", "Website（网址）"]
    assert fields(headers) == {headers[0]: "name", headers[1]: "country", headers[2]: "website"}


@pytest.mark.parametrize("header, field", [("Instituion name", "name"), ("Coutry", "country")])
def test_near_misses_are_recognised(header, field):
    found, ignored, _repeated = c.match_headers_explained(PARTNER, [header])
    assert [(m.column.field, m.how) for m in found.values()] == [(field, "fuzzy")]
    assert ignored == []


@pytest.mark.parametrize(
    "header",
    ["County", "Altitude", "Contact", "Phone", "Shoe size", "Date", "Remark date", "国籍", "国家代码"],
)
def test_unrelated_headers_are_never_mapped(header):
    found, ignored, _repeated = c.match_headers(PARTNER, [header])
    assert found == {} and ignored == [header]


def test_an_exact_match_wins_over_a_near_miss():
    found, ignored, repeated = c.match_headers_explained(PARTNER, ["Coutry", "Country"])
    assert {i: (m.column.field, m.how) for i, m in found.items()} == {1: ("country", "header")}
    assert ignored == ["Coutry"] and repeated == []


def test_of_two_near_misses_of_one_field_only_the_closer_is_taken():
    found, ignored, _repeated = c.match_headers(PARTNER, ["Contry", "Coutnry", "Name"])
    assert {i: col.field for i, col in found.items()} == {0: "country", 2: "name"}
    assert ignored == ["Coutnry"]


def test_two_headers_naming_one_field_the_second_is_repeated():
    found, ignored, repeated = c.match_headers(PARTNER, ["国别", "Name", "国家/地区"])
    assert [col.field for col in found.values()] == ["country", "name"]
    assert repeated == ["国家/地区"] and ignored == []


def test_own_headers_come_before_the_shared_table():
    # "Partner" is a name in a partner file (shared table) but the partners column of an agreement file.
    assert fields(["Partner"], PARTNER) == {"Partner": "name"}
    assert fields(["Partner", "Title"], AGREEMENT) == {"Partner": "partners", "Title": "title_en"}


def test_the_mapping_overrides_automatic_matching():
    headers = ["Col A", "Name", "Country", "Extra"]
    mapping = {"Col A": "name", "Name": "", "Extra": "no_such_field"}
    found, ignored, repeated = c.match_headers_with_mapping(PARTNER, headers, mapping)
    assert {headers[i]: col.field for i, col in found.items()} == {"Col A": "name", "Country": "country"}
    assert ignored == ["Name", "Extra"] and repeated == []


def test_the_mapping_may_name_a_column_the_automatic_match_would_not_find():
    headers = ["Ort", "Land", "Bezeichnung"]
    mapping = {"land": "country", "Bezeichnung": "name"}  # compared like header_key as well
    assert fields(headers, mapping=mapping) == {"Land": "country", "Bezeichnung": "name"}
    assert fields(headers) == {}


def test_mapping_two_headers_to_one_field_reports_the_second_as_repeated():
    found, _ignored, repeated = c.match_headers_with_mapping(PARTNER, ["A", "B"], {"A": "city", "B": "city"})
    assert [col.field for col in found.values()] == ["city"] and repeated == ["B"]


def test_header_score_weights_required_columns_and_counts_distinct_ones():
    assert c.header_score(PARTNER, ["Partner list 2024", None, None]) == 0.0
    assert c.header_score(PARTNER, ["City", "Notes"]) == 2.0
    assert c.header_score(PARTNER, ["名称", "国家"]) == 6.0
    assert c.header_score(PARTNER, ["名称", "国家", "国家/地区"]) == 6.0  # a repeat adds nothing
    assert c.header_score(PARTNER, ["名称", "Coutry"]) == 4.5  # a near miss counts half
    # A row of data can resemble a header only by accident: the real header scores higher.
    assert c.header_score(PARTNER, ["院校名称", "国别", "官网"]) > c.header_score(
        PARTNER, ["Universität Wien", "Austria", "www.univie.ac.at"]
    )
