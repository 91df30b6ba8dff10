"""``{% render_tile card %}``: a dashboard card rendered on its own, so that one failing card never breaks
the page (its error is logged and a short notice takes its place)."""

from __future__ import annotations

import logging

from django import template
from django.db import transaction
from django.template.loader import render_to_string

from meridian.dashboard.selectors import FAILED_TEMPLATE, Tile

register = template.Library()
logger = logging.getLogger("meridian.dashboard.selectors")


@register.simple_tag(takes_context=True)
def render_tile(context, tile: Tile) -> str:
    """The card's template rendered with its values on top of the request context (``request``, ``user``,
    the language); when rendering raises, the error is logged with its traceback and ``FAILED_TEMPLATE``
    (the card's title and a translated notice) is rendered instead. Returns escaped HTML."""
    request = context.get("request")
    try:
        with transaction.atomic():
            return render_to_string(tile.template, tile.context, request=request)
    except Exception:
        logger.exception("Dashboard tile %r could not be shown; a notice is shown in its place.", tile.key)
        head = {"tile": tile.context.get("tile", {"key": tile.key, "title": tile.title})}
        return render_to_string(FAILED_TEMPLATE, head, request=request)
