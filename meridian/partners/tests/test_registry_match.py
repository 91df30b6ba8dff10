"""The registry suggestion for a partner: the matcher's confident choice in the partner's country."""

from __future__ import annotations

import pytest

from meridian.partners.registry_match import RegistryMatcher, RegistrySuggestion, registry_suggestion
from meridian.partners.tests.registry_data import OXFORD, SMU_CANADA, SMU_TEXAS, VIENNA, load_registry
from meridian.reference.models import Institution


@pytest.fixture
def registry(db, tmp_path) -> None:
    load_registry(tmp_path)


def test_a_chosen_match_gives_its_ror_id_and_other_identifiers(registry):
    found = registry_suggestion(name="University of Oxford", country_code="GB")
    assert isinstance(found, RegistrySuggestion)
    oxford = Institution.objects.get(ror_id=OXFORD)
    assert (found.institution_id, found.ror_id, found.name, found.country_code) == (
        oxford.pk,
        OXFORD,
        "University of Oxford",
        "GB",
    )
    assert found.score >= 0.9
    assert (found.website, found.domain, found.name_zh, found.city) == (
        "https://www.ox.ac.uk",
        "ox.ac.uk",
        "牛津大学",
        "Oxford",
    )
    assert found.partner_fields() == {
        "ror_id": OXFORD,
        "website": "https://www.ox.ac.uk",
        "name_zh": "牛津大学",
        "registry_institution": oxford.pk,
    }


def test_the_official_name_in_the_local_language_and_the_english_name_agree(registry):
    found = registry_suggestion(
        name="Universität Wien", country_code="at", names=["University of Vienna", ""]
    )
    # The Erasmus charter list merged into the ROR record gives the Erasmus code and the PIC.
    assert (found.ror_id, found.erasmus_code, found.pic) == (VIENNA, "A  WIEN01", "999904689")
    # The Chinese name alone finds the institution too.
    assert registry_suggestion(name="", country_code="GB", names=["牛津大学"]).ror_id == OXFORD


def test_a_match_in_another_country_is_not_returned(registry):
    assert registry_suggestion(name="University of Oxford", country_code="AT") is None
    # A country the registry has nothing in.
    assert registry_suggestion(name="University of Oxford", country_code="NP") is None


def test_ambiguous_names_return_nothing(registry):
    # Two Oxford institutions and no telling word.
    assert registry_suggestion(name="Oxford", country_code="GB") is None
    # One name held by universities in two countries: without a country neither is chosen ...
    assert registry_suggestion(name="Saint Mary's University", country_code=None) is None
    # ... and the partner's country tells them apart.
    assert registry_suggestion(name="Saint Mary's University", country_code="CA").ror_id == SMU_CANADA
    assert registry_suggestion(name="St. Mary's University", country_code="US").ror_id == SMU_TEXAS
    # Names of one partner that point at two institutions choose neither.
    assert (
        registry_suggestion(name="University of Oxford", country_code=None, names=["University of Vienna"])
        is None
    )


def test_an_acronym_alone_is_not_enough(registry):
    assert registry_suggestion(name="OBU", country_code="GB") is None


def test_blank_names_and_an_empty_registry_return_none_without_matching(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert registry_suggestion(name="  ", country_code="GB", names=["", " "]) is None
    with django_assert_num_queries(1):  # is there any institution at all?
        assert registry_suggestion(name="University of Oxford", country_code="GB") is None


def test_one_matcher_for_many_rows_asks_the_registry_once(db, django_assert_num_queries):
    matcher = RegistryMatcher()
    with django_assert_num_queries(1):
        for _row in range(50):
            assert matcher.suggest(name="University of Oxford", country_code="GB") is None


def test_one_matcher_remembers_countries_and_names_it_has_seen(registry, django_assert_num_queries):
    matcher = RegistryMatcher()
    first = matcher.suggest(name="University of Oxford", country_code="GB")
    assert first.ror_id == OXFORD
    with django_assert_num_queries(1):  # has the registry anything in Nepal?
        assert matcher.suggest(name="Universidad de Chile", country_code="NP") is None
    with django_assert_num_queries(0):
        # The same organisation written another way, and again the country the registry has nothing in.
        assert matcher.suggest(name="the university of  oxford", country_code="gb") == first
        assert matcher.suggest(name="Kathmandu University", country_code="NP") is None
