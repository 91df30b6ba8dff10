"""The affiliation matcher told the country by its caller (a partner record's country)."""

from __future__ import annotations

import pytest

from meridian.reference.affiliation import match_affiliation
from meridian.reference.registry_import import registry_import
from meridian.reference.tests.conftest import ror_v2

CANADA = "010zh7098"
TEXAS = "042tdr378"


@pytest.fixture
def twins(facts, write_json) -> None:
    """Two universities of one name in two countries, and one elsewhere."""
    records = [
        ror_v2(CANADA, "Saint Mary's University", country="CA", city="Halifax"),
        ror_v2(TEXAS, "Saint Mary's University", country="US", city="San Antonio"),
        ror_v2("052gg0110", "University of Oxford", country="GB", city="Oxford"),
    ]
    registry_import(source="ror", path=write_json("ror.json", records))


def chosen(affiliation: str, country: str = "") -> str | None:
    result = match_affiliation(affiliation=affiliation, country=country)
    return result.chosen.institution.ror_id if result.chosen else None


def test_the_known_country_tells_two_institutions_of_one_name_apart(twins):
    assert chosen("Saint Mary's University") is None
    assert chosen("Saint Mary's University", "CA") == CANADA
    assert chosen("Saint Mary's University", "us") == TEXAS
    result = match_affiliation(affiliation="Saint Mary's University", country="CA")
    assert result.country == "CA"
    assert [c.institution.ror_id for c in result.candidates] == [CANADA, TEXAS]
    assert result.candidates[1].score < 0.9


def test_the_known_country_wins_over_one_named_in_the_text(twins):
    assert chosen("Saint Mary's University, Canada") == CANADA
    assert chosen("Saint Mary's University, Canada", "US") == TEXAS


def test_an_institution_in_another_country_than_the_known_one_is_not_chosen(twins):
    assert chosen("University of Oxford") == "052gg0110"
    result = match_affiliation(affiliation="University of Oxford", country="CA")
    assert result.chosen is None
    assert result.candidates[0].institution.ror_id == "052gg0110"


def test_only_the_known_country_is_scored_when_asked(twins):
    result = match_affiliation(affiliation="Saint Mary's University", country="CA", only_country=True)
    assert [c.institution.ror_id for c in result.candidates] == [CANADA]
    assert result.chosen.institution.ror_id == CANADA
    result = match_affiliation(affiliation="University of Oxford", country="CA", only_country=True)
    assert result.chosen is None
    assert "052gg0110" not in [c.institution.ror_id for c in result.candidates]
    # Without a known country the flag changes nothing: the country named in the text only ranks.
    result = match_affiliation(affiliation="Saint Mary's University, Canada", only_country=True)
    assert [c.institution.ror_id for c in result.candidates] == [CANADA, TEXAS]
