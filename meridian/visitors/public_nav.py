"""The public calendar of lectures in the public site's navigation ("Lectures"), and the next public lectures
on the Visiting Scholars section page, registered at start-up."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from meridian.core.registry import PublicNavEntry, PublicSectionBlock, registry

ENTRY = PublicNavEntry(key="lectures", label=_("Lectures"), url_name="visitors_public:calendar", order=50)
SECTION = "visiting-scholars"
BLOCK_KEY = "visitors-upcoming-lectures"
LECTURES_SHOWN = 5


def _upcoming():
    from meridian.visitors.selectors import lectures as selectors

    return selectors.public_upcoming(selectors.PublicFilters())


def _lectures_block(request: Any) -> dict[str, Any]:
    """The next public lectures given by our visitors (public fields only), for the section page."""
    from django.urls import reverse
    from django.utils import translation

    from meridian.visitors import ics

    language = translation.get_language() or "en"
    rows = [{"lecture": item, **ics.lecture_texts(item, language)} for item in _upcoming()[:LECTURES_SHOWN]]
    return {"rows": rows, "calendar_url": reverse("visitors_public:calendar")}


def _has_lectures() -> bool:
    return _upcoming().exists()


if ENTRY.key not in registry.public_nav:
    registry.public_nav.add(ENTRY)
if BLOCK_KEY not in registry.public_section_blocks:
    registry.public_section_blocks.add(
        PublicSectionBlock(
            key=BLOCK_KEY,
            section=SECTION,
            template="visitors/public/_section_block.html",
            context=_lectures_block,
            order=10,
            has_content=_has_lectures,
        )
    )
