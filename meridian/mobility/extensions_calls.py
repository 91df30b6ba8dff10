"""Start-up registration of calls: the open calls on the public Exchange Programmes section page, and the
public cache group watching calls and their destinations (so cached public pages and figures are renewed
when a call opens, changes or closes)."""

from __future__ import annotations

from typing import Any

from meridian.core.registry import CacheWatch, PublicSectionBlock, registry

SECTION = "exchange-programmes"
BLOCK_KEY = "mobility-open-calls"
WATCH_KEY = "mobility-calls"


def _open_calls_block(request: Any) -> dict[str, Any]:
    """The calls open for applications now, for the section page (public fields only)."""
    from django.urls import reverse
    from django.utils import timezone

    from meridian.mobility.selectors import calls as selectors
    from meridian.mobility.views_public import site_time

    now = timezone.now()
    rows = selectors.public_summary(selectors.public_open_calls(now=now))
    for row in rows:
        call = row["call"]
        row["deadline"] = site_time(call.closes_at)
        row["opens"] = site_time(call.opens_at) if call.opens_at > now else None
        row["open"] = True
    return {"rows": rows, "calls_url": reverse("mobility_public:calls")}


def _has_open_calls() -> bool:
    """Whether a call is open for applications now (or opens soon): the section shows the block then."""
    from django.utils import timezone

    from meridian.mobility.selectors import calls as selectors

    return selectors.public_open_calls(now=timezone.now()).exists()


def _watched() -> list:
    from meridian.mobility.models import Call, CallDestination

    return [Call, CallDestination]


if BLOCK_KEY not in registry.public_section_blocks:
    registry.public_section_blocks.add(
        PublicSectionBlock(
            key=BLOCK_KEY,
            section=SECTION,
            template="mobility/public/_section_block.html",
            context=_open_calls_block,
            order=10,
            has_content=_has_open_calls,
        )
    )
if WATCH_KEY not in registry.cache_watches:
    registry.cache_watches.add(CacheWatch(key=WATCH_KEY, group="public", models=_watched))
