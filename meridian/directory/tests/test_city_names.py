"""The public directory shows partners' cities in the reader's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from meridian.reference.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    Place.objects.create(country_code="DE", name="Heidelberg", name_en="Heidelberg", name_zh="海德堡")


def _get(client, name, *args, language):
    with translation.override(language):
        address = reverse(name, args=args)
    return client.get(address).content.decode()


def test_chinese_pages_show_the_chinese_city(world, anonymous, places):
    page = _get(anonymous, "directory:partner", world.heidelberg.pk, language="zh-hans")
    assert "<dd>海德堡</dd>" in page
    listing = _get(anonymous, "directory:list", language="zh-hans")
    assert "<td>海德堡</td>" in listing


def test_english_pages_show_the_stored_city(world, anonymous, places):
    page = _get(anonymous, "directory:partner", world.heidelberg.pk, language="en")
    assert f"<dd>{world.heidelberg.city}</dd>" in page and "<dd>海德堡</dd>" not in page
