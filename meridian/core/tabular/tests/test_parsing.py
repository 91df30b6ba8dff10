from datetime import date

import pytest

from meridian.core.tabular import parsing as p
from meridian.core.tabular.columns import COUNTRY, DECIMAL, TEXT, Column, match_headers
from meridian.core.tabular.readers import Formula

COLUMNS = [
    Column("name", "Name", "机构名称", required=True, synonyms=("Official name", "名称")),
    Column("country", "Country", "国家或地区", parse=COUNTRY, required=True),
    Column("city", "City", "城市"),
]


def test_headers_match_in_either_language_and_unknown_are_ignored():
    found, ignored, repeated = match_headers(COLUMNS, [" official  NAME ", "国家或地区", "Shoe size", "名称"])
    assert [c.field for c in found.values()] == ["name", "country"]
    assert ignored == ["Shoe size"]
    assert repeated == ["名称"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("2026/3/1", date(2026, 3, 1)),
        ("2026年3月1日", date(2026, 3, 1)),
        ("2026-03-01 00:00:00", date(2026, 3, 1)),
        (46082, date(2026, 3, 1)),
        (date(2026, 3, 1), date(2026, 3, 1)),
    ],
)
def test_dates(value, expected):
    assert p.parse_date(value) == expected


@pytest.mark.parametrize("value", ["1/3/2026", "2026-02-30", "soon", 12])
def test_bad_dates(value):
    with pytest.raises(p.CellError, match="not a date"):
        p.parse_date(value)


@pytest.mark.parametrize("value", ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "＝1"])
def test_formula_like_text_is_refused(value):
    with pytest.raises(p.CellError, match="formula"):
        p.check_formula(value, TEXT)


@pytest.mark.parametrize("value", ["-33.86", "+49.1", -33.86])
def test_signed_numbers_are_fine_in_numeric_columns(value):
    p.check_formula(value, DECIMAL)
    assert p.parse_decimal(value) in (p.parse_decimal("-33.86"), p.parse_decimal("49.1"))


def test_formula_in_numeric_column_is_refused():
    with pytest.raises(p.CellError, match="formula"):
        p.check_formula("=A1*2", DECIMAL)
    with pytest.raises(p.CellError, match="formula"):
        p.check_formula(Formula("=A1"), DECIMAL)


def test_languages_and_ror():
    assert p.parse_languages("English；中文, fr") == "en, zh, fr"
    assert p.parse_ror("https://ror.org/038T36Y30") == "038t36y30"
    with pytest.raises(p.CellError):
        p.parse_languages("Klingon")
