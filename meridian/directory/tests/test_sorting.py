"""The public directory lists partners by the name it shows, in the reader's language (pinyin for Chinese)."""

import pytest

from meridian.partners.tests.test_sorting import CHINESE_ORDER, ENGLISH_ORDER
from meridian.partners.tests.test_sorting import partners as partners  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_public_directory_sorts_in_the_reader_language(client, partners):
    from django.utils import translation

    from meridian.directory.selectors import public_partners

    with translation.override("zh-hans"):
        assert [p.name_zh or p.name_en or p.name for p in public_partners()] == CHINESE_ORDER
    with translation.override("en"):
        assert [p.name_en or p.name for p in public_partners()] == ENGLISH_ORDER
