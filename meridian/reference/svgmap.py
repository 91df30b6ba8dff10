"""The world map as inline SVG: countries shaded by number of public partners, partners as points, all links.

No JavaScript is needed to read or use it; no external address appears in it (no namespace URL either: inline
SVG in HTML does not need one).
"""

from __future__ import annotations

from collections.abc import Iterable
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
    focus: Iterable[str] = (),
    selected_numeric: str = "",
) -> RenderedMap:
    """SVG markup of the map; `counts` are CountryCount rows, `points` come from selectors.map_points.

    `selected` (an ISO alpha-2 code; `selected_numeric` its ISO numeric code, for shapes of the atlas without
    an alpha-2 code, such as France's) is highlighted (drawn last, so that its outline is on top) whether or
    not it has partners; `focus` (alpha-2 or numeric codes, e.g. the countries of a world region) zooms the
    map to those countries (see ``focus_box``)."""
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
    highlighted: list[str] = []
    for shape in atlas.shapes:
        row = by_numeric.get(shape.numeric) if shape.numeric else None
        row = row or (by_code.get(shape.alpha2) if shape.alpha2 else None)
        name = names.get(shape.numeric) or shape.name
        if row is None:
            if shape.path:
                chosen = bool(selected) and (
                    shape.alpha2 == selected or bool(selected_numeric) and shape.numeric == selected_numeric
                )
                classes = "country selected" if chosen else "country"
                drawing = f'<path class="{classes}" d="{shape.path}"><title>{escape(name)}</title></path>'
                (highlighted if chosen else countries).append(drawing)
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
            drawing = _link(row.url, label, body, target=target, extra=data)
            (highlighted if row.code == selected else countries).append(drawing)
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
    wanted = set(focus)
    box = focus_box(
        [shape.centre for shape in atlas.shapes if wanted & {shape.numeric, shape.alpha2} - {""}],
        width=atlas.width,
        height=atlas.height,
    )
    view_box = " ".join(f"{value:.0f}" for value in box)
    zoomed = ' data-zoomed="true"' if box != (0, 0, atlas.width, atlas.height) else ""
    svg = (
        f'<svg class="world-map" viewBox="{view_box}" role="group" '
        f'aria-label="{escape(title)}" focusable="false"{zoomed}>'
        f'<rect class="sea" width="{atlas.width:.0f}" height="{atlas.height:.0f}"/>'
        f'<g class="countries">{"".join(countries)}{"".join(highlighted)}</g>'
        f'<g class="markers">{"".join(markers)}</g>'
        f'<g class="points">{"".join(dots)}</g></svg>'
    )
    return RenderedMap(svg=svg, legend=legend(), available=True)


# A zoomed map shows at least this share of the whole map's width, and some sea around the countries.
MIN_ZOOM_SHARE = 0.2
ZOOM_PADDING = 0.25


def focus_box(
    centres: list[tuple[float, float]], *, width: float, height: float
) -> tuple[float, float, float, float]:
    """The view box ``(x, y, w, h)`` around ``centres`` (points on the map) with the map's own proportions,
    padded, at least ``MIN_ZOOM_SHARE`` of the map wide and kept inside it; the whole map without centres."""
    if not centres:
        return (0, 0, width, height)
    xs = [x for x, _y in centres]
    ys = [y for _x, y in centres]
    box_w = (max(xs) - min(xs)) * (1 + 2 * ZOOM_PADDING)
    box_h = (max(ys) - min(ys)) * (1 + 2 * ZOOM_PADDING)
    ratio = width / height
    box_w = max(box_w, box_h * ratio, width * MIN_ZOOM_SHARE)
    box_w = min(box_w, width)
    box_h = box_w / ratio
    centre_x = (max(xs) + min(xs)) / 2
    centre_y = (max(ys) + min(ys)) / 2
    x = min(max(centre_x - box_w / 2, 0), width - box_w)
    y = min(max(centre_y - box_h / 2, 0), height - box_h)
    return (round(x), round(y), round(box_w), round(box_h))


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
