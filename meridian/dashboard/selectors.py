"""Reads for the dashboard: the tiles every context registers, restricted to what the user may see.

The dashboard imports no context: ``registry.dashboard_tiles`` supplies the figures and sections, and
``registry.activity_feeds`` the record types of the activity timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from meridian.core.models import Activity
from meridian.core.registry import registry

RECENT_ACTIVITY = 15


@dataclass(frozen=True)
class Tile:
    """A tile ready for the template: ``context`` holds the entry's values plus ``tile`` (key and title)."""

    key: str
    title: str
    kind: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dashboard:
    stats: list[Tile]
    cards: list[Tile]


def _with_percent(values: dict[str, Any]) -> dict[str, Any]:
    """Bar rows (``rows`` of dicts with ``count``) get ``percent``: their width against the largest row."""
    rows = values.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "count" in r for r in rows):
        return values
    top = max((r["count"] for r in rows), default=0) or 1
    return {**values, "rows": [{**r, "percent": round(r["count"] * 100 / top)} for r in rows]}


def dashboard_for(*, user) -> Dashboard:
    """The tiles `user` may see, in registry order: headline figures (``stat``) and sections (``card``)."""
    stats: list[Tile] = []
    cards: list[Tile] = []
    for entry in registry.dashboard_tiles:
        if not entry.visible(user):
            continue
        title = str(entry.title)
        values = _with_percent(entry.context(user))
        tile = Tile(
            entry.key,
            title,
            entry.kind,
            entry.template,
            {**values, "tile": {"key": entry.key, "title": title}},
        )
        (stats if entry.kind == "stat" else cards).append(tile)
    return Dashboard(stats=stats, cards=cards)


@dataclass
class ActivityRow:
    activity: Activity
    url: str


def recent_activity(*, user, limit: int = RECENT_ACTIVITY) -> list[ActivityRow]:
    """The newest activity about records the user may see, over every type in ``registry.activity_feeds``."""
    feeds = list(registry.activity_feeds)
    if not feeds:
        return []
    types = ContentType.objects.get_for_models(*[feed.model() for feed in feeds])
    condition = Q(pk__in=[])
    urls = {}
    for feed in feeds:
        content_type = types[feed.model()]
        urls[content_type.pk] = feed.url
        about = Q(content_type=content_type)
        visible = feed.visible_ids(user)
        if visible is not None:
            about &= Q(object_id__in=visible)
        condition |= about
    rows = Activity.objects.filter(condition).select_related("actor")[:limit]
    return [ActivityRow(activity=a, url=urls[a.content_type_id](a.object_id)) for a in rows]
