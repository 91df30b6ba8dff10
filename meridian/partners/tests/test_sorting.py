"""The partner list sorts by the name it shows, in the reader's language (Chinese names by pinyin), on the
page, in the API and in the public directory; the sort keys follow every way a partner is written."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.partners import services
from meridian.partners.models import Partner
from meridian.partners.search_text import refresh_partner_search_text
from meridian.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# (official name, English name, Chinese name); the English reader sees the English name (else the official
# one), the Chinese reader the Chinese name (else the same English one).
NAMES = [
    ("Zhejiang Daxue", "Zhejiang University", "浙江大学"),
    ("Universität Wien", "", ""),  # shown as "Universität Wien" in both languages
    ("Peking University", "Peking University", "北京大学"),
    ("Universidad de Alcalá", "University of Alcalá", "阿尔卡拉大学"),
    ("Chongqing Daxue", "Chongqing University", "重庆大学"),
    ("Nanjing Daxue", "Nanjing University", "南京大学"),
]
ENGLISH_ORDER = [
    "Chongqing University",
    "Nanjing University",
    "Peking University",
    "Universität Wien",
    "University of Alcalá",
    "Zhejiang University",
]
# a(er ka la), bei(jing), chong(qing), nan(jing), U(niversität Wien), zhe(jiang): the English name shown in
# the Chinese list sorts among the Chinese names by its letters.
CHINESE_ORDER = ["阿尔卡拉大学", "北京大学", "重庆大学", "南京大学", "Universität Wien", "浙江大学"]


@pytest.fixture
def partners(db):
    return [PartnerFactory(name=n, name_en=en, name_zh=zh, is_public=True) for n, en, zh in NAMES]


def _names(response) -> list[str]:
    return [p.display_name for p in response.context["partners"]]


def test_list_page_sorts_by_the_shown_name_in_each_language(login, people, partners):
    client = login(people.officer)
    english = client.get(reverse("partners:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert [p.name_en or p.name for p in english.context["partners"]] == ENGLISH_ORDER
    chinese = client.get(reverse("partners:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [p.name_zh or p.name_en or p.name for p in chinese.context["partners"]] == CHINESE_ORDER


def test_name_column_sorts_both_ways_in_chinese(login, people, partners):
    client = login(people.officer)
    ascending = client.get(reverse("partners:list"), {"ordering": "name"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    descending = client.get(reverse("partners:list"), {"ordering": "-name"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    shown = [
        [p.name_zh or p.name_en or p.name for p in r.context["partners"]] for r in (ascending, descending)
    ]
    assert shown == [CHINESE_ORDER, CHINESE_ORDER[::-1]]


def test_api_list_sorts_in_the_reader_language(people, partners):
    client = APIClient()
    client.force_authenticate(people.officer)
    body = client.get("/api/v1/partners/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [row["name_zh"] or row["name_en"] or row["name"] for row in body["results"]] == CHINESE_ORDER


def test_keys_follow_a_rename_an_update_of_some_fields_and_a_bulk_refresh(people, partners):
    partner = Partner.objects.get(name="Universität Wien")
    assert (partner.sort_key_en, partner.sort_key_zh) == ("universitat wien", "universitat wien")
    renamed = services.partner_update(
        partner=partner, actor=people.officer, expected_version=1, name_zh="维也纳大学"
    )
    assert Partner.objects.values_list("sort_key_en", "sort_key_zh").get(pk=renamed.pk) == (
        "universitat wien",
        "wei2 ye3 na4 da4 xue2",
    )
    renamed.name_en = "University of Vienna"
    renamed.save(update_fields=["name_en"])
    assert Partner.objects.get(pk=renamed.pk).sort_key_en == "university of vienna"
    # A write that bypasses save() (an SQL update) is repaired by the bulk refresh.
    Partner.objects.filter(pk=renamed.pk).update(name_zh="阿大学", sort_key_zh="")
    assert refresh_partner_search_text(ids=[renamed.pk]) == 1
    assert Partner.objects.get(pk=renamed.pk).sort_key_zh == "a1 da4 xue2"


def test_bulk_created_partners_get_their_keys(people, partners):
    country = partners[0].country
    created = services.partner_create_bulk(
        actor=people.officer,
        rows=[
            (
                1,
                {
                    "name": "Kyoto Daigaku",
                    "name_en": "Kyoto University",
                    "name_zh": "京都大学",
                    "country": country,
                },
                None,
            )
        ],
    )
    stored = Partner.objects.get(pk=created[0].pk)
    assert (stored.sort_key_en, stored.sort_key_zh) == ("kyoto university", "jing1 du1 da4 xue2")
