"""Record choices in list filters are in the order of the names the reader sees (Chinese by pinyin)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from meridian.accounts.choices import UnitKind
from meridian.accounts.services import org_unit_create
from meridian.core.sorting import by_shown_name, sort_key

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))][1:]


def test_by_shown_name_sorts_siblings_under_their_parent():
    class Unit(SimpleNamespace):
        def __str__(self) -> str:
            return self.name

    uni = Unit(pk=1, parent_id=None, name="大学")
    z = Unit(pk=2, parent_id=1, name="自动化学院")  # zi
    a = Unit(pk=3, parent_id=1, name="安全学院")  # an
    a_child = Unit(pk=4, parent_id=3, name="消防系")
    assert [u.pk for u in by_shown_name([z, a_child, uni, a], tree=True)] == [1, 3, 4, 2]
    assert [u.pk for u in by_shown_name([z, a_child, uni, a])] == [3, 1, 4, 2]  # an, da, xiao, zi


@pytest.mark.parametrize(
    ("page", "select"),
    [("agreements:list", "country"), ("partners:list", "country")],
)
def test_staff_country_filters_follow_the_readers_language(client, people, page, select):
    client.force_login(people.officer)
    english = _options(client.get(reverse(page), HTTP_ACCEPT_LANGUAGE="en").content.decode(), select)
    assert english.index("Argentina") < english.index("China") < english.index("Germany")
    assert english == sorted(english, key=sort_key)
    chinese = _options(client.get(reverse(page), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), select)
    # Pinyin: 阿根廷 a, 奥地利 ao, 德国 de, 日本 ri, 中国 zhong (code points would put 中国 first).
    positions = [chinese.index(name) for name in ("阿根廷", "奥地利", "德国", "日本", "中国")]
    assert positions == sorted(positions)
    assert chinese == sorted(chinese, key=sort_key) and chinese != sorted(chinese)


def test_unit_filter_lists_the_tree_with_siblings_by_shown_name(client, people, org):
    org_unit_create(
        kind=UnitKind.SCHOOL,
        code="arch",
        name_en="School of Architecture",
        name_zh="建筑学院",
        parent=org.university,
    )
    client.force_login(people.officer)
    page = reverse("agreements:list")
    zh = _options(client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), "unit")
    # 子午线大学, then its children by pinyin: 工程学院 gong (with 计算机系 below), 国际合作与交流处 guo,
    # 建筑学院 jian, 人文学院 ren.
    assert zh == ["子午线大学", "工程学院", "计算机系", "国际合作与交流处", "建筑学院", "人文学院"]
    en = _options(client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode(), "unit")
    assert en == [
        "Meridian University",
        "International Office",
        "School of Architecture",
        "School of Engineering",
        "Department of Computing",
        "School of Humanities",
    ]
