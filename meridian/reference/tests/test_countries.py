"""Country names in every spelling offices use resolve to one ISO 3166-1 country; "Korea" asks which."""

from __future__ import annotations

import pytest

from meridian.reference.countries import (
    AmbiguousCountry,
    CountryResolver,
    UnknownCountry,
    resolve_country,
)
from meridian.reference.folding import country_key

# The countries arrive with the migrations; `facts` loads them again (idempotent) in case a test removed them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("facts")]

# Spellings found in partner lists, each with the country it means. The countries arrive with the migrations.
SPELLINGS = [
    # codes
    ("AT", "AT"),
    ("at", "AT"),
    ("AUT", "AT"),
    ("deu", "DE"),
    ("CHN", "CN"),
    ("EL", "GR"),  # the EU's code for Greece
    ("XK", "XK"),
    # ISO and UN names, in their own word order
    ("Korea, Republic of", "KR"),
    ("Republic of Korea", "KR"),
    ("Korea (the Republic of)", "KR"),
    ("Korea, Democratic People's Republic of", "KP"),
    ("Iran, Islamic Republic of", "IR"),
    ("Iran (Islamic Republic of)", "IR"),
    ("Russian Federation", "RU"),
    ("Taiwan, Province of China", "TW"),
    ("Tanzania, United Republic of", "TZ"),
    ("Bolivia (Plurinational State of)", "BO"),
    ("Venezuela, Bolivarian Republic of", "VE"),
    ("Moldova, Republic of", "MD"),
    ("Lao People's Democratic Republic", "LA"),
    ("Syrian Arab Republic", "SY"),
    ("Brunei Darussalam", "BN"),
    ("Viet Nam", "VN"),
    ("Holy See", "VA"),
    ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ("Congo, The Democratic Republic of the", "CD"),
    # common English names
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("Great Britain", "GB"),
    ("England", "GB"),
    ("USA", "US"),
    ("U.S.A.", "US"),
    ("United States of America", "US"),
    ("America", "US"),
    ("South Korea", "KR"),
    ("North Korea", "KP"),
    ("Russia", "RU"),
    ("Czech Republic", "CZ"),
    ("Czechia", "CZ"),
    ("Turkey", "TR"),
    ("Türkiye", "TR"),
    ("Turkiye", "TR"),
    ("Swaziland", "SZ"),
    ("Eswatini", "SZ"),
    ("Holland", "NL"),
    ("The Netherlands", "NL"),
    ("Hong Kong SAR", "HK"),
    ("Hong Kong, China", "HK"),
    ("Macao", "MO"),
    ("Macau", "MO"),
    ("Taiwan", "TW"),
    ("Ivory Coast", "CI"),
    ("Côte d'Ivoire", "CI"),
    ("Cote d’Ivoire", "CI"),
    ("Burma", "MM"),
    ("Myanmar", "MM"),
    ("Laos", "LA"),
    ("Syria", "SY"),
    ("Vatican", "VA"),
    ("Palestine", "PS"),
    ("Moldova", "MD"),
    ("Tanzania", "TZ"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Brunei", "BN"),
    ("North Macedonia", "MK"),
    ("Macedonia", "MK"),
    ("Cape Verde", "CV"),
    ("Cabo Verde", "CV"),
    ("East Timor", "TL"),
    ("Timor-Leste", "TL"),
    ("Kosovo", "XK"),
    ("St. Kitts & Nevis", "KN"),
    ("Saint Kitts and Nevis", "KN"),
    ("Bosnia & Herzegovina", "BA"),
    ("São Tomé and Príncipe", "ST"),
    ("Guinea", "GN"),
    ("Sudan", "SD"),
    ("DR Congo", "CD"),
    ("Republic of the Congo", "CG"),
    # case, width and spacing
    ("GERMANY", "DE"),
    ("  germany ", "DE"),
    ("Ｇｅｒｍａｎｙ", "DE"),
    ("new  zealand", "NZ"),
    # Chinese names and their variants
    ("中国", "CN"),
    ("中华人民共和国", "CN"),
    ("中国香港", "HK"),
    ("香港", "HK"),
    ("香港特别行政区", "HK"),
    ("中国香港特别行政区", "HK"),
    ("香港特別行政區", "HK"),  # Traditional characters
    ("澳门", "MO"),
    ("中国澳门", "MO"),
    ("澳门特别行政区", "MO"),
    ("澳門", "MO"),
    ("中国台湾", "TW"),
    ("台湾", "TW"),
    ("臺灣", "TW"),
    ("台湾地区", "TW"),
    ("韩国", "KR"),
    ("大韩民国", "KR"),
    ("南韩", "KR"),
    ("朝鲜", "KP"),
    ("英国", "GB"),
    ("大不列颠及北爱尔兰联合王国", "GB"),
    ("美国", "US"),
    ("美利坚合众国", "US"),
    ("俄罗斯", "RU"),
    ("俄罗斯联邦", "RU"),
    ("德国", "DE"),
    ("德意志联邦共和国", "DE"),
    ("荷兰", "NL"),
    ("捷克", "CZ"),
    ("土耳其", "TR"),
    ("新西兰", "NZ"),
    ("马来西亚", "MY"),
    ("日本", "JP"),
    ("澳大利亚", "AU"),
    ("科索沃", "XK"),
    ("刚果（金）", "CD"),
    ("刚果(布)", "CG"),
]


def test_there_are_at_least_59_common_spellings():
    assert len(SPELLINGS) >= 59


@pytest.mark.parametrize(("text", "code"), SPELLINGS)
def test_every_common_spelling_resolves(text, code):
    assert resolve_country(text).code == code


@pytest.mark.parametrize(
    ("text", "choices"),
    [
        ("Korea", {"KR", "KP"}),
        ("KOREA", {"KR", "KP"}),
        ("Congo", {"CD", "CG"}),
        ("The Congo", {"CD", "CG"}),
        ("刚果", {"CD", "CG"}),
        ("Virgin Islands", {"VG", "VI"}),
        ("维尔京群岛", {"VG", "VI"}),
    ],
)
def test_names_of_two_countries_are_refused_with_the_choices(text, choices):
    with pytest.raises(AmbiguousCountry) as caught:
        resolve_country(text)
    assert {country.code for country in caught.value.choices} == choices
    assert text.strip() in caught.value.message
    for country in caught.value.choices:
        assert f"({country.code})" in caught.value.message


@pytest.mark.parametrize("text", ["Atlantis", "", "   ", "ZZ", "Europe", "中国香港台湾"])
def test_unknown_names_are_refused(text):
    with pytest.raises(UnknownCountry) as caught:
        resolve_country(text)
    assert "is not a known country or territory" in caught.value.message


def test_the_resolver_reads_the_countries_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        resolver = CountryResolver()
    with django_assert_num_queries(0):
        found = [resolver.code_of(text) for text, _code in SPELLINGS]
        with pytest.raises(AmbiguousCountry):
            resolver.find("Korea")
        with pytest.raises(UnknownCountry):
            resolver.find("Atlantis")
    assert found == [code for _text, code in SPELLINGS]


def test_the_resolver_also_knows_stored_names():
    from meridian.reference.tests.factories import country

    country("QZ", name_en="Qzland", name_zh="曲兹兰", alpha3="QZL")
    resolver = CountryResolver()
    assert resolver.code_of("qzland") == "QZ"
    assert resolver.code_of("曲兹兰") == "QZ"
    assert resolver.code_of("QZ") == "QZ"


def test_country_key_folds_what_does_not_matter():
    assert country_key("The U.K.") == "uk"
    assert country_key("Côte d’Ivoire") == country_key("COTE D'IVOIRE")
    assert country_key("臺灣") == "台湾"
    assert country_key("中国 香港") == "中国香港"
