import pytest

from meridian.core.spreadsheet import neutralise
from meridian.core.text import clean_spaces, code_key, fold, half_width, name_key, normalise_domain, words


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


# --- name_key: the spellings of one organisation's name that offices type ---------------------------------

NAME_VARIANTS = [
    pytest.param("Universität Heidelberg.", "Universität Heidelberg", id="trailing full stop"),
    pytest.param("The University of Tokyo", "University of Tokyo", id="leading The"),
    pytest.param("Ludwig-Maximilians-Universität", "Ludwig Maximilians Universität", id="hyphen vs space"),
    pytest.param("Texas A&M University", "Texas A and M University", id="ampersand vs and"),
    pytest.param("University of St. Andrews", "University of Saint Andrews", id="St. vs Saint"),
    pytest.param("Universitaet Muenchen", "Universität München", id="ae/ue for umlauts"),
    pytest.param("Université Paris–Saclay", "Université Paris-Saclay", id="en dash"),
    pytest.param("Université Paris—Saclay", "Université Paris Saclay", id="em dash"),
    pytest.param("ＳＸ－２０２４", "SX-2024", id="full-width dash and digits"),
    pytest.param("Ｍａｓｓａｃｈｕｓｅｔｔｓ Institute", "Massachusetts Institute", id="full-width letters"),
    pytest.param("HEIDELBERG UNIVERSITY", "Heidelberg University", id="case"),
    pytest.param("École Polytechnique", "Ecole Polytechnique", id="accents"),
    pytest.param("東京大學", "东京大学", id="traditional vs simplified Chinese"),
    pytest.param("早稲田大學", "早稲田大学", id="traditional 學"),
    pytest.param("King’s College London", "Kings College London", id="apostrophe"),
    pytest.param("Univ. of Tokyo", "University of Tokyo", id="Univ."),
    pytest.param("Tokyo Inst. of Tech.", "Tokyo Institute of Technology", id="Inst. and Tech."),
    pytest.param("Universität St. Gallen", "Universität Sankt Gallen", id="St. vs Sankt"),
    pytest.param("Technische Universität Dresden", "Technische Universitaet Dresden", id="ae after t"),
    pytest.param("Københavns Universitet", "Kobenhavns Universitet", id="ø"),
    pytest.param("香港中文大学 （深圳）", "香港中文大学(深圳)", id="full-width brackets"),
]  # fmt: skip


@pytest.mark.parametrize(("variant", "name"), NAME_VARIANTS)
def test_name_variants_share_one_key(variant, name):
    assert name_key(variant) == name_key(name)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("The University of St. Andrews.", "university of saint andrews"),
        ("Universität München", "universitat munchen"),
        ("Texas A&M", "texas a and m"),
        ("東京大學", "东京大学"),
        ("The", "the"),
        ("", ""),
    ],
)
def test_name_key_values(given, expected):
    assert name_key(given) == expected


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("University of Vienna", "University of Vienna Medical School"),
        ("Universität Wien", "Universität Linz"),
        ("U. of Tokyo", "University of Tokyo"),  # "U." is not expanded: it is also an initial
        ("Theological University", "Logical University"),  # only a leading word "The" is dropped
    ],
)
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ＭＩＴ", "MIT"),
        ("Ｔｏｋｙｏ　Ｔｅｃｈ", "Tokyo Tech"),
        ("ＫＡＩＳＴ（Ｄａｅｊｅｏｎ）", "KAIST(Daejeon)"),
        ("香港中文大学（深圳）", "香港中文大学（深圳）"),
        ("北京ＡＢＣ学院（一）", "北京ABC学院（一）"),
        ("Universität", "Universität"),
        ("", ""),
    ],
)
def test_half_width(given, expected):
    assert half_width(given) == expected


@pytest.mark.parametrize(
    "variant", ["sx-2024-001", "SX－2024－001", "SX-2024-001", "ＳＸ–２０２４—００１", " SX-2024-001 "]
)
def test_agreement_number_spellings_share_one_key(variant):
    assert code_key(variant) == "sx-2024-001"


def test_code_key_keeps_different_numbers_apart():
    assert code_key("SX-2024-001") != code_key("SX-2024-0010")
    assert code_key("SX 2024 001") != code_key("SX-2024-001")
