"""Partners' cities in the reader's language on the list, detail and export (``selectors.city_name``)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def heidelberg(germany):
    Place.objects.create(country_code="DE", name="Heidelberg", name_en="Heidelberg", name_zh="海德堡")
    return PartnerFactory(
        name="Universität Heidelberg", name_zh="海德堡大学", country=germany, city="heidelberg"
    )


def test_chinese_reader_sees_the_chinese_city_on_detail_and_list(people, login, heidelberg):
    client = login(people.officer)
    detail = client.get(heidelberg.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<span translate="no">海德堡</span>' in detail
    rows = client.get(reverse("partners:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<small class="muted" translate="no">海德堡</small>' in rows


def test_english_reader_sees_the_stored_city(people, login, heidelberg):
    client = login(people.officer)
    detail = client.get(heidelberg.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span translate="no">heidelberg</span>' in detail and "海德堡</span>" not in detail


def test_chinese_export_gives_the_chinese_city(people, login, heidelberg):
    response = login(people.officer).get(
        reverse("partners:export"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    row = [cell.value for cell in load_workbook(io.BytesIO(response.content)).active[2]]
    assert row[9] == "海德堡"
    english = login(people.officer).get(reverse("partners:export"), HTTP_ACCEPT_LANGUAGE="en")
    assert ",heidelberg," in english.content.decode("utf-8-sig")


def test_list_reads_the_place_table_once_not_per_partner(people, login, germany):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Place.objects.create(country_code="DE", name="Heidelberg", name_zh="海德堡")
    client = login(people.officer)
    counts = []
    for n in (2, 12):
        PartnerFactory.create_batch(n, country=germany)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("partners:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        counts.append(sum("reference_place" in q["sql"] for q in queries.captured_queries))
    # One query the first time, none once the process holds the table: never one per row.
    assert counts == [1, 0]
