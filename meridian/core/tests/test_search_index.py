"""The search key reads German umlaut spellings alike and stays a substring search: every part of a stored
word, keyed as a query, is found in the stored key (no false negatives from the folding)."""

import pytest

from meridian.core.search_index import _fts_term, search_key, search_terms, term_variants
from meridian.core.text import fold_umlaut_digraphs, name_key

WORDS = [
    "München",
    "Muenchen",
    "Universitaet",
    "Göttingen",
    "Goethe",
    "Samuel",
    "Queen",
    "Queensland",
    "Bauer",
    "Israel",
    "Polytechnique",
    "Aeroespacial",
    "Düsseldorf",
    "Straße",
    "Coeur",
    "Zoë",
]


@pytest.mark.parametrize(
    "spelling", ["München", "Muenchen", "Munchen", "MÜNCHEN", "MUENCHEN", "ＭＵＥＮＣＨＥＮ"]
)
def test_umlaut_spellings_share_one_key(spelling):
    assert search_key(spelling) == "munchen"


@pytest.mark.parametrize(
    ("a", "b"), [("Universität", "Universitaet"), ("Köln", "Koeln"), ("Straße", "Strasse"), ("Bär", "Baer")]
)
def test_umlaut_and_its_two_letter_spelling(a, b):
    assert search_key(a) == search_key(b)


@pytest.mark.parametrize("word", WORDS)
def test_every_part_of_a_word_typed_as_a_query_finds_the_word(word):
    stored = search_key(word)
    for start in range(len(word)):
        for end in range(start + 1, len(word) + 1):
            [term] = search_terms(word[start:end]) or [""]
            if term:
                assert any(variant in stored for variant in term_variants(term)), (word, word[start:end])


def test_a_word_starting_with_e_is_also_looked_for_after_a_vowel():
    assert term_variants("el") == ["el", "al", "ol", "ul"]
    assert term_variants("munchen") == ["munchen"]
    assert _fts_term("een") == '("een" OR "aen" OR "oen" OR "uen")'
    assert _fts_term("quen") == '"quen"'


def test_the_fold_drops_only_an_e_after_a_o_u():
    assert fold_umlaut_digraphs("muenchen goettingen baer eel") == "munchen gottingen bar eel"


def test_name_key_is_unchanged():
    # The import's key keeps its own rule: "ue" after a consonant only.
    assert name_key("Universitaet Muenchen") == "universitat munchen"
    assert name_key("Bauer") == "bauer"
    assert name_key("Polytechnique") == "polytechniqu"  # after a consonant, as before
