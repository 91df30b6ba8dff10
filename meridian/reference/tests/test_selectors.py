"""Registry look-up: by name in any language, acronym, domain, e-mail and identifiers, with ranking."""

from __future__ import annotations

import pytest

from meridian.reference.bench import build_synthetic_registry
from meridian.reference.models import Institution, InstitutionToken
from meridian.reference.selectors import country_choices, institution_prefill, registry_lookup
from meridian.reference.tokens import name_tokens

pytestmark = pytest.mark.usefixtures("facts")


def _names(query: str, **kwargs) -> list[str]:
    return [inst.name for inst in registry_lookup(query=query, **kwargs)]


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("universitat wien", "University of Vienna"),  # German label, accent-free
        ("UNIVERSITÄT WIEN", "University of Vienna"),
        ("alma mater", "University of Vienna"),  # alias
        ("eidgenossische zurich", "ETH Zurich"),  # every word prefix-matches a token
        ("牛津", "University of Oxford"),  # Chinese label prefix
        ("北京大学", "Peking University"),
        ("大学", "Peking University"),  # inside a Chinese name written without spaces
        ("pku", "Peking University"),  # acronym
        ("ethz", "ETH Zurich"),
        ("www.ox.ac.uk", "University of Oxford"),
        ("https://www.brookes.ac.uk/courses", "Oxford Brookes University"),
        ("someone@cs.ox.ac.uk", "University of Oxford"),  # e-mail at a parent domain
        ("cs.univie.ac.at", "University of Vienna"),
        ("https://ror.org/052gg0110", "University of Oxford"),
        ("04V2TWJ65", "Oxford Brookes University"),
        ("a wien01", "University of Vienna"),  # Erasmus code, any spacing and case
        ("A  WIEN01", "University of Vienna"),
        ("AWIEN01", "University of Vienna"),
        ("999904689", "University of Vienna"),  # PIC
    ],
)
def test_lookup_finds(query, first):
    assert _names(query)[:1] == [first]


@pytest.mark.usefixtures("registry")
def test_exact_name_first_then_name_prefix_then_word_matches():
    assert _names("oxford") == [
        "Oxford Brookes University",
        "Oxford College of Engineering",
        "University of Oxford",
    ]
    assert _names("University of Oxford") == ["University of Oxford"]
    assert _names("oxford brookes university")[0] == "Oxford Brookes University"
    # "university of oxford" is exact for Oxford; "university" alone makes Oxford and Vienna word matches
    assert _names("university of")[:2] == ["University of Oxford", "University of Vienna"]
    assert _names("oxford", limit=1) == ["Oxford Brookes University"]


@pytest.mark.usefixtures("registry")
def test_country_filter_withdrawn_last_and_no_match():
    assert _names("oxford", country="np") == ["Oxford College of Engineering"]
    Institution.objects.filter(name="Oxford Brookes University").update(status="withdrawn")
    assert _names("oxford")[-1] == "Oxford Brookes University"
    assert _names("zzzz") == [] and _names("   ") == [] and _names("oxford", limit=0) == []
    assert _names("ox") and _names("oxf unknownword") == []


@pytest.mark.usefixtures("registry")
def test_prefill_uses_partner_field_names():
    vienna = Institution.objects.get(ror_id="03prydq77")
    data = institution_prefill(vienna)
    assert data == {
        "name": "University of Vienna",
        "name_en": "University of Vienna",
        "country_id": "AT",
        "country": "AT",
        "province": "",
        "city": "Vienna",
        "latitude": 51.75,
        "longitude": -1.25,
        "website": "https://univie.ac.at",
        "ror_id": "03prydq77",
        "erasmus_code": "A  WIEN01",
        "pic": "999904689",
        "registry_institution": vienna.pk,
    }


def test_country_choices_are_ordered_by_english_name():
    names = list(country_choices().values_list("name_en", flat=True)[:3])
    assert names == sorted(names) and len(country_choices()) == 250


def test_synthetic_registry_is_searchable():
    assert build_synthetic_registry(60, seed=3) == 60
    assert Institution.objects.count() == 60
    assert InstitutionToken.objects.values("institution").distinct().count() == 60
    inst = Institution.objects.order_by("pk").first()
    assert registry_lookup(query=inst.name)[0] == inst
    assert inst in registry_lookup(query=inst.website)


def test_name_tokens_cover_words_acronyms_and_chinese_suffixes():
    tokens = name_tokens([("name", "Université Paris-Saclay"), ("acronym", "U.P.S."), ("label", "北京大学")])
    assert tokens == {
        "universite",
        "paris",
        "saclay",
        "u",
        "p",
        "s",
        "ups",
        "北京大学",
        "京大学",
        "大学",
        "学",
    }


def test_name_tokens_fold_chinese_script_variants():
    assert "东京大学" in name_tokens([("label", "東京大学")])
    assert "早稻田大学" in name_tokens([("label", "早稲田大学")])  # Japanese 稲 is the Chinese 稻
    assert "ｍｉｔ" not in name_tokens([("acronym", "ＭＩＴ")]) and "mit" in name_tokens(
        [("acronym", "ＭＩＴ")]
    )


# Records as ROR has them (names, aliases, labels), to search in every way people type.
SEARCH_ROWS = [
    # ror_id, name, country, city, aliases, acronyms, labels
    ("01swzsf04", "University of Geneva", "CH", "Geneva", "Schola Genevensis", "UNIGE",
     "it:Università di Ginevra|fr:Université de Genève"),
    ("007gfwn20", "HES-SO Genève", "CH", "Geneva", "", "",
     "fr:Haute École Spécialisée de Suisse Occidentale - Genève"),
    ("05hy3tk52", "École Polytechnique", "FR", "Palaiseau", "Polytechnique", "X", ""),
    ("02s376052", "École Polytechnique Fédérale de Lausanne", "CH", "Lausanne", "", "EPFL", ""),
    ("05591te55", "Ludwig-Maximilians-Universität München", "DE", "Munich",
     "LMU München|Ludwig Maximilian University of Munich|University of Munich|Universität München",
     "LMU", ""),
    ("00v8kcx92", "Physiologisches Institut", "DE", "Munich",
     "Institute of Physiology, Ludwig-Maximilians University Munich|"
     "Physiologisches Institut der Ludwig-Maximilians-Universität München", "", "en:Institute of Physiology"),
    ("03dftj863", "Anatomische Anstalt", "DE", "Munich",
     "Anatomische Anstalt der LMU|Anatomische Anstalt der Ludwig-Maximilians Universität|"
     "Anatomischen Anstalt München", "", "en:Institute of Anatomy"),
    ("029e6qe04", "LMU Open Science Center", "DE", "Munich",
     "Ludwig-Maximilians-Universität München Open Science Center|Open Science Center", "LMU OSC|OSC", ""),
    ("02kkvpp62", "Technical University of Munich", "DE", "Munich", "Technische Universität München",
     "TUM", ""),
    ("057zh3y96", "The University of Tokyo", "JP", "Tokyo", "Todai|UTokyo", "UT", "ja:東京大学"),
    ("00ntfnx83", "Waseda University", "JP", "Tokyo", "Waseda Daigaku", "", "ja:早稲田大学"),
    ("00q4vv597", "National Taiwan University", "TW", "Taipei", "", "NTU", "zh:國立臺灣大學"),
]  # fmt: skip


@pytest.fixture
def searchable(facts, tmp_path):
    import csv

    from meridian.reference.registry_import import registry_import
    from meridian.reference.tests.conftest import ROR_CSV_COLUMNS

    path = tmp_path / "ror.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROR_CSV_COLUMNS)
        writer.writeheader()
        for ror_id, name, country, city, aliases, acronyms, labels in SEARCH_ROWS:
            writer.writerow(
                {"ror_id": ror_id, "name": name, "country_code": country, "city": city, "aliases": aliases,
                 "acronyms": acronyms, "labels": labels}
            )  # fmt: skip
    registry_import(source="ror", path=path)


@pytest.mark.usefixtures("searchable")
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("geneve", "University of Geneva"),  # accent-free: "Université de Genève"
        ("universite de geneve", "University of Geneva"),
        ("UNIVERSITÉ DE GENÈVE", "University of Geneva"),
        ("ecole polytechnique", "École Polytechnique"),  # the school itself before EPFL
        ("MÜNCHEN", "Ludwig-Maximilians-Universität München"),
        ("ludwig maximilians universitat munchen", "Ludwig-Maximilians-Universität München"),
        ("Ludwig Maximilians Universitat Munchen", "Ludwig-Maximilians-Universität München"),
        ("Ludwig-Maximilians-Universität München", "Ludwig-Maximilians-Universität München"),
        ("東京大学", "The University of Tokyo"),  # as stored (Japanese)
        ("东京大学", "The University of Tokyo"),  # Simplified Chinese
        ("東京大學", "The University of Tokyo"),  # Traditional Chinese
        ("早稲田大学", "Waseda University"),
        ("早稻田大学", "Waseda University"),  # Chinese 稻 for Japanese 稲
        ("国立台湾大学", "National Taiwan University"),  # Simplified for Traditional 國立臺灣大學
        ("台湾大学", "National Taiwan University"),  # inside the Chinese name
        ("ＵＮＩＶＥＲＳＩＴＹ ＯＦ ＧＥＮＥＶＡ", "University of Geneva"),  # full-width
    ],
)
def test_search_ignores_case_accents_width_and_chinese_script(query, first):
    assert _names(query)[:1] == [first]


@pytest.mark.usefixtures("searchable")
def test_the_organisation_comes_before_its_parts():
    found = _names("Ludwig Maximilians Universitat Munchen")
    assert found[0] == "Ludwig-Maximilians-Universität München"
    # Its institutes follow: each of them has names with words beyond the query.
    assert set(found[1:]) == {"Physiologisches Institut", "Anatomische Anstalt", "LMU Open Science Center"}
    assert _names("university of munich")[0] == "Ludwig-Maximilians-Universität München"
    assert _names("technische universitat munchen")[0] == "Technical University of Munich"
