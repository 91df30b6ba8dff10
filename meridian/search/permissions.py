"""Who may search: anyone allowed to search at least one registered record type (``registry.search_types``).

Each type decides for itself (``visible(user)``) and returns only the records the user may see.
"""

from __future__ import annotations

from meridian.core.registry import SearchType, registry


def searchable_types(user) -> list[SearchType]:
    """The record types `user` may search, in registry order."""
    if user is None or not user.is_authenticated:
        return []
    return [entry for entry in registry.search_types if entry.visible(user)]


def can_search(user) -> bool:
    return bool(searchable_types(user))
