"""Columns of an import: English and Chinese headers, synonyms, and how each cell is read.

Each import kind declares its own columns (``RowImporter.declared_columns``); this module has the rest:
the cell kinds, header matching in either language, and look-up tables for choices and languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import translation

from meridian.core.text import fold

# How a cell is turned into a value; see parsing.py.
TEXT = "text"
CHOICE = "choice"
DATE = "date"
BOOL = "bool"
INT = "int"
DECIMAL = "decimal"
COUNTRY = "country"
LIST = "list"
UNIT = "unit"
PARTNER_REFS = "partner_refs"
CHANNELS = "channels"
LANGUAGES = "languages"
WEBSITE = "website"
ROR = "ror"

# Columns whose cells hold numbers: a leading "-" or "+" there is a sign, not a formula.
NUMERIC_KINDS = frozenset({INT, DECIMAL})


@dataclass(frozen=True)
class Column:
    field: str
    header_en: str
    header_zh: str
    parse: str = TEXT
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: type[models.TextChoices] | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header_en, self.header_zh, *self.synonyms)


def header_key(text: object) -> str:
    """Headers match case-, width- and space-insensitively: " Official  Name " == "officialname"."""
    folded = fold(str(text or ""))
    return re.sub(r"[\s_]+", "", folded)


def match_headers(
    declared_columns: Iterable[Column], headers: list[object]
) -> tuple[dict[int, Column], list[str], list[str]]:
    """Map header positions to ``declared_columns``. Returns (position → column, ignored, repeated headers).

    A header matches a column's English or Chinese header or one of its synonyms (see ``header_key``); the
    first of two headers naming the same column wins and the second is returned as repeated.
    """
    by_key: dict[str, Column] = {}
    for declared in declared_columns:
        for synonym in declared.headers:
            by_key.setdefault(header_key(synonym), declared)
    found: dict[int, Column] = {}
    seen: set[str] = set()
    ignored: list[str] = []
    repeated: list[str] = []
    for index, header in enumerate(headers):
        text = str(header if header is not None else "").strip()
        if not text:
            continue
        column = by_key.get(header_key(text))
        if column is None:
            ignored.append(text)
        elif column.field in seen:
            repeated.append(text)
        else:
            seen.add(column.field)
            found[index] = column
    return found, ignored, repeated


LANGUAGE_NAMES: dict[str, str] = {
    "english": "en",
    "英文": "en",
    "英语": "en",
    "chinese": "zh",
    "中文": "zh",
    "汉语": "zh",
    "简体中文": "zh",
    "french": "fr",
    "法文": "fr",
    "法语": "fr",
    "german": "de",
    "德文": "de",
    "德语": "de",
    "russian": "ru",
    "俄文": "ru",
    "俄语": "ru",
    "japanese": "ja",
    "日文": "ja",
    "日语": "ja",
    "korean": "ko",
    "韩文": "ko",
    "韩语": "ko",
    "spanish": "es",
    "西班牙文": "es",
    "西班牙语": "es",
    "italian": "it",
    "意大利文": "it",
    "意大利语": "it",
    "portuguese": "pt",
    "葡萄牙文": "pt",
    "葡萄牙语": "pt",
    "arabic": "ar",
    "阿拉伯文": "ar",
    "阿拉伯语": "ar",
    "thai": "th",
    "泰文": "th",
    "泰语": "th",
}


def choice_lookup(
    choices: type[models.TextChoices], synonyms: dict[str, str] | None = None
) -> dict[str, str]:
    """Folded code, English label, Chinese label and ``synonyms`` (word → stored value) → stored value.

    Synonyms let imports read Chinese words for choice values even where translations are not compiled.
    """
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[header_key(value)] = value
        with translation.override("en"):
            table[header_key(str(label))] = value
        with translation.override("zh-hans"):
            table.setdefault(header_key(str(label)), value)
    for word, value in (synonyms or {}).items():
        table.setdefault(header_key(word), value)
    return table
