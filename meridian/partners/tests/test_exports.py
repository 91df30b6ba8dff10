"""The partner list exported in the reader's language, as CSV with a BOM and as a formatted workbook."""

import csv
import io
from datetime import date, datetime

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from meridian.partners.tests.factories import PartnerFactory


def test_chinese_reader_gets_chinese_headers_countries_and_units(people, login, org, germany):
    PartnerFactory(
        name="Universität Heidelberg",
        name_zh="海德堡大学",
        country=germany,
        owner_unit=org.computing,
        cooperating_since=date(2019, 9, 1),
    )
    response = login(people.officer).get(
        reverse("partners:export"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    with translation.override("zh-hans"):
        assert header[7] == gettext("Country") and header[17] == gettext("Managing unit")
    row = [cell.value for cell in sheet[2]]
    assert row[7] == "德国" and row[17] == "计算机系"
    since = sheet.cell(row=2, column=17)
    assert since.is_date and since.value == datetime(2019, 9, 1) and since.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.auto_filter.ref.endswith("2")
    assert sheet.column_dimensions["B"].width == len("Universität Heidelberg") + 2


def test_csv_has_a_byte_order_mark_and_english_names_for_an_english_reader(people, login, org, germany):
    PartnerFactory(name="Universität Heidelberg", country=germany, owner_unit=org.computing)
    response = login(people.officer).get(
        reverse("partners:export"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][7] == "Germany" and rows[1][17] == "Department of Computing"


def test_chinese_workbook_has_no_english_interface_words(people, login, org, germany):
    from tests.browser.english import english_left

    PartnerFactory(
        name="Universität Heidelberg", name_zh="海德堡大学", country=germany, owner_unit=org.computing
    )
    response = login(people.officer).get(
        reverse("partners:export"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "合作伙伴"
    headers = [str(cell.value) for cell in sheet[1]]
    assert [header for header in headers if english_left(header, allow={"SCHAC"})] == []
