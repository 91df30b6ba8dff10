import io
import zipfile

import pytest

from meridian.core.tabular.readers import Formula, ImportFileError, open_table
from meridian.core.tabular.tests.helpers import csv_bytes, xlsx_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def _rows(data: bytes) -> tuple[list, list]:
    table = open_table(io.BytesIO(data))
    return table.headers, list(table.rows)


@pytest.mark.parametrize("data", [PNG, PDF, b"GIF89a" + b"\x00" * 10, b"abc\x00def"])
def test_binary_files_are_not_spreadsheets(data):
    with pytest.raises(ImportFileError, match="not a CSV or XLSX"):
        open_table(io.BytesIO(data))


def test_zip_without_workbook_is_not_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFileError, match="not a CSV or XLSX"):
        open_table(io.BytesIO(buffer.getvalue()))


def test_truncated_xlsx_is_damaged():
    data = xlsx_bytes(["Name"], [["A"]])
    with pytest.raises(ImportFileError, match="damaged"):
        open_table(io.BytesIO(data[: len(data) // 2]))


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_files(data):
    with pytest.raises(ImportFileError, match="empty"):
        open_table(io.BytesIO(data))


def test_empty_xlsx():
    with pytest.raises(ImportFileError, match="empty"):
        open_table(io.BytesIO(xlsx_bytes([], [])))


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiter_is_sniffed(delimiter):
    data = csv_bytes(["Name", "Country", "City"], [["Uni, Paris", "FR", "Paris"]], delimiter=delimiter)
    headers, rows = _rows(data)
    assert headers == ["Name", "Country", "City"]
    assert rows == [(2, ["Uni, Paris", "FR", "Paris"])]


def test_csv_in_gb18030_from_chinese_excel():
    data = csv_bytes(["名称", "国家"], [["北京大学", "中国"]], encoding="gb18030")
    headers, rows = _rows(data)
    assert headers == ["名称", "国家"]
    assert rows[0][1] == ["北京大学", "中国"]


def test_csv_with_bom_loses_it():
    headers, _rows_ = _rows(csv_bytes(["Name"], [["x"]], encoding="utf-8-sig"))
    assert headers == ["Name"]


def test_xlsx_formula_cells_are_seen_as_formulas():
    headers, rows = _rows(xlsx_bytes(["Name", "Latitude"], [['=HYPERLINK("http://x")', 12.5]]))
    assert headers == ["Name", "Latitude"]
    number, values = rows[0]
    assert number == 2
    assert isinstance(values[0], Formula)
    assert values[1] == 12.5


def test_xlsx_zip_bomb_is_refused_with_a_clear_message():
    from meridian.core.tests.zip_bombs import xlsx_bomb

    with pytest.raises(ImportFileError, match="too large once unpacked"):
        open_table(io.BytesIO(xlsx_bomb(mib=300)))


def test_excel_unicode_text_is_utf16_with_tabs():
    data = "名称\t国家\r\n北京大学\t中国\r\n".encode("utf-16")
    headers, rows = _rows(data)
    assert headers == ["名称", "国家"]
    assert rows == [(2, ["北京大学", "中国"])]


def test_excel_separator_hint_line():
    headers, rows = _rows(b"sep=;\r\nName;Country\r\nUni, Paris;FR\r\n")
    assert headers == ["Name", "Country"]
    assert rows == [(2, ["Uni, Paris", "FR"])]


def test_reading_leaves_the_callers_stream_open():
    stream = io.BytesIO(csv_bytes(["Name"], [["x"]]))
    table = open_table(stream)
    list(table.rows)
    assert not stream.closed


def test_a_csv_header_hundreds_of_thousands_of_columns_wide_is_refused_at_once():
    # A 1.9 MB file of 200,000 columns used to take a web worker to 1.3 GB and past its timeout.
    data = (",".join(f"c{i}" for i in range(200_000)) + "\n" + ",".join("x" * 200_000) + "\n").encode()
    with pytest.raises(ImportFileError, match=r"Row 1 has 200,000 columns; an import reads at most 300\."):
        _rows(data)


def test_a_data_row_wider_than_the_limit_is_refused_with_its_number():
    data = csv_bytes(["Name", "Country"], [["Alpha", "AT"], ["Beta", "DE", *["x"] * 400]])
    with pytest.raises(ImportFileError, match=r"Row 3 has 402 columns"):
        _rows(data)


def test_trailing_empty_cells_do_not_count_as_columns():
    data = ("Name,Country" + "," * 1000 + "\nAlpha,AT" + "," * 5000 + "\n").encode()
    headers, rows = _rows(data)
    assert headers[:2] == ["Name", "Country"]
    assert rows[0][1][:2] == ["Alpha", "AT"]
    assert len(rows[0][1]) <= 300


def test_a_workbook_row_wider_than_the_limit_is_refused():
    data = xlsx_bytes(["Name", "Country"], [["Alpha", "AT", *range(400)]])
    with pytest.raises(ImportFileError, match=r"Row 2 has 402 columns"):
        _rows(data)
