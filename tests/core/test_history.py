"""The change history as a reader reads it (meridian/core/history.py)."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.utils import translation

from meridian.core.history import history_entries, value
from meridian.core.models import Activity
from meridian.partners import services
from meridian.partners.models import Partner
from meridian.reference.tests.factories import country


@pytest.fixture
def partner(people):
    germany = country("DE", "Germany", "德国", region_code="150", region_en="Europe")
    return services.partner_create(
        actor=people.officer, name="Universität Heidelberg", name_en="Heidelberg University",
        name_zh="海德堡大学", country=germany, status="prospect",
    )  # fmt: skip


def _changes(entry) -> dict[str, tuple[str, str, str]]:
    return {c.field: (c.label, c.before, c.after) for c in entry.changes}


def test_labels_choices_yes_no_dates_and_related_records_read_in_chinese(people, partner):
    japan = country("JP", "Japan", "日本", region_code="142", region_en="Asia")
    parent = services.partner_create(
        actor=people.officer, name="Ruprecht-Karls-Stiftung", name_zh="鲁普雷希特基金会", country=japan
    )
    services.partner_update(
        partner=partner, actor=people.officer, expected_version=1, status="active", is_public=True,
        country=japan, parent=parent, cooperating_since=date(2020, 9, 1),
    )  # fmt: skip
    with translation.override("zh-hans"):
        changes = _changes(history_entries(instance=Partner.objects.get(pk=partner.pk))[0])
    assert changes["status"] == ("合作状态", "潜在合作", "活跃")
    assert changes["is_public"] == ("公开显示", "否", "是")
    assert changes["country"] == ("国家或地区", "德国", "日本")  # by name in the reader's language, not code
    assert changes["parent"] == ("上级机构", "", "鲁普雷希特基金会")  # the record's name, not its number
    assert changes["cooperating_since"] == ("合作起始时间", "", "2020-09-01")
    with translation.override("en"):
        changes = _changes(history_entries(instance=Partner.objects.get(pk=partner.pk))[0])
    assert changes["status"][1:] == ("Prospect", "Active")
    assert changes["is_public"][1:] == ("No", "Yes")
    assert changes["parent"] == ("parent organisation", "", "Ruprecht-Karls-Stiftung")


def test_internal_fields_are_never_shown(people, partner):
    services.partner_update(
        partner=partner, actor=people.officer, expected_version=1, name_zh="海德堡鲁普雷希特-卡尔斯大学"
    )
    Partner.objects.filter(pk=partner.pk).update(is_demo=True)
    marked = Partner.objects.get(pk=partner.pk)
    marked.save()
    entries = history_entries(instance=marked)
    shown = {c.field for e in entries for c in e.changes}
    assert shown == {"name_zh"}  # not the version, the demo marker, the search text or the sort keys
    assert {"version", "is_demo", "search_text", "sort_key_en", "sort_key_zh"}.isdisjoint(shown)


def test_deleted_related_record_is_named_as_such(people, partner):
    parent = services.partner_create(actor=people.officer, name="Old Parent", country=partner.country)
    services.partner_update(partner=partner, actor=people.officer, expected_version=1, parent=parent)
    parent_id = parent.pk
    Partner.objects.filter(pk=parent_id).delete()
    entry = history_entries(instance=Partner.objects.get(pk=partner.pk))[0]
    assert _changes(entry)["parent"][1:] == ("", f"record {parent_id} (deleted)")


def test_times_are_local_to_the_minute_without_microseconds(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    record = SimpleNamespace(created_at=datetime(2026, 3, 1, 23, 59, 30, 123456, tzinfo=UTC))
    assert value(record, Activity, "created_at", {}) == "2026-03-02 07:59"


def test_history_reads_a_fixed_number_of_queries(people, partner, django_assert_max_num_queries):
    for version, city in enumerate(["Mannheim", "Karlsruhe", "Stuttgart"], start=1):
        parent = services.partner_create(actor=people.officer, name=f"Parent {city}", country=partner.country)
        partner = services.partner_update(
            partner=partner, actor=people.officer, expected_version=version, city=city, parent=parent
        )
    with django_assert_max_num_queries(6):
        entries = history_entries(instance=partner)
    assert [c.after for c in entries[0].changes if c.field == "parent"] == ["Parent Stuttgart"]
