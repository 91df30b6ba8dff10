"""The words of institution names that look-ups match by prefix."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from meridian.reference.folding import search_words

MAX_TOKEN = 80
_CJK_SUFFIXES = 12  # a run of Chinese or Japanese characters is searchable from any of its first characters


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL"))


def name_tokens(names: Iterable[tuple[str, str]]) -> set[str]:
    """Tokens of (kind, value) names: search words, acronyms without dots, and the suffixes of CJK runs.

    Words are folded as `search_words` folds them (case, accents, full-width forms, Traditional Chinese and
    Japanese kanji variants as Simplified Chinese: 東京大学 is stored as 东京大学). Chinese names are
    written without spaces, so "北京大学" is also stored as "京大学", "大学" and "学": a prefix search
    then finds "大学" inside it.
    """
    tokens: set[str] = set()
    for kind, value in names:
        for word in search_words(value):
            tokens.add(word[:MAX_TOKEN])
            if _is_cjk(word[0]):
                tokens.update(word[i:][:MAX_TOKEN] for i in range(1, min(len(word), _CJK_SUFFIXES)))
        if kind == "acronym":
            # "E.T.H." is found as "eth" too.
            tokens.add("".join(search_words(value))[:MAX_TOKEN])
    tokens.discard("")
    return tokens
