"""Sort keys for names shown in English or Chinese, stored in ordinary indexed columns.

Lists sort by the name they display, in the reader's language. Chinese names sort by their Hanyu Pinyin
(the order of a Chinese dictionary and of the "zh" collation of CLDR), Latin names alphabetically without
regard to case, accents or full-width forms, and the two interleave by letter (北京大学 "bei3 jing1 …" next to
"Beijing Institute of Technology"), as a Chinese reader who sees a few English names among Chinese ones
expects.

Why a stored key and not a database collation: PostgreSQL can sort Chinese by pinyin with an ICU collation
("zh-Hans-x-icu") only when it was built with ICU, and SQLite has no such collation at all; a collation
registered in Python would exist only on the connection that registered it and could not back an index. A key
computed here (with pypinyin's dictionary of readings) sorts the same way on both engines, is a plain string a
B-tree index serves (a list of 10,000 partners reads its first page from the index instead of sorting), and
is kept next to the row like its search column.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from pypinyin import Style, lazy_pinyin


class _Record(Protocol):
    pk: Any


T = TypeVar("T", bound=_Record)

# Long enough to order any two real names, short enough for a B-tree index entry on every engine.
SORT_KEY_LENGTH = 255


def _latin_key(text: str) -> str:
    """Compatibility-decomposed (full-width → ASCII), accents dropped, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def sort_key(text: str) -> str:
    """The key that orders `text` (a name in any script) as described in the module docstring.

    Each Chinese character becomes its most common pinyin reading with the tone as a digit ("北京" →
    "bei3 jing1"; the neutral tone is 5), so that syllables sort alphabetically and same syllables by tone;
    other text is folded by ``_latin_key``. The result is at most ``SORT_KEY_LENGTH`` characters. Never
    raises; an empty text gives "".
    """
    if not text:
        return ""
    parts = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: [chars])
    words = [_latin_key(part) for part in parts]
    return " ".join(word for word in words if word)[:SORT_KEY_LENGTH]


def localised_sort_keys(*, english: str, chinese: str) -> tuple[str, str]:
    """(English key, Chinese key) of a name shown as `english` to English readers and as `chinese`, when
    there is one, to Chinese readers (falling back to `english`, as ``meridian.core.i18n.localised`` does)."""
    english_key = sort_key(english)
    return english_key, sort_key(chinese) if chinese else english_key


def localised_sort_field(*, english: str = "sort_key_en", chinese: str = "sort_key_zh") -> str:
    """The name of the sort-key column for the reader's language (the Chinese one for Chinese readers)."""
    from meridian.core.i18n import is_chinese

    return chinese if is_chinese() else english


@functools.lru_cache(maxsize=8192)
def _cached_sort_key(text: str) -> str:
    return sort_key(text)


def by_shown_name(objects: Iterable[T], *, tree: bool = False) -> list[T]:
    """``objects`` in the order of the names the reader sees (``str(obj)`` in the active language; Chinese by
    pinyin, see ``sort_key``), ties by primary key.

    With ``tree``, objects with a ``parent_id`` (organisational units) keep their tree order — each one right
    after its parent, depth first — and only siblings are sorted by name; an object whose parent is not among
    ``objects`` starts a tree of its own.
    """
    items = list(objects)

    def key(obj: Any) -> tuple[str, Any]:
        return _cached_sort_key(str(obj)), obj.pk

    if not tree:
        return sorted(items, key=key)
    present = {obj.pk for obj in items}
    children: dict[Any, list[T]] = {}
    for obj in items:
        parent = getattr(obj, "parent_id", None)
        children.setdefault(parent if parent in present else None, []).append(obj)
    ordered: list[T] = []
    stack = sorted(children.get(None, []), key=key, reverse=True)
    while stack:
        obj = stack.pop()
        ordered.append(obj)
        stack.extend(sorted(children.get(obj.pk, []), key=key, reverse=True))
    return ordered
