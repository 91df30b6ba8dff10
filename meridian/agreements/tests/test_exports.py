"""The agreement list exported in the reader's language, as CSV with a BOM and as a formatted workbook."""

import csv
import io
from datetime import date, datetime

from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from meridian.agreements.views.lists import export_headers
from meridian.partners.tests.factories import PartnerFactory


def _xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_chinese_reader_gets_chinese_headers_names_countries_and_units(
    client, people, make_agreement, germany
):
    partner = PartnerFactory(
        name="Universität Heidelberg", name_en="Heidelberg University", name_zh="海德堡大学", country=germany
    )
    make_agreement(partners=[partner], start_date=date(2024, 3, 1), end_date=date(2029, 2, 28))
    client.force_login(people.officer)
    response = client.get(reverse("agreements:export"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet, rows = _xlsx_rows(response)
    with translation.override("zh-hans"):
        assert rows[0] == export_headers()  # in the reader's language (Chinese where the catalogue is built)
    partners, countries, unit = rows[1][5], rows[1][6], rows[1][7]
    assert (partners, countries, unit) == ("海德堡大学", "德国", "计算机系")
    start, end = sheet.cell(row=2, column=9), sheet.cell(row=2, column=10)
    assert start.is_date and start.value == datetime(2024, 3, 1) and start.number_format == "yyyy-mm-dd"
    assert end.value == datetime(2029, 2, 28)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:K2"
    assert sheet.title == "协议"  # the sheet is named in the reader's language, not after the file


def test_english_reader_gets_english_names(client, people, make_agreement, germany):
    partner = PartnerFactory(
        name="Universität Heidelberg", name_en="Heidelberg University", name_zh="海德堡大学", country=germany
    )
    make_agreement(partners=[partner])
    client.force_login(people.officer)
    response = client.get(reverse("agreements:export"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][5:8] == ["Partners", "Countries", "Responsible unit"]
    assert rows[1][5:8] == ["Heidelberg University", "Germany", "Department of Computing"]
