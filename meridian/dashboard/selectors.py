"""Reads for the dashboard: the tiles every context registers, restricted to what the user may see.

The dashboard imports no context: ``registry.dashboard_tiles`` supplies the figures and sections, and
``registry.activity_feeds`` the record types of the activity timeline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from meridian.core.activity import activity_recent
from meridian.core.models import Activity
from meridian.core.registry import registry

RECENT_ACTIVITY = 15
# What a card whose values or template failed shows instead (its title and a short notice).
FAILED_TEMPLATE = "dashboard/tiles/failed.html"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tile:
    """A tile ready for the template: ``context`` holds the entry's values plus ``tile`` (key and title).

    ``failed``: the entry's values could not be read (the error is logged); the page shows a notice in the
    tile's place (``FAILED_TEMPLATE`` for a card) instead of failing.
    """

    key: str
    title: str
    kind: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    failed: bool = False


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


def _visible(entry, user) -> bool:
    """The entry's ``visible(user)``; an entry whose check fails is hidden (and the error logged)."""
    try:
        return bool(entry.visible(user))
    except Exception:
        logger.exception("Dashboard tile %r: its visibility check failed; the tile is left out.", entry.key)
        return False


def dashboard_for(*, user) -> Dashboard:
    """The tiles `user` may see, in registry order: headline figures (``stat``) and sections (``card``).

    One tile failing never breaks the dashboard: when an entry's ``context(user)`` raises, the error is
    logged with its traceback and the tile comes back with ``failed=True`` (and the card template
    ``FAILED_TEMPLATE``), which the page shows as a short notice. Each entry's reads run in their own
    savepoint, so a database error in one leaves the others' queries working (PostgreSQL).
    """
    stats: list[Tile] = []
    cards: list[Tile] = []
    for entry in registry.dashboard_tiles:
        if not _visible(entry, user):
            continue
        title = str(entry.title)
        head = {"tile": {"key": entry.key, "title": title}}
        try:
            with transaction.atomic():
                values = _with_percent(entry.context(user))
        except Exception:
            logger.exception("Dashboard tile %r failed; a notice is shown in its place.", entry.key)
            tile = Tile(entry.key, title, entry.kind, FAILED_TEMPLATE, head, failed=True)
        else:
            tile = Tile(entry.key, title, entry.kind, entry.template, {**values, **head})
        (stats if entry.kind == "stat" else cards).append(tile)
    return Dashboard(stats=stats, cards=cards)


@dataclass
class ActivityRow:
    activity: Activity
    url: str


def recent_activity(*, user, limit: int = RECENT_ACTIVITY) -> list[ActivityRow]:
    """The newest activity the user may read, over every type in ``registry.activity_feeds``.

    Which entries: each type's ``ActivityRule`` (records the user may see; internal entries only for those
    who may see the record's internal details), applied in the database; at most `limit` rows are read.
    """
    feeds = list(registry.activity_feeds)
    if not feeds:
        return []
    models = [feed.model() for feed in feeds]
    types = ContentType.objects.get_for_models(*models)
    urls = {types[model].pk: feed.url for model, feed in zip(models, feeds, strict=True)}
    rows = activity_recent(user=user, models=models, limit=limit)
    return [ActivityRow(activity=a, url=urls[a.content_type_id](a.object_id)) for a in rows]
