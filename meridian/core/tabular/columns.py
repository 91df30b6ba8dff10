"""Columns of an import: English and Chinese headers, synonyms, and how each cell is read.

Each import kind declares its own columns (``RowImporter.declared_columns``); this module has the rest:
the cell kinds, header matching in either language, and look-up tables for choices and languages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import translation

from meridian.core.text import fold, to_simplified

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
    # Fields that stand in for this required column when the file lacks it (its value is then taken from
    # the first of them that the row fills): a list with only Chinese and English names has no "Name".
    fallbacks: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header_en, self.header_zh, *self.synonyms)


def header_key(text: object) -> str:
    """Headers match case-, width- and space-insensitively: " Official  Name " == "officialname"."""
    folded = fold(str(text or ""))
    return re.sub(r"[\s_]+", "", folded)


# Marks that say a column must (or need not) be filled: "名称*", "＊名称", "国家（必填）", "Name (required)",
# "必填：名称", "Notes (optional)". They are not part of the column's name.
_MARKER_WORDS = r"必填|必填项|必须填写|必需|必须|选填|可选|非必填|required|mandatory|compulsory|optional"
_BRACKETED_MARKER = re.compile(rf"[(（\[【<〈《]\s*(?:{_MARKER_WORDS})\s*[)）\]】>〉》]", re.IGNORECASE)
_PREFIX_MARKER = re.compile(rf"^\s*(?:{_MARKER_WORDS})\s*[:：]\s*", re.IGNORECASE)
_EDGE_MARKS = "*＊※★☆●■◆·:：\u3000 \t\r\n"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# "国家 Country", "院校名称\nInstitution name", "Country (国家)": a Chinese and an English header in one cell.
_CJK_THEN_LATIN = re.compile(r"^([^A-Za-z]*[\u3400-\u9fff\uf900-\ufaff][^A-Za-z]*?)\s*([A-Za-z].*)$", re.S)
_LATIN_THEN_CJK = re.compile(
    r"^([^\u3400-\u9fff\uf900-\ufaff]*[A-Za-z][^\u3400-\u9fff\uf900-\ufaff]*?)\s*"
    r"([\u3400-\u9fff\uf900-\ufaff].*)$",
    re.S,
)
_PART_EDGES = "()（）[]【】/|:：-–—_ \t\r\n\u3000"
# Words that say which language a name column holds: sub-headers under a merged name, or brackets after it.
LANGUAGE_QUALIFIERS = {
    "中文": "zh", "中文名": "zh", "中文名称": "zh", "汉语": "zh", "chinese": "zh", "cn": "zh", "zh": "zh",
    "英文": "en", "英文名": "en", "英文名称": "en", "英语": "en", "english": "en", "en": "en",
}  # fmt: skip
_LANGUAGE_QUALIFIED = re.compile(
    r"^(.+?)[\s(（\[【/|:：\-–—_]*("
    + "|".join(sorted(LANGUAGE_QUALIFIERS, key=len, reverse=True))
    + r")[)）\]】]?$",
    re.IGNORECASE,
)
# Near misses are only looked for in Latin headers of at least this many letters; Chinese headers that
# differ in one character usually mean something else (国家 country, 国籍 nationality).
FUZZY_MIN_LENGTH = 5
FUZZY_MIN_RATIO = 85.0
# Real header words one typo away from a field's name that mean something else.
NOT_NEAR_MISSES = frozenset({"county", "counties", "altitude", "expired"})
# How much a recognised column counts when choosing the header row and sheet (``header_score``).
REQUIRED_WEIGHT = 3.0
OPTIONAL_WEIGHT = 1.0
FUZZY_FACTOR = 0.5


def _simplified(text: str) -> str:
    """Traditional Chinese characters as Simplified ones (headers typed in Taiwan or Hong Kong)."""
    return to_simplified(text) if _CJK.search(text) else text


def strip_required_marker(text: object) -> str:
    """A header without required/optional marks: "国家（必填）" → "国家", "Name *" → "Name".

    Removes bracketed markers in Chinese or English (必填, 选填, required, optional …), a leading "必填：" or
    "Required:", and asterisks, reference marks and colons at either end. Other brackets are kept:
    "国家（地区）" and "Name (English)" are names in their own right.
    """
    value = str(text if text is not None else "")
    value = _BRACKETED_MARKER.sub(" ", value)
    value = value.strip(_EDGE_MARKS)
    value = _PREFIX_MARKER.sub("", value)
    return value.strip(_EDGE_MARKS)


@functools.lru_cache(maxsize=4096)
def _match_key(text: str) -> str:
    """The key headers are compared by: ``header_key`` of the Simplified form, without hyphens and dots."""
    return re.sub(r"[\-.·'’‐‑–—]+", "", header_key(_simplified(text)))


# A cell longer than this is no header (the longest synonyms are some 30 characters); such cells are not
# looked at while the header row is searched, which keeps that search linear in the cells' length.
MAX_HEADER_LENGTH = 200
_LATIN = re.compile(r"[A-Za-z]")


def _header_candidates(text: str) -> list[str]:
    """The whole header, then its lines, then its Chinese and English halves, markers removed; nothing for a
    cell longer than ``MAX_HEADER_LENGTH``."""
    if len(text) > MAX_HEADER_LENGTH:
        return []
    whole = strip_required_marker(text)
    found = [whole]
    parts = [line for line in re.split(r"[\r\n]+", text) if line.strip()] if "\n" in text else []
    if _CJK.search(whole) and _LATIN.search(whole):
        for pattern in (_CJK_THEN_LATIN, _LATIN_THEN_CJK):
            match = pattern.match(whole)
            if match:
                parts.extend(match.groups())
    for part in parts:
        candidate = strip_required_marker(part.strip(_PART_EDGES))
        if candidate and candidate not in found:
            found.append(candidate)
    return [c for c in found if c]


@dataclass(frozen=True)
class HeaderMatch:
    """How one file header was recognised: ``how`` is "header" (a column's own header or synonym),
    "synonym" (the shared table), "fuzzy" (a near miss) or "mapping" (the user's column mapping)."""

    column: Column
    how: str
    score: float = 100.0


class _Keys:
    """Match keys of the declared columns: their own headers first, then the shared synonym table."""

    def __init__(self, declared: list[Column]) -> None:
        from meridian.core.tabular.synonyms import HEADER_SYNONYMS

        self.exact: dict[str, tuple[Column, str]] = {}
        self.by_field = {column.field: column for column in declared}
        for column in declared:
            for text in (*column.headers, *_translated(column.header_en)):
                self.exact.setdefault(_match_key(text), (column, "header"))
        for column in declared:
            for text in HEADER_SYNONYMS.get(column.field, ()):
                self.exact.setdefault(_match_key(text), (column, "synonym"))
        # Latin keys long enough for near-miss matching, by field.
        self.fuzzy: dict[str, list[str]] = {}
        for key, (column, _how) in self.exact.items():
            if len(key) >= FUZZY_MIN_LENGTH and not _CJK.search(key):
                self.fuzzy.setdefault(column.field, []).append(key)

    def lookup(self, text: str) -> tuple[Column, str] | None:
        candidates = _header_candidates(text)
        for candidate in candidates:
            found = self.exact.get(_match_key(candidate))
            if found is not None:
                return found
        for candidate in candidates:
            found = self._qualified(candidate)
            if found is not None:
                return found
        return None

    def _qualified(self, text: str) -> tuple[Column, str] | None:
        """A name column with a language after it → the Chinese or English field of that name.

        "院校名称（中文）", "Institution name (English)", "名称 英文" (how a two-row header with 中文/英文
        under a merged "院校名称" reads): "name" → "name_zh"/"name_en", "title_en" → "title_zh", when the
        import has that field."""
        match = _LANGUAGE_QUALIFIED.match(text)
        if not match:
            return None
        base = self.exact.get(_match_key(match.group(1).strip(_PART_EDGES)))
        if base is None:
            return None
        language = LANGUAGE_QUALIFIERS[match.group(2).casefold()]
        stem = base[0].field.removesuffix("_en").removesuffix("_zh")
        column = self.by_field.get(f"{stem}_{language}")
        return (column, base[1]) if column is not None else None

    def near_miss(self, text: str, claimed: set[str], by_field: dict[str, Column]) -> HeaderMatch | None:
        """The field whose name ``text`` misses by a typo (one edit in 5–8 letters, two in 9–15, three in
        longer names, and at least 85 % similar), or None."""
        from rapidfuzz import fuzz
        from rapidfuzz.distance import OSA

        if len(text) > MAX_HEADER_LENGTH:
            return None
        key = _match_key(strip_required_marker(text))
        if len(key) < FUZZY_MIN_LENGTH or _CJK.search(key) or key in NOT_NEAR_MISSES:
            return None
        best: HeaderMatch | None = None
        for field, keys in self.fuzzy.items():
            if field in claimed:
                continue
            for target in keys:
                allowed = 1 if len(target) <= 8 else 2 if len(target) <= 15 else 3
                if OSA.distance(key, target, score_cutoff=allowed) > allowed:
                    continue
                ratio = fuzz.ratio(key, target)
                if ratio >= FUZZY_MIN_RATIO and (best is None or ratio > best.score):
                    best = HeaderMatch(by_field[field], "fuzzy", ratio)
        return best


def _translated(header_en: str) -> tuple[str, ...]:
    """The English header as the Chinese interface translates it: what a list exported in Chinese writes for
    the same field ("Cooperating since" → 合作起始时间), so that every export imports back."""
    with translation.override("zh-hans"):
        translated = translation.gettext(header_en)
    return (translated,) if translated and translated != header_en else ()


@functools.lru_cache(maxsize=32)
def _keys(declared: tuple[Column, ...]) -> _Keys:
    """The match keys of one set of declared columns, built once (header_score is called for many rows)."""
    return _Keys(list(declared))


def _match(
    declared_columns: Iterable[Column], headers: list[object], mapping: dict[str, str] | None
) -> tuple[dict[int, HeaderMatch], list[str], list[str]]:
    declared = list(declared_columns)
    by_field = {column.field: column for column in declared}
    keys = _keys(tuple(declared))
    wanted = _normalised_mapping(mapping or {})
    matches: dict[int, HeaderMatch] = {}
    claimed: set[str] = set()
    ignored: dict[int, str] = {}
    repeated: list[str] = []
    unmatched: list[tuple[int, str]] = []
    texts = [(i, str(h if h is not None else "").strip()) for i, h in enumerate(headers)]
    texts = [(i, t) for i, t in texts if t]
    # 1. The user's mapping decides first; "" means "ignore this column".
    automatic: list[tuple[int, str]] = []
    for index, text in texts:
        field = wanted.get(text, wanted.get(header_key(text)))
        if field is None or (field and field not in by_field):
            automatic.append((index, text))
        elif not field:
            ignored[index] = text
        elif field in claimed:
            repeated.append(text)
        else:
            claimed.add(field)
            matches[index] = HeaderMatch(by_field[field], "mapping")
    # 2. Own headers and synonyms; a second header naming a taken field is a repeat.
    for index, text in automatic:
        found = keys.lookup(text)
        if found is None:
            unmatched.append((index, text))
        elif found[0].field in claimed:
            repeated.append(text)
        else:
            claimed.add(found[0].field)
            matches[index] = HeaderMatch(found[0], found[1])
    # 3. Near misses for fields still free; of two headers near one field only the closer one is taken.
    near: dict[str, tuple[int, HeaderMatch]] = {}
    for index, text in unmatched:
        miss = keys.near_miss(text, claimed, by_field)
        if miss is not None:
            best = near.get(miss.column.field)
            if best is None or miss.score > best[1].score:
                near[miss.column.field] = (index, miss)
    for index, header_match in near.values():
        matches[index] = header_match
    for index, text in unmatched:
        if index not in matches:
            ignored[index] = text
    return dict(sorted(matches.items())), [ignored[i] for i in sorted(ignored)], repeated


def _normalised_mapping(mapping: dict[str, str]) -> dict[str, str]:
    """The user's mapping by exact header text and by ``header_key``; field names are kept as given."""
    table: dict[str, str] = {}
    for header, field in mapping.items():
        text = str(header).strip()
        table.setdefault(text, (field or "").strip())
        table.setdefault(header_key(text), (field or "").strip())
    return table


def match_headers(
    declared_columns: Iterable[Column], headers: list[object]
) -> tuple[dict[int, Column], list[str], list[str]]:
    """Map header positions to ``declared_columns``. Returns (position → column, ignored, repeated headers).

    A header is recognised, in this order of precedence:
    1. by a column's own English or Chinese header or synonym, then by the shared table of words offices
       use (``synonyms.HEADER_SYNONYMS``, keyed by field name); matching ignores case, width, spaces,
       hyphens, dots, Traditional vs Simplified characters and required-column marks ("名称*", "国家（必填）",
       "Name (required)", "必填：名称"); a cell with a Chinese and an English header ("国家 Country",
       "院校名称⏎Institution name") matches by either half;
    2. by a near miss of a Latin header for a field not yet found ("Instituion name", "Coutry"), see
       ``_Keys.near_miss``; of two headers near one field only the closer one is taken.
    The first of two headers naming the same column wins and the second is returned as repeated; headers
    recognised as nothing are returned as ignored (in file order).
    """
    found, ignored, repeated = _match(declared_columns, headers, None)
    return {index: match.column for index, match in found.items()}, ignored, repeated


def match_headers_with_mapping(
    declared_columns: Iterable[Column], headers: list[object], mapping: dict[str, str]
) -> tuple[dict[int, Column], list[str], list[str]]:
    """``match_headers`` where ``mapping`` (header text as in the file → field name, "" = ignore the column)
    decides first; headers it does not name, or names with an unknown field, are matched automatically to
    the fields still free. Header texts are compared as written, then like ``header_key``."""
    found, ignored, repeated = _match(declared_columns, headers, mapping)
    return {index: match.column for index, match in found.items()}, ignored, repeated


def match_headers_explained(
    declared_columns: Iterable[Column], headers: list[object], mapping: dict[str, str] | None = None
) -> tuple[dict[int, HeaderMatch], list[str], list[str]]:
    """Like ``match_headers_with_mapping`` but each position gives a ``HeaderMatch`` saying how the header
    was recognised (for the dry run's "column → field" list and the column-mapping step)."""
    return _match(declared_columns, headers, mapping)


def header_score(declared_columns: Iterable[Column], headers: list[object]) -> float:
    """How well ``headers`` fit ``declared_columns``: each recognised distinct column counts 3 if required,
    1 otherwise, and half of that when recognised only as a near miss; a missing required column whose
    stand-ins (``Column.fallbacks``) are there counts 3. 0.0 when nothing is recognised.

    Used to choose the header row of a sheet and the sheet of a workbook: the highest score wins.
    """
    declared = list(declared_columns)
    found, _ignored, _repeated = _match(declared, headers, None)
    score = 0.0
    for match in found.values():
        weight = REQUIRED_WEIGHT if match.column.required else OPTIONAL_WEIGHT
        score += weight * (FUZZY_FACTOR if match.how == "fuzzy" else 1.0)
    # A required column that the file lacks but whose stand-ins it has counts as found (its value comes from
    # them): "院校名称" over 中文 | 英文 gives the Chinese and English names, and so the name.
    present = {match.column.field for match in found.values()}
    for column in declared:
        if column.required and column.field not in present and present.intersection(column.fallbacks):
            score += REQUIRED_WEIGHT
    return score


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


class ChoiceLookup(dict[str, str]):
    """Word → stored value of one choice column, and the choices' labels (``values``) to name in a refusal."""

    def __init__(self, choices: type[models.TextChoices]) -> None:
        super().__init__()
        self.choices = choices

    def values_text(self) -> str:
        """The choices' labels in the active language, joined as the language joins a list."""
        separator = (
            "、" if translation.get_language() and translation.get_language().startswith("zh") else ", "
        )
        return separator.join(str(label) for _value, label in self.choices.choices)


def choice_lookup(choices: type[models.TextChoices], synonyms: dict[str, str] | None = None) -> ChoiceLookup:
    """Folded code, English label, Chinese label and ``synonyms`` (word → stored value) → stored value.

    Synonyms let imports read Chinese words for choice values even where translations are not compiled.
    """
    table = ChoiceLookup(choices)
    for value, label in choices.choices:
        table[header_key(value)] = value
        with translation.override("en"):
            table[header_key(str(label))] = value
        with translation.override("zh-hans"):
            table.setdefault(header_key(str(label)), value)
    for word, value in (synonyms or {}).items():
        table.setdefault(header_key(word), value)
    return table
