"""The search page lists the record types it searches with the language's list separator ("、" in Chinese)."""

import pytest
from django.urls import reverse

from meridian.core.tests.chinese_catalog import use_chinese_catalog

pytestmark = pytest.mark.django_db

URL = reverse("search:home")


def test_types_are_joined_with_the_chinese_enumeration_comma(client, people, settings, tmp_path):
    use_chinese_catalog(
        settings,
        tmp_path,
        {
            ("list separator", ", "): "、",
            "Searches: %(types)s.": "搜索范围：%(types)s。",
            "Partners": "合作伙伴",
            "Agreements": "协议",
        },
    )
    client.force_login(people.officer)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    line = html.split("搜索范围：")[1].split("。")[0]
    assert "、" in line and ", " not in line
    assert "合作伙伴" in line and "协议" in line


def test_types_are_joined_with_a_comma_in_english(client, people):
    client.force_login(people.officer)
    html = client.get(URL).content.decode()
    line = html.split("Searches: ")[1].split(".</small>")[0]
    assert ", " in line and "、" not in line
