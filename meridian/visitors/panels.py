"""Panels of the visit page, contributed by each part of the context (rule results, guests and their links,
documents, arrival and registrations, lectures). The visit page shows, in ``order``, every panel whose
``context`` returns a dict (None hides the panel for this user or visit).

Each part registers its panel when its module is imported (views modules with the URLconf, the others at
start-up through ``VisitorsConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class VisitPanel:
    """``template`` is rendered with the page's context plus what ``context(request, visit)`` returns."""

    key: str
    order: int
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]


_panels: dict[str, VisitPanel] = {}


def register_visit_panel(panel: VisitPanel) -> VisitPanel:
    """Add (or replace, by ``key``) a panel of the visit page."""
    _panels[panel.key] = panel
    return panel


def visit_panels(request: HttpRequest, visit: Any) -> list[dict[str, Any]]:
    """The panels to show on ``visit``'s page for ``request.user``: ``[{"key", "template", "context"}]``."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, visit)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown
