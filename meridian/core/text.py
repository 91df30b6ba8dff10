"""Text normalisation shared by look-ups, duplicate checks and imports."""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Universität  Wien" → "universitat wien". CJK is kept as it is."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold().replace("ß", "ss")).strip()


def words(text: str) -> list[str]:
    """Folded words of a name, punctuation removed; runs of CJK characters stay one word."""
    return [w for w in _NON_WORD.split(fold(text)) if w]


def clean_spaces(text: str) -> str:
    """Non-breaking and other odd spaces become plain spaces; leading/trailing space is trimmed."""
    if not text:
        return ""
    if text.isascii():
        return text.strip()
    return text.replace("\u00a0", " ").replace("\u2007", " ").replace("\u202f", " ").strip()


@functools.lru_cache(maxsize=65_536)
def normalise_domain(value: str) -> str:
    """ "https://www.Uni-Heidelberg.de/en/" → "uni-heidelberg.de"; an e-mail address gives its domain."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "://" not in value:
        value = value.rsplit("@", 1)[1]
    if "://" not in value:
        value = "//" + value
    host = urlsplit(value).hostname or ""
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host


# German umlauts written as two letters: an "e" right after "a", "o" or "u" (see `fold_umlaut_digraphs`).
_UMLAUT_DIGRAPH_E = re.compile(r"(?<=[aou])e")


def fold_umlaut_digraphs(text: str) -> str:
    """Every "e" right after "a", "o" or "u" removed: "muenchen" → "munchen", "goettingen" → "gottingen".

    For search forms that are already case-folded with accents removed (so "ü" is "u" and "ß" is "ss"):
    "München", "Muenchen" and "Munchen" then share one form. The rule looks at one preceding letter only,
    so a part of a word is folded as the same letters are inside the whole word ("uenc" → "unc" as in
    "muenchen" → "munchen"); only a part that starts with such an "e" differs (see
    ``meridian.core.search_index.term_variants``). Unlike ``name_key``'s rule (after a consonant only), it
    also folds "Bauer" → "baur" and "aero" → "aro": harmless for search, where both sides are folded alike.
    """
    return _UMLAUT_DIGRAPH_E.sub("", text) if "e" in text else text


# --- name keys for matching organisations -------------------------------------------------------------

# Letters that do not decompose into a base letter and a combining mark.
_LETTER_FOLDS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th", "æ": "ae", "œ": "oe", "ħ": "h"}
)
# Apostrophes vanish ("King's" == "Kings"); every other punctuation or dash is a word break.
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
# German transliteration: "ae", "oe", "ue" after a consonant stand for ä, ö, ü ("Universitaet", "Muenchen").
# Both sides are keyed with the same rule, so "Universität" (→ "universitat") meets "Universitaet" too.
_GERMAN_DIGRAPH = re.compile(r"(?<=[b-df-hj-np-tv-z])([aou])e")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_CJK_GAP = re.compile(
    r"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]) (?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
)
# The usual abbreviations in organisation names, as whole words after punctuation is removed.
NAME_ABBREVIATIONS: dict[str, str] = {
    "st": "saint",
    "ste": "sainte",
    "sankt": "saint",
    "univ": "university",
    "inst": "institute",
    "tech": "technology",
    "techn": "technology",
    "natl": "national",
    "intl": "international",
    "acad": "academy",
    "coll": "college",
    "dept": "department",
    "sci": "science",
    "mt": "mount",
}


@functools.cache
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str, *, japanese: bool = False) -> str:
    """Traditional Chinese as Simplified Chinese (OpenCC "t2s"): 東京大學 → 东京大学.

    With ``japanese``, Japanese shinjitai are first read as Traditional characters (OpenCC "jp2t"), so that
    早稲田 → 早稻田. Other characters are left as they are; the converters are created once, on first use.
    """
    if japanese:
        text = _opencc("jp2t").convert(text)
    return _opencc("t2s").convert(text)


_COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def _name_key(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if _CJK.search(text):
            text = to_simplified(text)
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_LETTER_FOLDS)))
    if "ae" in text or "oe" in text or "ue" in text:
        text = _GERMAN_DIGRAPH.sub(r"\1", text)
    if not text.replace(" ", "").isalnum():
        text = _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", text).replace("&", " and "))
    tokens = [NAME_ABBREVIATIONS.get(t, t) for t in text.split()]
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    key = " ".join(tokens)
    return _CJK_GAP.sub("", key) if not key.isascii() else key


@functools.lru_cache(maxsize=200_000)
def name_key(text: str) -> str:
    """The key under which two spellings of an organisation's name are the same name.

    Rules, applied in this order to both names being compared: Unicode NFKC (full-width letters, digits and
    dashes become their ASCII forms); Traditional Chinese folded to Simplified (OpenCC ``t2s``); case folding;
    diacritics removed (ä → a, é → e, ø → o, ß → ss); the German transliterations "ae", "oe", "ue" after a
    consonant read as "a", "o", "u" ("Universitaet" == "Universität", "Muenchen" == "München"); apostrophes
    removed; every other punctuation mark and dash (hyphen, en and em dash, full-width dash) is a word break,
    so a trailing full stop disappears; "&" reads "and"; the abbreviations in ``NAME_ABBREVIATIONS`` are
    expanded ("St." → "saint", "Univ." → "university"); a leading "The" is dropped; spaces between Chinese
    characters are removed.

    Examples: "The University of St. Andrews." → "university of saint andrews"; "東京大學" → "东京大学".
    Returns "" for blank text. The key is for comparing only; it is never shown or stored as a name.
    """
    return _name_key(text or "")


# Full-width ASCII letters and digits (Ａ–Ｚ, ａ–ｚ, ０–９).
_FULL_WIDTH_ALNUM = {
    code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
# Every full-width ASCII character (punctuation included) and the ideographic space.
_FULL_WIDTH_ALL = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def half_width(text: str) -> str:
    """Full-width Latin letters and digits become ASCII ("ＭＩＴ" → "MIT") before a value is stored.

    Full-width punctuation and the ideographic space become ASCII only in text without Chinese characters
    ("Ｔｏｋｙｏ　Ｔｅｃｈ" → "Tokyo Tech"); in Chinese text they are correct typography and are kept
    ("香港中文大学（深圳）" stays as it is).
    """
    if not text:
        return text or ""
    if _CJK.search(text):
        return text.translate(_FULL_WIDTH_ALNUM)
    return text.translate(_FULL_WIDTH_ALL)


# Hyphen-minus, the Unicode hyphens and dashes, the minus sign and the small and full-width hyphen-minus.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]")


def code_key(text: str) -> str:
    """The key under which two spellings of a reference number are the same number.

    Unicode NFKC (full-width letters and digits become ASCII), case folding, every dash variant (en and em
    dash, minus sign, full-width hyphen) read as "-", runs of spaces as one space: "sx-2024-001",
    "SX－2024－001" and "SX–2024–001" all give "sx-2024-001". Returns "" for blank text.
    """
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(_DASHES.sub("-", text).split())
