"""CSV and XLSX exports read back byte by byte: BOM, widths, frozen header, filter, date cells, formulas."""

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from meridian.core.spreadsheet import display_width, export_response

HEADERS = ["名称", "Country", "Since", "Updated"]
ROWS = [
    ["清华大学", "中国", date(2024, 3, 1), datetime(2024, 3, 1, 9, 30)],
    ['=HYPERLINK("http://evil.example")', "Austria", None, None],
    ["Ruprecht-Karls-Universität Heidelberg " * 3, "Germany", date(1999, 12, 31), None],
]


def workbook(rows=ROWS, headers=HEADERS):
    response = export_response(fmt="xlsx", filename="partners-20240301", headers=headers, rows=iter(rows))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_csv_starts_with_a_utf8_byte_order_mark_and_keeps_chinese():
    response = export_response(fmt="csv", filename="partners", headers=HEADERS, rows=ROWS)
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1][:3] == ["清华大学", "中国", "2024-03-01"]
    assert rows[2][0] == '\'=HYPERLINK("http://evil.example")'


def test_xlsx_header_is_frozen_bold_and_filtered_over_the_whole_table():
    sheet = workbook()
    assert sheet.title == "partners-20240301"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.b for cell in sheet[1])


def test_xlsx_dates_are_real_date_cells():
    sheet = workbook()
    since, updated = sheet["C2"], sheet["D2"]
    assert since.is_date and since.value == datetime(2024, 3, 1) and since.number_format == "yyyy-mm-dd"
    assert updated.is_date and updated.value == datetime(2024, 3, 1, 9, 30)
    assert updated.number_format == "yyyy-mm-dd hh:mm"
    assert sheet["C4"].value == datetime(1999, 12, 31)


def test_xlsx_column_widths_fit_the_content_within_bounds():
    sheet = workbook()
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["A"] == 60  # a very long name is capped
    assert widths["B"] == 9  # "Country" (7) + 2
    assert widths["C"] == 12  # a date: 10 + 2
    assert widths["D"] == 18  # a date and time: 16 + 2
    narrow = workbook(rows=[["x", "y", None, None]], headers=["A", "B", "C", "D"])
    assert narrow.column_dimensions["A"].width == 8  # the minimum


def test_chinese_characters_count_double_width():
    assert display_width("清华大学") == 8
    assert display_width("ＫＩＴ") == 6
    assert display_width("KIT") == 3
    assert display_width("one\nlonger line") == 11


def test_formulas_are_neutralised_in_xlsx():
    sheet = workbook()
    assert sheet["A3"].value == '\'=HYPERLINK("http://evil.example")'
    assert sheet["A3"].data_type == "s"


def test_every_row_is_written_beyond_the_width_sample():
    rows = [[f"Partner {n}", "AT", date(2024, 1, 1), None] for n in range(1203)]
    sheet = workbook(rows=rows)
    assert sheet.max_row == 1204 and sheet.auto_filter.ref == "A1:D1204"
    assert sheet["A1204"].value == "Partner 1202"
