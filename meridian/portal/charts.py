"""Server-rendered SVG charts for the public site: they read and print without JavaScript or style sheets.

A chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>`` (which lists every
value, for screen readers); pages put a table of the same figures next to it. Colours are written as
attributes, so the chart looks the same printed, in a feed reader or with the site's style sheet missing.

Two shapes: horizontal bars for categories (``bar_chart``: countries, types, channels) and columns for a
sequence such as years (``column_chart``). Values are whole numbers (counts); no axis is drawn, every bar
carries its value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640  # viewBox units (scaled to the container's width by CSS: width 100%, height auto)
ROW = 26  # height of one horizontal bar's row
BAR = 18  # thickness of a bar
GAP = 8  # space between a label and its bar, and between a bar and its value
FONT = 13  # font size of labels and values
CHAR = 7.2  # average advance of a narrow character at FONT (a wide CJK character counts twice)
MAX_LABEL = 220  # labels longer than this (in units) are shortened with an ellipsis
COLUMN_AREA = 200  # height of the columns' drawing area
BAR_FILL = "#0b4f8a"
TEXT_FILL = "#1b1f24"


@dataclass(frozen=True)
class Datum:
    """One bar: its ``label`` (plain text, escaped when drawn), whole-number ``value``, optional ``url``."""

    label: str
    value: int
    url: str = ""


def text_width(text: str) -> float:
    """Approximate width of ``text`` in viewBox units at FONT: East Asian wide characters count double."""
    return sum(CHAR * (2 if unicodedata.east_asian_width(ch) in "WF" else 1) for ch in text)


def shorten(text: str, limit: float = MAX_LABEL) -> str:
    """``text`` cut to fit within ``limit`` units, ending with "…" when cut (the table has the full text)."""
    if text_width(text) <= limit:
        return text
    kept = ""
    for ch in text:
        if text_width(kept + ch + "…") > limit:
            break
        kept += ch
    return kept.rstrip() + "…"


def _validate(data: Sequence[Datum]) -> None:
    for datum in data:
        if not isinstance(datum.value, int) or datum.value < 0:
            raise ValueError(
                f"chart values are counts (whole numbers from 0): {datum.label!r}={datum.value!r}"
            )


def _open(*, key: str, title: str, description: str, height: float) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{escape(key)}-title {escape(key)}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">'
        f'<title id="{escape(key)}-title">{escape(title)}</title>'
        f'<desc id="{escape(key)}-desc">{escape(description)}</desc>'
    )


def describe(data: Sequence[Datum]) -> str:
    """Every value as text ("China: 12; Germany: 9"), the chart's ``<desc>``."""
    return "; ".join(f"{datum.label}: {datum.value}" for datum in data)


def _wrap_link(url: str, label: str, body: str) -> str:
    if not url:
        return body
    return f'<a href="{escape(url)}" aria-label="{escape(label)}">{body}</a>'


def bar_chart(*, key: str, title: str, data: Sequence[Datum]) -> SafeString:
    """Horizontal bars, one row per datum in the given order, labels left, values at the bar's end.

    ``key`` makes the element ids unique on the page (letters, digits, "-"). Raises ``ValueError`` for a
    negative or non-integer value. An empty ``data`` gives an empty string (nothing to draw)."""
    _validate(data)
    if not data:
        return mark_safe("")
    labels = [shorten(datum.label) for datum in data]
    label_width = max(text_width(label) for label in labels)
    largest = max(max(datum.value for datum in data), 1)
    value_width = text_width(str(largest))
    bar_left = label_width + GAP
    bar_room = max(WIDTH - bar_left - GAP - value_width, 40)
    height = ROW * len(data) + 4
    parts = [_open(key=key, title=title, description=describe(data), height=height)]
    for index, (datum, label) in enumerate(zip(data, labels, strict=True)):
        top = index * ROW + 2
        middle = top + ROW / 2
        length = bar_room * datum.value / largest
        row = (
            f'<text x="{label_width:.1f}" y="{middle:.1f}" text-anchor="end" dominant-baseline="central" '
            f'fill="{TEXT_FILL}">{escape(label)}</text>'
            f'<rect x="{bar_left:.1f}" y="{middle - BAR / 2:.1f}" width="{length:.1f}" height="{BAR}" '
            f'fill="{BAR_FILL}"/>'
            f'<text x="{bar_left + length + GAP / 2:.1f}" y="{middle:.1f}" dominant-baseline="central" '
            f'fill="{TEXT_FILL}">{datum.value}</text>'
        )
        parts.append(_wrap_link(datum.url, f"{datum.label}: {datum.value}", f'<g class="bar">{row}</g>'))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def column_chart(*, key: str, title: str, data: Sequence[Datum]) -> SafeString:
    """Vertical columns left to right in the given order (years), values above, labels below.

    Same rules as ``bar_chart``."""
    _validate(data)
    if not data:
        return mark_safe("")
    largest = max(max(datum.value for datum in data), 1)
    slot = WIDTH / len(data)
    thickness = min(slot * 0.7, 60)
    label_limit = max(slot - 4, CHAR * 3)
    top_margin = FONT + 6
    height = top_margin + COLUMN_AREA + FONT + 10
    base = top_margin + COLUMN_AREA
    parts = [_open(key=key, title=title, description=describe(data), height=height)]
    for index, datum in enumerate(data):
        centre = slot * index + slot / 2
        length = COLUMN_AREA * datum.value / largest
        column = (
            f'<rect x="{centre - thickness / 2:.1f}" y="{base - length:.1f}" width="{thickness:.1f}" '
            f'height="{length:.1f}" fill="{BAR_FILL}"/>'
            f'<text x="{centre:.1f}" y="{base - length - 4:.1f}" text-anchor="middle" '
            f'fill="{TEXT_FILL}">{datum.value}</text>'
            f'<text x="{centre:.1f}" y="{base + FONT + 4:.1f}" text-anchor="middle" '
            f'fill="{TEXT_FILL}">{escape(shorten(datum.label, label_limit))}</text>'
        )
        parts.append(
            _wrap_link(datum.url, f"{datum.label}: {datum.value}", f'<g class="column">{column}</g>')
        )
    parts.append(
        f'<line x1="0" y1="{base:.1f}" x2="{WIDTH}" y2="{base:.1f}" stroke="{TEXT_FILL}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
