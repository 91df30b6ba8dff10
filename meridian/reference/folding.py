"""Comparison forms of names: Chinese script variants folded, country names keyed.

Pure functions without database access, shared by the registry look-up, its import, the country resolver and
the script that builds the country alias table.
"""

from __future__ import annotations

import re
import unicodedata

from meridian.core.text import fold, fold_umlaut_digraphs, to_simplified, words

_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)
_DOTTED = re.compile(r"(?<=\b\w)\.(?=\w\b)|(?<=\b\w)\.$")  # "U.S.A." → "USA", "U.K." → "UK"
_STOP_WORDS = {"the"}


def has_han(text: str) -> bool:
    """True when the text has a Han character (Chinese, or kanji in Japanese)."""
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def fold_han(text: str) -> str:
    """Han characters in one script: Japanese shinjitai and Traditional Chinese become Simplified Chinese.

    東京大学 → 东京大学, 早稲田大学 and 早稻田大学 → 早稻田大学, 臺灣 → 台湾 (OpenCC "jp2t" then "t2s").
    Text without Han characters is returned unchanged.
    """
    return to_simplified(text, japanese=True) if has_han(text) else text


def search_fold(text: str) -> str:
    """The form names are searched in: case, accents, full-width forms, German umlauts written as two letters
    and Chinese script variants folded.

    "Université de GENÈVE" → "universite de geneve", "ＭＵＮＣＨＥＮ", "München" and "Muenchen" → "munchen"
    (an "e" after "a", "o" or "u" is dropped: ``meridian.core.text.fold_umlaut_digraphs``, the rule of the
    search column ``meridian.core.search_index.search_key``), "Straße" → "strasse", 東京大學 → 东京大学.
    """
    return fold_umlaut_digraphs(fold_han(fold(text)))


def country_key(text: str) -> str:
    """The comparison form of a country name: "The U.K." → "uk", "Côte d’Ivoire" → "cote d ivoire".

    NFKC (full-width forms), accents removed, case folded, Traditional Chinese converted to Simplified,
    dots inside abbreviations dropped, "&" read as "and", other punctuation and the word "the" removed;
    Chinese names lose their spaces ("中国 香港" is 中国香港).
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    if has_han(text):
        text = to_simplified(text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _DOTTED.sub("", text.casefold()).replace("&", " and ")
    words = [w for w in _SEPARATORS.split(text) if w and w not in _STOP_WORDS]
    if words and all(has_han(w) for w in words):
        return "".join(words)
    return " ".join(words)


def search_words(text: str) -> list[str]:
    """The words a name is searched by: folded as in `search_fold`, punctuation removed, CJK runs kept whole.

    "Ludwig-Maximilians-Universität München" and "Ludwig-Maximilians-Universitaet Muenchen" → ["ludwig",
    "maximilians", "universitat", "munchen"]; 東京大学 → ["东京大学"]. Registry tokens and queries are both
    made of these words, so a word prefix meets its umlaut spellings too ("mue" → "mu" starts "munchen").
    """
    return [fold_umlaut_digraphs(fold_han(word)) for word in words(text)]


def search_name(text: str) -> str:
    """A whole name in search form: its search words joined by single spaces (stored as the name's key)."""
    return " ".join(search_words(text))
