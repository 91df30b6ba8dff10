"""The offline world map: TopoJSON decoding, projection, the SVG and its links, small states, the table."""

import re

import pytest
from django.template.loader import render_to_string

from meridian.directory.selectors import map_context
from meridian.reference import geo

TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [-10, 20]},
    # One square, delta-encoded: (0,0) (20,0) (20,40) (0,40) (0,0) in quantised units.
    "arcs": [[[0, 0], [20, 0], [0, 40], [-20, 0], [0, -40]], [[4, 4], [1, 0], [1, 0], [1, 0]]],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {
                    "type": "Polygon",
                    "id": "276",
                    "arcs": [[0]],
                    "properties": {"name": "Squareland", "isoA2": "DE"},
                },
                {"type": "MultiPolygon", "arcs": [], "properties": {"name": "Nowhere", "isoA2": "-99"}},
            ],
        }
    },
}


def test_decode_arcs_undoes_the_quantised_delta_encoding():
    square, line = geo.decode_arcs(TOPOLOGY)
    assert square == [(-10, 20), (0, 20), (0, 30), (-10, 30), (-10, 20)]
    assert line == [(-8, 21), (-7.5, 21), (-7, 21), (-6.5, 21)]


def test_simplify_drops_points_on_a_straight_line_and_keeps_corners():
    points = [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (3.0, 3.0)]
    assert geo._simplify(points, 0.1) == [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0)]


def test_projection_keeps_the_map_in_its_frame():
    left, _ = geo._to_svg(-180, 0)
    right, _ = geo._to_svg(180, 0)
    _, top = geo._to_svg(0, 90)
    _, bottom = geo._to_svg(0, -90)
    assert left == pytest.approx(geo.MARGIN) and right == pytest.approx(geo.WIDTH - geo.MARGIN)
    assert top == pytest.approx(geo.MARGIN) and bottom == pytest.approx(geo.HEIGHT - geo.MARGIN, abs=0.1)
    centre_x, centre_y = geo._to_svg(0, 0)
    assert centre_x == pytest.approx(geo.WIDTH / 2) and centre_y == pytest.approx(geo.HEIGHT / 2, abs=0.1)


def test_build_atlas_from_a_small_topology():
    atlas = geo.build_atlas(TOPOLOGY)
    square, nowhere = atlas.shapes
    assert (square.numeric, square.alpha2, square.name) == ("276", "DE", "Squareland")
    assert square.path.startswith("M") and square.path.endswith("Z") and square.area > 0
    assert nowhere.path == "" and nowhere.alpha2 == "" and nowhere.area == 0


def _segments(path: str):
    for ring in path.split("M")[1:]:
        points = [tuple(map(float, p.split(","))) for p in ring.rstrip("Z").split("L")]
        yield from zip(points, points[1:], strict=False)


def test_world_atlas_geometry(atlas_file):
    atlas = geo.load_atlas(atlas_file)
    assert atlas is geo.load_atlas(atlas_file)  # built once per process
    shapes = {shape.numeric: shape for shape in atlas.shapes if shape.numeric}
    assert len(atlas.shapes) > 230
    for numeric in ("276", "156", "840", "392", "643", "036", "076"):
        shape = shapes[numeric]
        assert shape.path and shape.area > geo.TINY_AREA, numeric
        xs = [float(x) for x in re.findall(r"[ML](-?[\d.]+),", shape.path)]
        ys = [float(y) for y in re.findall(r",(-?[\d.]+)", shape.path)]
        assert min(ys) >= 0 and max(ys) <= atlas.height, numeric
        assert min(xs) > -atlas.width and max(xs) < 2 * atlas.width, numeric
    # Russia and Fiji cross the antimeridian: no edge may stretch across the map.
    for numeric in ("643", "242"):
        for (x0, _y0), (x1, _y1) in _segments(shapes[numeric].path):
            assert abs(x1 - x0) < atlas.width / 3, numeric
    # Germany lies where it should (about 10°E, 51°N).
    x, y = shapes["276"].centre
    expected_x, expected_y = geo._to_svg(10.4, 51.1)
    assert abs(x - expected_x) < 15 and abs(y - expected_y) < 15
    # Small states are too small to find on the map: they need a marker.
    for numeric in ("702", "344", "470"):
        assert shapes[numeric].area < geo.TINY_AREA, numeric


@pytest.mark.django_db
def test_map_shades_countries_links_them_and_marks_small_states(world, atlas_file):
    context = map_context()
    svg = context["map_svg"]
    assert context["map_available"] and context["map_total"] == 4
    assert svg.startswith("<svg") and "<title>" in svg
    germany = re.search(
        r'<a href="(/en/global-vision/partners/\?country=DE)" aria-label="Germany: 1 partner"'
        r'[^>]*><path class="country c1"',
        svg,
    )
    assert germany, "Germany is shaded and links to the directory filtered by Germany"
    assert 'aria-label="Japan: 1 partner"' in svg
    # Singapore and Malta: a marker of a minimum size that links to the filtered directory.
    for code, name in (("SG", "Singapore"), ("MT", "Malta")):
        marker = re.search(
            rf'<a href="[^"]*\?country={code}"[^>]*><circle class="marker c1"[^>]*r="(\d+(\.\d+)?)"', svg
        )
        assert marker and float(marker.group(1)) >= 4, name
    # Partners as points, each a link to its public page.
    assert f'href="/en/global-vision/partners/{world.heidelberg.pk}/"' in svg
    assert svg.count('<circle class="point"') == 3  # Malta has no coordinates; the hidden partner is absent
    # Countries without public partners are drawn but are not links.
    assert "<title>France</title>" in svg or "<title>Fr. S. Antarctic Lands</title>" in svg
    assert 'aria-label="France' not in svg


@pytest.mark.django_db
def test_map_never_shows_private_partners_and_never_points_elsewhere(world, atlas_file):
    context = map_context()
    svg = context["map_svg"]
    assert "Hidden" not in svg and "Berlin" not in svg
    germany = next(row for row in context["map_countries"] if row.code == "DE")
    assert germany.count == 1  # the private German partner is not counted
    html = render_to_string("directory/_map.html", context)
    assert "http://" not in html and "https://" not in html and "//" not in html.replace("</", "")


@pytest.mark.django_db
def test_map_table_is_the_accessible_alternative(world, atlas_file):
    html = render_to_string("directory/_map.html", map_context())
    assert "<caption>Partners by country or region</caption>" in html
    assert re.search(
        r'<th scope="row"><a href="/en/global-vision/partners/\?country=DE" data-country="DE">'
        r"Germany</a></th>"
        r"\s*<td>1</td>",
        html,
    )
    for name in ("Japan", "Singapore", "Malta"):
        assert re.search(rf'<th scope="row"><a [^>]*>{name}</a></th>', html)
    assert "1 to" not in html or "25 or more" in html  # the legend is text
    assert "25 or more" in html


@pytest.mark.django_db
def test_map_follows_filters_and_highlights_the_chosen_country(world, atlas_file):
    context = map_context(filters={"type": "research_institute", "country": "JP"})
    assert [row.code for row in context["map_countries"]] == ["JP"]
    assert 'class="country c1 selected"' in context["map_svg"]
    assert context["map_selected"] == "JP"


@pytest.mark.django_db
def test_map_in_chinese_names_countries_in_chinese(world, atlas_file):
    from django.utils import translation

    with translation.override("zh-hans"):
        context = map_context()
    assert 'aria-label="德国' in context["map_svg"]
    assert "/zh-hans/global-vision/partners/?country=DE" in context["map_svg"]


@pytest.mark.django_db
def test_without_the_atlas_file_the_table_still_works(world, settings, tmp_path):
    settings.WORLD_ATLAS_FILE = tmp_path / "missing.json"
    context = map_context()
    assert context["map_available"] is False and context["map_svg"] == ""
    html = render_to_string("directory/_map.html", context)
    assert re.search(r'<th scope="row"><a [^>]*data-country="DE">Germany</a></th>', html)


@pytest.mark.django_db
def test_many_partners_in_one_city_are_one_point(world, atlas_file):
    from decimal import Decimal

    from meridian.partners.tests.factories import PartnerFactory
    from meridian.reference.tests.factories import country

    for _ in range(3):
        PartnerFactory(
            country=country("JP"),
            city="Kyoto",
            latitude=Decimal("35.02"),
            longitude=Decimal("135.77"),
            is_public=True,
        )
    svg = map_context()["map_svg"]
    assert 'aria-label="Kyoto: 4 partners"' in svg
    assert "/en/global-vision/partners/?country=JP&amp;q=Kyoto" in svg


@pytest.mark.django_db
def test_cached_map_follows_changes_to_the_data(world, atlas_file):
    assert 'data-country="JP"' in map_context()["map_svg"]
    world.kyoto.is_public = False
    world.kyoto.save()
    context = map_context()
    assert 'data-country="JP"' not in context["map_svg"]
    assert [row.code for row in context["map_countries"] if row.code == "JP"] == []
