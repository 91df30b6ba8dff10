"""Cache invalidation only: a change to a model some context watches (``registry.cache_watches``, group
"public") renews the data stamp, so the public figures, maps, feeds and cached pages are computed afresh on
the next read; a change to the portal's own pages and news renews the articles stamp (cached pages only)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from meridian.core import bulk
from meridian.core.registry import registry
from meridian.portal.figures import ARTICLES_STAMP, figures_invalidate, stamp_renew

GROUP = "public"


def watched_models(group: str = GROUP) -> set[type]:
    """Every model registered for `group` in ``registry.cache_watches``."""
    found: set[type] = set()
    for watch in registry.cache_watches:
        if watch.group == group:
            found.update(watch.models())
    return found


def _portal_models() -> tuple[type, ...]:
    from meridian.portal.models import Article, Attachment, Section

    return (Article, Attachment, Section)


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    if sender in _portal_models():
        stamp_renew(ARTICLES_STAMP)  # cached public pages show articles; figures and maps do not
    elif sender in watched_models() and not bulk.change_deferred(sender):
        figures_invalidate()


def _changed_in_bulk(sender, **kwargs) -> None:
    """Once per model after a bulk write (an import): one new stamp instead of one per record."""
    if sender in watched_models():
        figures_invalidate()


def connect() -> None:
    """Listen to every save and delete; the watch list is read when a signal arrives, so contexts that
    register after the portal's start-up are watched too."""
    post_save.connect(_changed, dispatch_uid="portal-figures-save")
    post_delete.connect(_changed, dispatch_uid="portal-figures-delete")
    bulk.records_changed.connect(_changed_in_bulk, dispatch_uid="portal-figures-bulk")
