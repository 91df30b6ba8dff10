"""Offline world map: country shapes decoded from the Natural Earth TopoJSON file and projected to SVG paths.

Everything happens in Python on the server, once per process: the file is read, the quantised arcs are
decoded, projected with the Natural Earth I projection, simplified (Douglas-Peucker on each shared arc, so
neighbouring countries keep a common border) and turned into SVG path data. The result is kept in memory.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

WIDTH = 960.0
# Simplification tolerance in output pixels: invisible at the size the map is drawn, much smaller markup.
TOLERANCE = 0.35
# Countries whose drawn area (square pixels) is smaller than this are hard to see or hit: they get a marker.
TINY_AREA = 12.0
MARGIN = 4.0


@dataclass(frozen=True)
class Shape:
    """One country of the atlas: its identifiers, SVG path data, area and a point to put a marker on."""

    numeric: str
    alpha2: str
    name: str
    path: str
    area: float
    centre: tuple[float, float]


@dataclass(frozen=True)
class Atlas:
    width: float
    height: float
    shapes: tuple[Shape, ...]

    def project(self, longitude: float, latitude: float) -> tuple[float, float]:
        return _to_svg(longitude, latitude, self.height)


def _natural_earth(longitude: float, latitude: float) -> tuple[float, float]:
    """Natural Earth I projection (Šavrič et al. 2011), in radians of the unit sphere."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


_X_MAX = _natural_earth(180.0, 0.0)[0]
_Y_MAX = _natural_earth(0.0, 90.0)[1]
_SCALE = (WIDTH - 2 * MARGIN) / (2 * _X_MAX)
HEIGHT = round(2 * _Y_MAX * _SCALE + 2 * MARGIN, 1)


def _to_svg(longitude: float, latitude: float, height: float = HEIGHT) -> tuple[float, float]:
    # Longitude is not clamped: rings unwrapped across the antimeridian extend past the edge and are cut off.
    x, y = _natural_earth(longitude, max(-90.0, min(90.0, latitude)))
    return MARGIN + (x + _X_MAX) * _SCALE, MARGIN + (_Y_MAX - y) * _SCALE


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute longitude/latitude of every arc (the quantised delta encoding undone with the transform)."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        points: list[tuple[float, float]] = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            qx = qy = 0
            for dx, dy, *_rest in arc:
                qx += dx
                qy += dy
                points.append((qx * sx + tx, qy * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative (arcs have thousands of points; recursion would be deep)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length2 == 0:
                distance = (px - ax) ** 2 + (py - ay) ** 2
            else:
                cross = (px - ax) * dy - (py - ay) * dx
                distance = cross * cross / length2
            if distance > worst:
                worst, index = distance, i
        if worst > limit and index > 0:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _ring(arc_indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join the arcs of one ring; index ~i means arc i reversed. Shared end points appear once."""
    ring: list[tuple[float, float]] = []
    for index in arc_indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points if not ring else points[1:])
    return ring


def _unwrapped(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]] | None:
    """Copies of a ring that crosses the antimeridian (an even number of ±360° jumps), made continuous.

    Drawn as is, such a ring (eastern Russia, Fiji) would stretch a band across the whole map; instead it is
    drawn once on each side, and the part beyond the edge falls outside the picture. A ring with an odd
    number of jumps encloses a pole (Antarctica), where a straight edge along the bottom of the map is right.
    """
    jumps = sum(1 for a, b in zip(ring, ring[1:], strict=False) if abs(a[0] - b[0]) > 180)
    if jumps == 0 or jumps % 2:
        return None
    continuous = [ring[0]]
    offset = 0.0
    for (lon0, _lat0), (lon1, lat1) in zip(ring, ring[1:], strict=False):
        if lon1 - lon0 > 180:
            offset -= 360
        elif lon0 - lon1 > 180:
            offset += 360
        continuous.append((lon1 + offset, lat1))
    middle = sum(p[0] for p in continuous) / len(continuous)
    shift = -360.0 if middle > 0 else 360.0
    return [continuous, [(lon + shift, lat) for lon, lat in continuous]]


def _path(ring: list[tuple[float, float]]) -> str:
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring[:-1]) + "Z"


def _area_and_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area2 == 0:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area2) / 2, cx / (3 * area2), cy / (3 * area2)


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def build_atlas(topology: dict, *, tolerance: float = TOLERANCE) -> Atlas:
    """Country shapes of a TopoJSON topology with an object `countries` (world-atlas layout)."""
    decoded = decode_arcs(topology)
    projected = [[_to_svg(lon, lat) for lon, lat in arc] for arc in decoded]
    simplified = [_simplify(arc, tolerance) for arc in projected]
    shapes: list[Shape] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        properties = geometry.get("properties") or {}
        parts: list[str] = []
        total = best_area = 0.0
        centre = (0.0, 0.0)
        for polygon in _polygons(geometry):
            for position, arc_indexes in enumerate(polygon):
                copies = _unwrapped(_ring(arc_indexes, decoded))
                if copies:
                    rings = [[_to_svg(lon, lat) for lon, lat in copy] for copy in copies]
                    full, drawn = rings[0], [_simplify(ring, tolerance) for ring in rings]
                else:
                    full, drawn = _ring(arc_indexes, projected), [_ring(arc_indexes, simplified)]
                area, cx, cy = _area_and_centroid(full)
                if position == 0:
                    total += area
                    if area >= best_area:
                        best_area, centre = area, (cx, cy)
                # A ring collapsed to a line at this scale is left out: the marker (if any) stands in for it.
                parts.extend(_path(ring) for ring in drawn if len(ring) >= 4)
        alpha2 = str(properties.get("isoA2") or "")
        shapes.append(
            Shape(
                numeric=str(geometry.get("id") or ""),
                alpha2=alpha2 if len(alpha2) == 2 and alpha2.isalpha() else "",
                name=str(properties.get("name") or ""),
                path="".join(parts),
                area=total,
                centre=(round(centre[0], 1), round(centre[1], 1)),
            )
        )
    return Atlas(width=WIDTH, height=HEIGHT, shapes=tuple(shapes))


_lock = threading.Lock()
_cache: dict[tuple[str, float], Atlas] = {}


def load_atlas(path: Path | str | None = None) -> Atlas | None:
    """The atlas of `path` (default settings.WORLD_ATLAS_FILE), built once per process; None if absent."""
    path = Path(path or settings.WORLD_ATLAS_FILE)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    key = (str(path), stamp)
    atlas = _cache.get(key)
    if atlas is None:
        with _lock:
            atlas = _cache.get(key)
            if atlas is None:
                with path.open(encoding="utf-8") as handle:
                    atlas = build_atlas(json.load(handle))
                _cache.clear()
                _cache[key] = atlas
    return atlas
