"""Building spreadsheets for the import tests (CSV and XLSX made on the fly)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

PARTNER_HEADERS_EN = [
    "Name",
    "English name",
    "Chinese name",
    "Type",
    "Country",
    "City",
    "Website",
    "ROR ID",
    "Status",
    "Tags",
    "Public",
    "Latitude",
    "Longitude",
]
PARTNER_HEADERS_ZH = [
    "机构名称",
    "英文名称",
    "中文名称",
    "类型",
    "国家或地区",
    "城市",
    "网站",
    "ROR ID",
    "合作状态",
    "标签",
    "公开",
    "纬度",
    "经度",
]
PARTNER_ROWS = [
    [
        "Ruprecht-Karls-Universität Heidelberg",
        "Heidelberg University",
        "海德堡大学",
        "University",
        "DE",
        "Heidelberg",
        "https://www.uni-heidelberg.de",
        "038t36y30",
        "Active",
        "Erasmus; Europe",
        "yes",
        "49.398750",
        "8.672434",
    ],
    [
        "Sorbonne Université",
        "Sorbonne University",
        "索邦大学",
        "university",
        "France",
        "Paris",
        "https://www.sorbonne-universite.fr",
        "",
        "prospect",
        "",
        "no",
        "",
        "",
    ],
]
PARTNER_ROWS_ZH = [
    [
        "Ruprecht-Karls-Universität Heidelberg",
        "Heidelberg University",
        "海德堡大学",
        "大学",
        "德国",
        "Heidelberg",
        "https://www.uni-heidelberg.de",
        "038t36y30",
        "合作中",
        "Erasmus；Europe",
        "是",
        "49.398750",
        "8.672434",
    ],
    [
        "Sorbonne Université",
        "Sorbonne University",
        "索邦大学",
        "高校",
        "法国",
        "Paris",
        "https://www.sorbonne-universite.fr",
        "",
        "潜在",
        "",
        "否",
        "",
        "",
    ],
]


def csv_bytes(
    headers: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_file(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
