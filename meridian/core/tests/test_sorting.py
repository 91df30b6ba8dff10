"""Sort keys of names in English and Chinese (meridian/core/sorting.py)."""

from django.utils import translation

from meridian.core.sorting import SORT_KEY_LENGTH, localised_sort_field, localised_sort_keys, sort_key


def test_chinese_names_sort_by_pinyin_not_by_code_point():
    names = ["重庆大学", "北京大学", "阿尔伯塔大学", "浙江大学", "南京大学"]
    # By code point 北 < 南 < 浙 < 重 < 阿; by pinyin a, bei, chong, nan, zhe.
    assert sorted(names) != sorted(names, key=sort_key)
    assert sorted(names, key=sort_key) == ["阿尔伯塔大学", "北京大学", "重庆大学", "南京大学", "浙江大学"]


def test_same_syllable_sorts_by_tone_and_a_shorter_syllable_first():
    assert sorted(["班", "八", "拔"], key=sort_key) == ["八", "拔", "班"]  # ba1, ba2, ban1


def test_latin_names_ignore_case_accents_and_full_width_forms_and_interleave_with_pinyin():
    assert sort_key("Universität WIEN") == "universitat wien"
    assert sort_key("ＡＢＣ  Institute") == "abc institute"
    names = ["Zhejiang Institute", "北京大学", "Oxford", "阿尔伯塔大学"]
    assert sorted(names, key=sort_key) == ["阿尔伯塔大学", "北京大学", "Oxford", "Zhejiang Institute"]


def test_empty_and_long_names():
    assert sort_key("") == ""
    assert len(sort_key("长" * 400)) == SORT_KEY_LENGTH


def test_chinese_key_falls_back_to_the_english_name_shown_instead():
    assert localised_sort_keys(english="Kyoto University", chinese="") == ("kyoto university",) * 2
    assert localised_sort_keys(english="Kyoto University", chinese="京都大学") == (
        "kyoto university",
        "jing1 du1 da4 xue2",
    )


def test_sort_field_follows_the_reader_language():
    with translation.override("zh-hans"):
        assert localised_sort_field() == "sort_key_zh"
    with translation.override("en"):
        assert localised_sort_field() == "sort_key_en"
