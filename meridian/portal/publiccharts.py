"""The public figures drawn as charts: every registered figure of kind ``series``, ``timeline`` or ``places``
(``registry.public_figures``) becomes an SVG chart with a table of the same numbers, on the Global Vision home
and the Global Partnership page. The values come from ``figures_current`` (cached by the data version)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from meridian.core.registry import PublicFigure, registry
from meridian.portal.charts import Datum, bar_chart, column_chart

CHART_KINDS = ("places", "series", "timeline")
TOP_PLACES = 10  # a country chart shows this many countries, then one bar for all other places


@dataclass(frozen=True)
class PublicChart:
    """A chart ready for ``portal/_charts.html``: ``svg`` is safe markup; ``rows`` are the table's rows."""

    key: str
    title: str
    description: str
    svg: SafeString
    rows: list[Datum]
    heading: str


def _data(entry: PublicFigure, value: Iterable[Any], zh: bool) -> list[Datum]:
    data = [Datum(label=(zh_label or en) if zh else en, value=int(count)) for en, zh_label, count in value]
    if entry.kind == "places" and len(data) > TOP_PLACES:
        rest = sum(datum.value for datum in data[TOP_PLACES:])
        data = [*data[:TOP_PLACES], Datum(label=_("Other places"), value=rest)]
    return data


def _heading(kind: str) -> str:
    if kind == "places":
        return _("Country or region")
    if kind == "timeline":
        return _("Year")
    return _("Category")


def public_charts(figures: Mapping[str, Any], *, keys: Iterable[str] | None = None) -> list[PublicChart]:
    """Charts of the chartable figures present in ``figures`` (raw values by key), in registry order, in the
    current language; ``keys`` limits them to those figures. A figure without any value gives no chart."""
    wanted = set(keys) if keys is not None else None
    zh = (get_language() or "en").startswith("zh")
    charts = []
    for entry in registry.public_figures:
        if entry.kind not in CHART_KINDS or entry.key not in figures:
            continue
        if wanted is not None and entry.key not in wanted:
            continue
        data = _data(entry, figures[entry.key], zh)
        if not data or not any(datum.value for datum in data):
            continue
        key = f"chart-{entry.key.replace('_', '-')}"
        title = str(entry.label)
        draw = column_chart if entry.kind == "timeline" else bar_chart
        charts.append(
            PublicChart(
                key=key,
                title=title,
                description=str(entry.description),
                svg=draw(key=key, title=title, data=data),
                rows=data,
                heading=_heading(entry.kind),
            )
        )
    return charts


def section_charts_block(request: Any) -> dict[str, Any]:
    """Context of the charts block on the Global Partnership page (``PublicSectionBlock``)."""
    from meridian.portal.figures import figures_current

    return {"charts": public_charts(figures_current())}
