"""The world map as inline SVG: countries shaded by number of public partners, partners as points, all links.

No JavaScript is needed to read or use it; no external address appears in it (no namespace URL either: inline
SVG in HTML does not need one).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meridian.reference.geo import TINY_AREA, load_atlas

# Lower bounds of the colour classes (class 1 is "1 partner", the last is open-ended).
CLASS_BOUNDS = (1, 2, 5, 10, 25)
MARKER_RADIUS = 5.0


@dataclass(frozen=True)
class RenderedMap:
    svg: str
    legend: list[dict]
    available: bool


def colour_class(count: int) -> int:
    level = 0
    for index, bound in enumerate(CLASS_BOUNDS, start=1):
        if count >= bound:
            level = index
    return level


def legend() -> list[dict]:
    rows = []
    for index, bound in enumerate(CLASS_BOUNDS, start=1):
        upper = CLASS_BOUNDS[index] - 1 if index < len(CLASS_BOUNDS) else None
        if upper is None:
            label = _("%(low)s or more") % {"low": bound}
        elif upper == bound:
            label = str(bound)
        else:
            label = _("%(low)s to %(high)s") % {"low": bound, "high": upper}
        rows.append({"level": index, "label": label})
    return rows


def _partners_label(name: str, count: int) -> str:
    return ngettext("%(name)s: %(count)s partner", "%(name)s: %(count)s partners", count) % {
        "name": name,
        "count": count,
    }


def _link(url: str, label: str, body: str, *, target: str, extra: str = "") -> str:
    target_attrs = f' target="{escape(target)}" rel="noopener"' if target else ""
    return f'<a href="{escape(url)}" aria-label="{escape(label)}"{target_attrs}{extra}>{body}</a>'


def render_map(
    *,
    counts: list,
    points: list[dict],
    selected: str = "",
    names: dict[str, str] | None = None,
    target: str = "",
) -> RenderedMap:
    """SVG markup of the map; `counts` are CountryCount rows, `points` come from selectors.map_points."""
    atlas = load_atlas()
    if atlas is None:
        return RenderedMap(svg="", legend=legend(), available=False)
    names = names or {}
    by_numeric = {c.numeric: c for c in counts if c.numeric}
    by_code = {c.code: c for c in counts}
    drawn: set[str] = set()
    countries: list[str] = []
    markers: list[str] = []
    centres: dict[str, tuple[float, float]] = {}
    for shape in atlas.shapes:
        row = by_numeric.get(shape.numeric) if shape.numeric else None
        row = row or (by_code.get(shape.alpha2) if shape.alpha2 else None)
        name = names.get(shape.numeric) or shape.name
        if row is None:
            if shape.path:
                countries.append(
                    f'<path class="country" d="{shape.path}"><title>{escape(name)}</title></path>'
                )
            continue
        drawn.add(row.code)
        centres[row.code] = shape.centre
        label = _partners_label(row.name, row.count)
        classes = f"country c{colour_class(row.count)}" + (" selected" if row.code == selected else "")
        data = f' data-country="{escape(row.code)}" class="country-link"'
        body = (
            f'<path class="{classes}" d="{shape.path}"><title>{escape(label)}</title></path>'
            if shape.path
            else ""
        )
        if shape.area < TINY_AREA:
            # Too small to see or hit: the shape is only shaded; a marker of a minimum size is the link.
            countries.append(body)
            markers.append(_marker(row, label, shape.centre, target=target, data=data))
        elif body:
            countries.append(_link(row.url, label, body, target=target, extra=data))
    # Countries with partners but no shape at all in the atlas: a marker where their partners are.
    for row in counts:
        if row.code in drawn:
            continue
        located = [p for p in points if p["country"] == row.code]
        if located:
            centre = atlas.project(located[0]["longitude"], located[0]["latitude"])
            label = _partners_label(row.name, row.count)
            data = f' data-country="{escape(row.code)}" class="country-link"'
            markers.append(_marker(row, label, centre, target=target, data=data))
    dots = []
    for point in points:
        x, y = atlas.project(point["longitude"], point["latitude"])
        if point["count"] == 1:
            label = point["names"][0] + (f" ({point['city']})" if point["city"] else "")
        else:
            label = ngettext(
                "%(place)s: %(count)s partner", "%(place)s: %(count)s partners", point["count"]
            ) % {"place": point["city"] or _country_name(by_code, point), "count": point["count"]}
        body = (
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="2.6"><title>{escape(label)}</title></circle>'
        )
        dots.append(_link(point["url"], label, body, target=target))
    title = _("World map of partner institutions")
    svg = (
        f'<svg class="world-map" viewBox="0 0 {atlas.width:.0f} {atlas.height:.0f}" role="group" '
        f'aria-label="{escape(title)}" focusable="false">'
        f'<rect class="sea" width="{atlas.width:.0f}" height="{atlas.height:.0f}"/>'
        f'<g class="countries">{"".join(countries)}</g>'
        f'<g class="markers">{"".join(markers)}</g>'
        f'<g class="points">{"".join(dots)}</g></svg>'
    )
    return RenderedMap(svg=svg, legend=legend(), available=True)


def _country_name(by_code: dict, point: dict) -> str:
    row = by_code.get(point["country"])
    return row.name if row else point["country"]


def _marker(row, label: str, centre: tuple[float, float], *, target: str, data: str) -> str:
    """A circle of a minimum size for a country too small to see or hit on the map (Singapore, Malta)."""
    x, y = centre
    body = (
        f'<circle class="marker c{colour_class(row.count)}" cx="{x:.1f}" cy="{y:.1f}" r="{MARKER_RADIUS}">'
        f"<title>{escape(label)}</title></circle>"
    )
    return _link(row.url, label, body, target=target, extra=data)
