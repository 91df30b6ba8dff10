"""Sorting agreements by title follows the title the reader sees (Chinese titles by pinyin)."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from meridian.agreements.filters import AgreementFilter
from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

TITLES = [
    ("Zoology exchange", "动物学交流"),  # dong
    ("Architecture summer school", "建筑暑期学校"),  # jian
    ("Mathematics joint degree", "数学联合学位"),  # shu
    ("Biology research", ""),  # no Chinese title: sorted by the English one for Chinese readers too
]


@pytest.fixture
def agreements(org):
    return [AgreementFactory(title_en=en, title_zh=zh, responsible_unit=org.computing) for en, zh in TITLES]


def _titles(people, ordering: str, language: str) -> list[str]:
    request = RequestFactory().get("/")
    request.user = people.officer
    with translation.override(language):
        rows = AgreementFilter({"ordering": ordering}, queryset=Agreement.objects.all(), request=request).qs
        return [a.title for a in rows]


def test_english_readers_get_english_title_order(agreements, people):
    assert _titles(people, "title", "en") == [
        "Architecture summer school",
        "Biology research",
        "Mathematics joint degree",
        "Zoology exchange",
    ]


def test_chinese_readers_get_pinyin_title_order(agreements, people):
    # Biology research (b) among the Chinese titles by its letters: biology, dong, jian, shu.
    assert _titles(people, "title", "zh-hans") == [
        "Biology research",
        "动物学交流",
        "建筑暑期学校",
        "数学联合学位",
    ]
    assert _titles(people, "-title", "zh-hans")[0] == "数学联合学位"


def test_a_renamed_title_moves(agreements, people):
    zoology = agreements[0]
    zoology.title_zh = "正式动物学交流"  # zheng
    zoology.save(update_fields=["title_zh"])
    assert _titles(people, "title", "zh-hans")[-1] == "正式动物学交流"


def test_the_migration_fills_existing_rows(agreements):
    Agreement.objects.update(title_sort_en="", title_sort_zh="")
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    migration = import_module("meridian.agreements.migrations.0005_agreement_title_sort_keys")
    migration.fill(apps, type("Editor", (), {"connection": connection})())
    zoology = Agreement.objects.get(title_en="Zoology exchange")
    assert zoology.title_sort_en == "zoology exchange" and zoology.title_sort_zh.startswith("dong4 wu4")
