"""The affiliation matcher's text functions, without a database: cleaning, name keys and similarity."""

from __future__ import annotations

import pytest

from meridian.reference.affiliation import _similarity, clean_affiliation, normalise_name


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("Texas A&amp;M University", "Texas A&M University"),
        ("Texas A&amp;amp;M University", "Texas A&M University"),  # escaped twice
        ("Universit&eacute; de Gen&egrave;ve", "Université de Genève"),
        ("King&#39;s College London", "King's College London"),
        ("Ｐｅｋｉｎｇ　Ｕｎｉｖｅｒｓｉｔｙ", "Peking University"),  # full-width letters and space
        ("<sup>1</sup>University of Oxford\u00a0 UK", "1 University of Oxford UK"),
    ],
)
def test_clean_affiliation(raw, cleaned):
    assert clean_affiliation(raw) == cleaned


@pytest.mark.parametrize(
    "name, key",
    [
        ("The University of Oxford", "university of oxford"),
        ("Texas A&M University", "texas a and m university"),
        ("St. John's Univ.", "saint johns university"),
        ("Universität Wien", "universitat wien"),
        ("東京大学", "东京大学"),
    ],
)
def test_normalise_name(name, key):
    assert normalise_name(name) == key


def key(text: str) -> str:
    return normalise_name(text)


def test_similarity_rewards_the_name_and_penalises_other_institutions():
    assert _similarity(key("University of Oxford"), key("University of Oxford"), "name") == 1.0
    # One typo in a long word still scores high; a different short word does not.
    typo = _similarity(
        key("University of California Los Angles"), key("University of California, Los Angeles"), "name"
    )
    assert 0.9 <= typo < 1.0
    assert _similarity(key("Sohag University"), key("Sohar University"), "name") < 0.9
    # Word order: Miami University is not the University of Miami.
    assert _similarity(key("Miami University"), key("University of Miami"), "name") < 0.9
    # A name qualified by a word before it is another institution.
    assert _similarity(key("IT University of Copenhagen"), key("University of Copenhagen"), "name") < 0.9
    assert _similarity(key("Islamic University of Indonesia"), key("University of Indonesia"), "name") < 0.9


def test_similarity_of_a_name_inside_a_longer_part():
    inside = _similarity(
        key("Faculty of Medicine University of Copenhagen"), key("University of Copenhagen"), "name"
    )
    assert inside >= 0.95
    hospital = _similarity(key("Peking University Third Hospital"), key("Peking University"), "name")
    assert hospital >= 0.9
    campus = _similarity(key("University of California Los Angeles"), key("University of California"), "name")
    assert campus < 0.9
    assert _similarity(key("北京大学物理学院"), key("北京大学"), "label") >= 0.9


def test_acronyms_match_only_a_whole_part_and_never_reach_the_choice_threshold():
    assert _similarity(key("UCLA"), key("UCLA"), "acronym") == 0.85
    assert _similarity(key("UCLA Medical Center"), key("UCLA"), "acronym") == 0.0
