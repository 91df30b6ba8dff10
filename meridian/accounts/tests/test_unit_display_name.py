from django.utils import translation

from meridian.accounts.selectors import unit_display_name


def test_a_unit_named_in_either_language_is_shown_in_the_readers(org):
    with translation.override("zh-hans"):
        assert unit_display_name(name="International Office") == "国际合作与交流处"
        assert unit_display_name(name="工程学院") == "工程学院"
    with translation.override("en"):
        assert unit_display_name(name="国际合作与交流处") == "International Office"


def test_other_names_are_kept_as_written(org):
    with translation.override("zh-hans"):
        assert unit_display_name(name="Dr. Anna Weber") == "Dr. Anna Weber"
        assert unit_display_name(name="") == ""


def test_a_unit_without_a_chinese_name_falls_back_to_its_english_name(org):
    org.humanities.name_zh = ""
    org.humanities.save()
    with translation.override("zh-hans"):
        assert unit_display_name(name="School of Humanities") == "School of Humanities"
