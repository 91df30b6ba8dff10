"""Workbooks and header layouts as offices have them: hidden and instruction sheets, stale sheet sizes written
by WPS Office and exporters, a title row above the header, and two-row headers with merged group cells."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from meridian.core.tabular.readers import ImportFileError, combine_header_rows, open_table
from meridian.core.tabular.tests.helpers import xlsx_bytes

KNOWN = {"院校名称", "国家", "城市", "官网", "邮箱", "name", "country", "city", "website"}

PARTNER_HEADER = ["院校名称", "国家", "城市", "官网", "邮箱"]
PARTNER_ROWS = [
    ["清华大学", "中国", "北京", "tsinghua.edu.cn", "intl@tsinghua.edu.cn"],
    ["东京大学", "日本", "东京", "u-tokyo.ac.jp", "exchange@u-tokyo.ac.jp"],
    ["首尔大学", "韩国", "首尔", "snu.ac.kr", "oia@snu.ac.kr"],
]


def score(values: list[object]) -> float:
    """How many cells name a known column: the kind of rating an import kind gives a header row."""
    return float(sum(1 for value in values if str(value or "").strip().lower() in KNOWN))


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read(data: bytes, **options):
    table = open_table(io.BytesIO(data), **options)
    return table, list(table.rows)


def _data_sheet(workbook: Workbook, title: str = "院校名单", *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet(title)
    sheet.title = title
    sheet.append(PARTNER_HEADER)
    for row in PARTNER_ROWS:
        sheet.append(row)
    return sheet


# Sheets ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_of_drop_down_lists_is_not_read(state):
    workbook = Workbook()
    lists = workbook.active
    lists.title = "lists"
    for country in ("中国", "日本", "韩国", "德国"):
        lists.append([country])
    lists.sheet_state = state
    _data_sheet(workbook)
    for header_score in (score, None):
        table, rows = _read(_save(workbook), header_score=header_score)
        assert (table.sheet, table.sheets, table.headers) == ("院校名单", ["院校名单"], PARTNER_HEADER)
        assert rows[0] == (2, PARTNER_ROWS[0])


def test_an_instructions_sheet_first_is_not_read_instead_of_the_data():
    workbook = Workbook()
    notes = workbook.active
    notes.title = "填写说明"
    notes.append(["填写说明"])
    notes.append(["1. 请勿修改表头；带 * 的列为必填。"])
    notes.append(["2. 国家请填写中文名称或 ISO 代码，例如：中国、CN。"])
    notes.append(["3. 官网可不带 http://。"])
    _data_sheet(workbook)
    table, rows = _read(_save(workbook), header_score=score)
    assert table.sheet == "院校名单"
    assert table.sheets == ["填写说明", "院校名单"]
    assert table.headers == PARTNER_HEADER
    assert [values for _n, values in rows] == PARTNER_ROWS


def test_the_best_fitting_sheet_is_read_wherever_it_is():
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    summary.append(["年份", "数量"])
    summary.append([2024, 3])
    _data_sheet(workbook, "2024")
    other = workbook.create_sheet("备注")
    other.append(["名称"])
    table, _rows = _read(_save(workbook), header_score=score)
    assert (table.sheet, table.sheets) == ("2024", ["汇总", "2024", "备注"])


def test_a_named_sheet_is_read():
    workbook = Workbook()
    _data_sheet(workbook, "2023", first=True)
    later = workbook.create_sheet("2024")
    later.append(PARTNER_HEADER)
    later.append(["京都大学", "日本", "京都", "kyoto-u.ac.jp", ""])
    table, rows = _read(_save(workbook), sheet="2024", header_score=score)
    assert (table.sheet, rows) == ("2024", [(2, ["京都大学", "日本", "京都", "kyoto-u.ac.jp", None])])


def test_an_unknown_sheet_name_is_refused_with_the_visible_sheets():
    workbook = Workbook()
    workbook.active.title = "lists"
    workbook.active.sheet_state = "hidden"
    _data_sheet(workbook, "院校名单")
    _data_sheet(workbook, "2023")
    with pytest.raises(ImportFileError) as caught:
        open_table(io.BytesIO(_save(workbook)), sheet="Sheet1")
    assert (
        caught.value.message
        == "The workbook has no sheet named “Sheet1”. Its sheets are: “院校名单”, “2023”."
    )


def test_a_stale_stored_sheet_size_drops_no_column_or_row():
    """WPS Office and some exporters store <dimension ref="A1:B2"/> for a sheet that is larger."""
    data = xlsx_bytes(
        PARTNER_HEADER, [*PARTNER_ROWS, [], ["京都大学", "日本", "京都", "kyoto-u.ac.jp", "x@kyoto-u.ac.jp"]]
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content, count = re.subn(
                    rb'<dimension ref="[^"]+"\s*/>', b'<dimension ref="A1:B2"/>', content
                )
                assert count == 1
            target.writestr(info, content)
    table, rows = _read(patched.getvalue(), header_score=score)
    assert table.headers == PARTNER_HEADER
    assert rows[:3] == [(2, PARTNER_ROWS[0]), (3, PARTNER_ROWS[1]), (4, PARTNER_ROWS[2])]
    assert rows[-1] == (6, ["京都大学", "日本", "京都", "kyoto-u.ac.jp", "x@kyoto-u.ac.jp"])


def test_without_a_header_score_the_first_visible_sheet_with_data_is_read():
    """How a caller that cannot judge headers (counting a file's rows) sees a workbook."""
    workbook = Workbook()
    workbook.active.title = "空白"
    _data_sheet(workbook)
    table, rows = _read(_save(workbook))
    assert (table.sheet, table.header_row, len(rows)) == ("院校名单", 1, 3)


def test_a_workbook_whose_visible_sheets_are_blank_is_empty():
    workbook = Workbook()
    workbook.active.title = "空白"
    hidden = _data_sheet(workbook, "lists")
    hidden.sheet_state = "hidden"
    with pytest.raises(ImportFileError, match="empty"):
        open_table(io.BytesIO(_save(workbook)), header_score=score)


# Header rows -----------------------------------------------------------------------------------------------


def test_a_merged_title_row_above_the_header_is_skipped():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2024年合作院校名单"])
    sheet.merge_cells("A1:E1")
    sheet.append(PARTNER_HEADER)
    for row in PARTNER_ROWS:
        sheet.append(row)
    table, rows = _read(_save(workbook), header_score=score)
    assert (table.header_row, table.headers) == (2, PARTNER_HEADER)
    assert rows[0] == (3, PARTNER_ROWS[0])
    assert len(rows) == 3


def test_a_two_row_header_with_merged_group_cells_is_one_header():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["院校信息", None, None, "联系方式", None])
    sheet.merge_cells("A1:C1")
    sheet.merge_cells("D1:E1")
    sheet.append(PARTNER_HEADER)
    for row in PARTNER_ROWS:
        sheet.append(row)
    table, rows = _read(_save(workbook), header_score=score)
    assert (table.header_row, table.headers) == (2, PARTNER_HEADER)
    assert [number for number, _values in rows] == [3, 4, 5]


def test_a_two_row_header_with_cells_merged_down_takes_both_rows():
    """院校名称 spans rows 1–2 (its value is in row 1 only); 官网 and 邮箱 sit under the group 联系方式."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["院校名称", "国家", "联系方式", None])
    sheet.append([None, None, "官网", "邮箱"])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:D1")
    sheet.append(["清华大学", "中国", "tsinghua.edu.cn", "intl@tsinghua.edu.cn"])
    table, rows = _read(_save(workbook), header_score=score)
    assert (table.header_row, table.headers) == (2, ["院校名称", "国家", "官网", "邮箱"])
    assert rows == [(3, ["清华大学", "中国", "tsinghua.edu.cn", "intl@tsinghua.edu.cn"])]


def test_a_csv_title_row_and_blank_lines_above_the_header():
    data = (
        "2024年合作院校名单,,,,\r\n,,,,\r\n" + ",".join(PARTNER_HEADER) + "\r\n" + "清华大学,中国,北京,,\r\n"
    ).encode("gb18030")
    table, rows = _read(data, header_score=score)
    assert (table.header_row, table.headers, table.encoding) == (3, PARTNER_HEADER, "gb18030")
    assert rows == [(4, ["清华大学", "中国", "北京", "", ""])]


def test_a_csv_two_row_header():
    lines = ["院校信息,,,联系方式,", "院校名称,国家,城市,官网,邮箱", "清华大学,中国,北京,tsinghua.edu.cn,"]
    data = "\r\n".join([*lines, ""]).encode()
    table, rows = _read(data, header_score=score)
    assert (table.header_row, table.headers) == (2, PARTNER_HEADER)
    assert rows == [(3, ["清华大学", "中国", "北京", "tsinghua.edu.cn", ""])]


def test_without_a_header_score_the_first_non_blank_row_is_the_header():
    data = ",,\r\n2024年合作院校名单,,\r\nName,Country,City\r\nx,FR,Paris\r\n".encode()
    table, rows = _read(data)
    assert (table.header_row, table.headers) == (2, ["2024年合作院校名单", "", ""])
    assert rows[0] == (3, ["Name", "Country", "City"])


def test_when_no_row_looks_like_a_header_the_first_one_is_taken():
    table, rows = _read(b"Foo,Bar\r\nx,y\r\n", header_score=lambda values: 0.0)
    assert (table.header_row, table.headers, rows) == (1, ["Foo", "Bar"], [(2, ["x", "y"])])


def test_a_header_is_looked_for_in_the_first_twenty_non_blank_rows_only():
    notes = "".join(f"note {i}\r\n" for i in range(25))
    data = (notes + "Name,Country\r\nx,FR\r\n").encode()
    table, _rows = _read(data, header_score=score)
    assert table.header_row == 1  # nothing scored in the first 20 rows: the first one is taken
    data = ("".join(f"note {i}\r\n" for i in range(19)) + "Name,Country\r\nx,FR\r\n").encode()
    table, rows = _read(data, header_score=score)
    assert (table.header_row, table.headers, rows) == (20, ["Name", "Country"], [(21, ["x", "FR"])])


@pytest.mark.parametrize(
    ("upper", "lower", "combined"),
    [
        (["院校信息", None, None, "联系方式", None], PARTNER_HEADER, PARTNER_HEADER),
        (
            ["院校名称", "国家", "联系方式", None],
            [None, None, "官网", "邮箱"],
            ["院校名称", "国家", "官网", "邮箱"],
        ),
        (["院校信息", None, "联系方式"], [None, "国家", "邮箱"], ["院校信息", "国家", "邮箱"]),
        # a group carries only as far as the lower row reaches: no header is made up past its end
        (["名称", "联系方式", "", "", ""], ["", "官网"], ["名称", "官网"]),
        (["", "", "备注"], ["名称", "国家"], ["名称", "国家", "备注"]),
    ],
)
def test_combine_header_rows(upper, lower, combined):
    assert combine_header_rows(upper, lower) == combined


# --- very long cells ------------------------------------------------------------------------------------


def test_a_very_long_cell_is_read_as_a_value_not_looked_at_as_a_header():
    """A notes cell of 200,000 characters among the first rows: the header search does not try it as a header
    (it used to take minutes, the work growing with the square of its length) and the csv module's 128 KiB
    field limit does not refuse the file; the value reaches the import, which refuses it for its field."""
    from meridian.core.tabular import columns as c
    from meridian.core.tabular.readers import open_table

    declared = [c.Column("name", "Name", "名称", required=True), c.Column("notes", "Notes", "备注")]
    long_words = "word " * 40_000
    data = f"Name,Notes\nHeidelberg,{long_words}\nWien,short\n".encode()
    table = open_table(io.BytesIO(data), header_score=lambda headers: c.header_score(declared, headers))
    assert table.headers == ["Name", "Notes"]
    rows = list(table.rows)
    assert [values[0] for _number, values in rows] == ["Heidelberg", "Wien"]
    assert len(rows[0][1][1]) == len(long_words)
    assert c._header_candidates("x" * (c.MAX_HEADER_LENGTH + 1)) == []
    assert c._header_candidates("国家 Country") == ["国家 Country", "国家", "Country"]


def test_language_sub_headers_under_a_merged_name_give_the_chinese_and_english_name_columns():
    """院校名称 merged over 中文 | 英文, with 国家/地区 and 城市 merged over both header rows."""
    from meridian.core.tabular import columns as c

    declared = [
        c.Column("name", "Name", "名称", required=True, synonyms=("院校名称",)),
        c.Column("name_en", "English name", "英文名称"),
        c.Column("name_zh", "Chinese name", "中文名称"),
        c.Column("country", "Country", "国家", required=True, synonyms=("国家/地区",)),
        c.Column("city", "City", "城市"),
    ]
    combined = combine_header_rows(["院校名称", None, "国家/地区", "城市"], ["中文", "英文", None, None])
    assert combined == ["院校名称 (中文)", "院校名称 (英文)", "国家/地区", "城市"]
    found, ignored, _repeated = c.match_headers_with_mapping(declared, combined, {})
    assert {index: column.field for index, column in found.items()} == {
        0: "name_zh",
        1: "name_en",
        2: "country",
        3: "city",
    }
    assert ignored == []
    # Written in one cell, or in English, the same.
    found, _ignored, _repeated = c.match_headers_with_mapping(
        declared, ["Name", "Name (English)", "名称（中文）", "Country"], {}
    )
    assert [column.field for _index, column in sorted(found.items())] == [
        "name",
        "name_en",
        "name_zh",
        "country",
    ]
