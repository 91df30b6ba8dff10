"""Live figures for the Global Vision site, computed when a page is served from what contexts register.

Each figure is a ``PublicFigure`` in ``registry.public_figures`` (partners: cooperating partners and their
countries; agreements: channels, joint labs, exchange agreements; the portal: the university's name). An
editor writes a figure's key in single braces as a placeholder (``{partners}``); the list with descriptions
is shown on the editing page. Only aggregates are registered: counts, country names and channel names. Partner
names never are, so a non-public partner is counted but never named.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from meridian.core.registry import PublicFigure, registry

TOP_COUNTRIES = 6
DATA_STAMP = 1  # rows of FiguresStamp: partners, agreements and what else contexts watch for the public site
ARTICLES_STAMP = 2  # the portal's own pages, news and attachments
CACHE_SECONDS = 24 * 3600


class _Placeholders(Mapping):
    """Placeholder name → description, read from the registry each time (contexts register at start-up)."""

    def __getitem__(self, key: str) -> Any:
        if key not in registry.public_figures:
            raise KeyError(key)
        return registry.public_figures.get(key).description

    def __iter__(self) -> Iterator[str]:
        return (entry.key for entry in registry.public_figures)

    def __len__(self) -> int:
        return len(registry.public_figures)


PLACEHOLDERS: Mapping[str, Any] = _Placeholders()


def register() -> None:
    """The portal's own figure (the university's name, from settings) and the charts block of the Global
    Partnership page."""
    registry.public_figures.add(
        PublicFigure(
            key="university_name",
            label=_("University"),
            compute=lambda: settings.UNIVERSITY_NAME,
            description=_("The university's name."),
            kind="text",
            order=1000,
        )
    )
    # The Global Partnership page shows the figures as charts too (the home page includes them itself).
    from meridian.core.registry import PublicSectionBlock
    from meridian.portal.publiccharts import section_charts_block

    registry.public_section_blocks.add(
        PublicSectionBlock(
            key="portal-charts",
            section="global-partnership",
            template="portal/_charts.html",
            context=section_charts_block,
            order=10,
        )
    )


def figures_compute() -> dict[str, Any]:
    """Every registered figure's raw value by key (each figure runs its own few aggregate queries)."""
    return {entry.key: entry.compute() for entry in registry.public_figures}


def stamp_renew(pk: int) -> None:
    """Renew stamp row ``pk`` (1: data, 2: articles) in the caller's transaction, so that no reader pairs
    new data with an old token."""
    from meridian.portal.models import FiguresStamp

    token = uuid.uuid4().hex
    # update() does not run auto_now: the time is set here (it is the public pages' Last-Modified).
    if not FiguresStamp.objects.filter(pk=pk).update(token=token, changed_at=timezone.now()):
        FiguresStamp.objects.update_or_create(pk=pk, defaults={"token": token})


def figures_invalidate() -> None:
    """Renew the data stamp (in the caller's transaction): the next reader computes the figures afresh."""
    stamp_renew(DATA_STAMP)


def figures_current() -> dict[str, Any]:
    """The figures, from the cache while nothing they depend on has changed (one query to check)."""
    from meridian.portal.publiccache import data_stamp

    key = f"portal:figures:{data_stamp(articles=False).token}"
    figures = cache.get(key)
    if figures is None:
        figures = figures_compute()
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def round_down(number: int) -> int:
    """Round down to a number people write: tens under 100, fifties under 1000, hundreds above.

    Numbers under ten stay as they are."""
    if number < 10:
        return number
    step = 10 if number < 100 else 50 if number < 1000 else 100
    return number // step * step


def _is_zh(language: str) -> bool:
    return language.startswith("zh")


def _number(value: int, language: str) -> str:
    return str(value) if _is_zh(language) else f"{value:,}"


def rounded_phrase(number: int, language: str) -> str:
    """ "over 150" / "150多所"; the exact number when rounding changes nothing (never "over 150" for 150)."""
    rounded = round_down(number)
    if _is_zh(language):
        return f"{rounded}所" if rounded == number else f"{rounded}多所"
    return _number(number, language) if rounded == number else f"over {_number(rounded, language)}"


def join_list(items: list[str], language: str) -> str:
    if _is_zh(language):
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _sentence_case(label: str) -> str:
    # "Student exchange" reads "student exchange" inside a sentence; "R&D centre" keeps its capitals.
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def top_countries_phrase(
    places: list[tuple[str, str, int]], language: str, limit: int = TOP_COUNTRIES
) -> str:
    """The first `limit` places (``(name_en, name_zh, count)``, most first), then "and other places"."""
    shown = places[:limit]
    more = len(places) > limit
    if _is_zh(language):
        names = [zh or en for en, zh, _count in shown]
        return "、".join(names) + ("等国家和地区" if more else "")
    names = [en for en, _zh, _count in shown]
    if more:
        return ", ".join(names) + " and other places"
    return join_list(names, language)


def labels_phrase(labels: list, language: str) -> str:
    """Labels (lazy translations) in `language`, joined as a list; in English in sentence case."""
    with translation.override(language):
        names = [str(label) for label in labels]
    if not _is_zh(language):
        names = [_sentence_case(name) for name in names]
    return join_list(names, language)


def series_phrase(rows: list[tuple[str, str, int]], language: str) -> str:
    """A series (``(label_en, label_zh, count)`` rows) as text: "Europe: 12, Asia: 9" / "欧洲：12、亚洲：9"
    (one line)."""
    if _is_zh(language):
        return "、".join(f"{zh or en}：{count}" for en, zh, count in rows)
    return ", ".join(f"{en}: {_number(count, language)}" for en, _zh, count in rows)


def figure_text(kind: str, value: Any, language: str) -> str:
    """A figure's value written in `language` according to its kind (see ``PublicFigure``)."""
    if kind in ("series", "timeline"):
        return series_phrase(list(value), language)
    if kind == "number":
        return _number(int(value), language)
    if kind == "rounded":
        return rounded_phrase(int(value), language)
    if kind == "list":
        return labels_phrase(list(value), language)
    if kind == "places":
        return top_countries_phrase(list(value), language)
    return str(value)


def placeholder_values(figures: Mapping[str, Any], language: str) -> dict[str, str]:
    """Every placeholder's text in `language`, from raw `figures` (figures registered since are skipped)."""
    return {
        entry.key: figure_text(entry.kind, figures[entry.key], language)
        for entry in registry.public_figures
        if entry.key in figures
    }
