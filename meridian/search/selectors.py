"""One search box over every registered record type, as far as the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from meridian.core.registry import SearchHit
from meridian.core.text import clean_spaces
from meridian.search.permissions import searchable_types

PER_TYPE = 20
MAX_QUERY = 200


@dataclass
class ResultGroup:
    """Hits of one record type: at most ``PER_TYPE``; ``more`` says the type has further matches."""

    key: str
    label: str
    hits: list[SearchHit] = field(default_factory=list)
    more: bool = False


def search_everything(*, user, query: str, per_type: int = PER_TYPE) -> list[ResultGroup]:
    """Ask each record type `user` may search for `query` (words trimmed, at most 200 characters).

    Returns one group per type that has hits, in registry order; an empty query returns nothing.
    """
    query = clean_spaces(query)[:MAX_QUERY]
    if not query:
        return []
    groups = []
    for entry in searchable_types(user):
        # One more than shown tells whether there are further matches without counting them all.
        hits = entry.search(user, query, per_type + 1)
        if hits:
            groups.append(ResultGroup(entry.key, str(entry.label), hits[:per_type], len(hits) > per_type))
    return groups
