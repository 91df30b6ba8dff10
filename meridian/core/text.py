"""Text normalisation shared by look-ups, duplicate checks and imports."""

from __future__ import annotations

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
    return (text or "").replace("\u00a0", " ").replace("\u2007", " ").replace("\u202f", " ").strip()


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
