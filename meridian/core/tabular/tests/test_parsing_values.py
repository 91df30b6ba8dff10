"""Cell values as Chinese and Western Excel and WPS write them: dates, yes/no, lists and websites."""

from datetime import date, datetime

import pytest

from meridian.core.tabular import parsing as p


@pytest.mark.parametrize(
    "value",
    [
        "2024/3/1 0:00",
        "2024/03/01 00:00:00",
        20240301,
        20240301.0,
        "20240301",
        "2024年03月01号",
        "2024年3月1日",
        "2024年3月1日 0:00",
        "2024.3.1",
        "2024-3-1",
        "2024-03-01T09:30:00",
        "2024 / 3 / 1",
        45352,  # the Excel serial number of 2024-03-01
        datetime(2024, 3, 1, 0, 0),
    ],
)
def test_dates_as_excel_and_wps_write_them(value):
    assert p.parse_date(value) == date(2024, 3, 1)


@pytest.mark.parametrize("value", ["2024-03", "2024年3月", "2024/3", "2024.03", "2024年03月份"])
def test_a_month_without_a_day_is_refused_with_a_message_asking_for_the_day(value):
    with pytest.raises(p.CellError, match="month but no day"):
        p.parse_date(value)


@pytest.mark.parametrize("value", ["20241301", "20240230", "2024年2月30日", 19000100, "2024/3/1 25"])
def test_impossible_dates_are_refused(value):
    with pytest.raises(p.CellError, match="not a date"):
        p.parse_date(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("是", True),
        ("否", False),
        ("√", True),
        ("×", False),
        ("✓", True),
        ("✗", False),
        ("Y", True),
        ("N", False),
        ("TRUE", True),
        ("FALSE", False),
        ("有", True),
        ("无", False),
        (True, True),
    ],
)
def test_yes_and_no(value, expected):
    assert p.parse_bool(value) is expected


@pytest.mark.parametrize("value", ["maybe", "?", "是否"])
def test_other_words_are_not_yes_or_no(value):
    with pytest.raises(p.CellError, match="not yes or no"):
        p.parse_bool(value)


@pytest.mark.parametrize(
    "value",
    ["Erasmus、Europe", "Erasmus，Europe", "Erasmus;Europe", "Erasmus；Europe", "Erasmus, Europe",
     "Erasmus\nEurope", "Erasmus\r\nEurope", "Erasmus 、 Europe、Erasmus"],
)  # fmt: skip
def test_list_cells_accept_every_separator_offices_use(value):
    assert p.parse_list(value) == ["Erasmus", "Europe"]


def test_partner_cells_split_at_chinese_commas_and_line_breaks_but_not_inside_a_name():
    value = "University of California, Berkeley；清华大学、北京大学，复旦大学\nKIT; TUM"
    assert p.partner_refs(value) == [
        "University of California, Berkeley", "清华大学", "北京大学", "复旦大学", "KIT", "TUM",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "value, expected",
    [
        ("www.kit.edu", "https://www.kit.edu"),
        ("kit.edu/en/", "https://kit.edu/en/"),
        (" http://www.univie.ac.at ", "http://www.univie.ac.at"),
        ("HTTPS://www.tsinghua.edu.cn", "https://www.tsinghua.edu.cn"),
    ],
)
def test_a_website_without_a_scheme_is_accepted_with_https(value, expected):
    assert p.parse_website(value) == expected


@pytest.mark.parametrize(
    "value, reason",
    [
        ("info@uni-wien.ac.at", "e-mail address"),
        ("mailto:info@uni-wien.ac.at", "e-mail address"),
        ("www。tsinghua。edu。cn", "contains “。” in the domain name"),
        ("www.pku，edu.cn", "contains “，” in the domain name"),
        ("http://[x]/", "not a valid website address"),
        ("ftp://files.example.org", "https:// or http://"),
    ],
)
def test_bad_websites_are_refused_with_a_message(value, reason):
    with pytest.raises(p.CellError) as caught:
        p.parse_website(value)
    assert reason in caught.value.reason and value.strip() in caught.value.reason


def test_an_unknown_choice_names_the_known_ones():
    from django.db import models
    from django.utils import translation

    from meridian.core.tabular import columns as c
    from meridian.core.tabular import parsing as p

    class Kind(models.TextChoices):
        MOU = "mou", "Memorandum of understanding"
        EXCHANGE = "student_exchange", "Student exchange"

    lookup = c.choice_lookup(Kind, {"学生交流": "student_exchange"})
    assert p.parse_choice("学生交流", lookup) == "student_exchange"
    with translation.override("en"), pytest.raises(p.CellError) as refused:
        p.parse_choice("Exchange of students", lookup)
    assert refused.value.reason == (
        "“Exchange of students” is not a known value; use one of: "
        "Memorandum of understanding, Student exchange"
    )
