"""World regions in filters are named in the reader's language (CLDR's Chinese names), sorted as shown."""

from django.utils import translation

from meridian.reference.models import Country
from meridian.reference.selectors import region_choices
from meridian.reference.tests.factories import country


def _regions(db):
    Country.objects.all().delete()  # the countries a data migration loads; these tests name their own
    country("DE", "Germany", "德国", subregion_code="155", subregion_en="Western Europe", subregion_zh="西欧")
    country(
        "CN", "China", "中国", alpha3="CHN", region_code="142", region_en="Asia", region_zh="亚洲",
        subregion_code="030", subregion_en="Eastern Asia", subregion_zh="东亚",
    )  # fmt: skip
    country("KE", "Kenya", "", alpha3="KEN", region_code="002", region_en="Africa", region_zh="")


def test_chinese_region_names_sorted_by_pinyin_with_the_english_name_when_there_is_no_chinese(db):
    _regions(db)
    with translation.override("zh-hans"):
        assert region_choices() == [("002", "Africa"), ("150", "欧洲"), ("142", "亚洲")]
    with translation.override("en"):
        assert region_choices() == [("002", "Africa"), ("142", "Asia"), ("150", "Europe")]


def test_sub_regions_follow_their_region(db):
    _regions(db)
    with translation.override("zh-hans"):
        assert region_choices(subregions=True) == [
            ("002", "Africa"),
            ("150", "欧洲"),
            ("155", "— 西欧"),
            ("142", "亚洲"),
            ("030", "— 东亚"),
        ]
