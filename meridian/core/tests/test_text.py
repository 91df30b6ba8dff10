import pytest

from meridian.core.spreadsheet import neutralise
from meridian.core.text import clean_spaces, fold, normalise_domain, words


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Universität  Wien", "universitat wien"),
        ("ÉCOLE Polytechnique", "ecole polytechnique"),
        ("Straße", "strasse"),
        ("清华大学", "清华大学"),
    ],
)
def test_fold(given, expected):
    assert fold(given) == expected


def test_words_split_on_punctuation():
    assert words("Université Paris-Saclay (UPS)") == ["universite", "paris", "saclay", "ups"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://www.Uni-Heidelberg.de/en/", "uni-heidelberg.de"),
        ("www.ox.ac.uk", "ox.ac.uk"),
        ("someone@cs.ox.ac.uk", "cs.ox.ac.uk"),
        ("http://example.org:8080/x", "example.org"),
        ("", ""),
    ],
)
def test_normalise_domain(given, expected):
    assert normalise_domain(given) == expected


def test_clean_spaces_turns_nbsp_into_space():
    assert clean_spaces("\u00a0A\u00a0 GRAZ01 ") == "A  GRAZ01"


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "＝1"])
def test_formula_like_text_is_neutralised(value):
    assert neutralise(value) == "'" + value


def test_plain_text_is_kept():
    assert neutralise("Oxford") == "Oxford"
    assert neutralise(42) == 42


def test_activity_is_recorded_in_both_languages(people):
    from django.utils import translation
    from django.utils.translation import gettext as _

    from meridian.core.activity import activity_record

    entry = activity_record(
        target=people.officer, verb="test", message=lambda: _("Partners"), actor=people.admin
    )
    assert entry.message == "Partners"
    assert entry.message_zh == "合作伙伴"
    with translation.override("zh-hans"):
        assert entry.text == "合作伙伴"
    assert entry.text == "Partners"
