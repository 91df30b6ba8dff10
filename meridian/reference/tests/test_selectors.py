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
    assert names == sorted(names) and len(country_choices()) == 249


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
