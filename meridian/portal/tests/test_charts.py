"""The SVG chart renderer: accessible, escaped, proportional, and strict about its input."""

import re
import xml.etree.ElementTree as ET

import pytest

from meridian.portal.charts import Datum, bar_chart, column_chart, shorten, text_width

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _bar_widths(root: ET.Element) -> list[float]:
    return [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]


def test_bar_chart_is_a_named_described_image_with_every_value():
    svg = bar_chart(
        key="chart-x", title="Partners by type", data=[Datum("University", 12), Datum("Enterprise", 3)]
    )
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert root.find(f"{SVG}title").text == "Partners by type"
    assert root.find(f"{SVG}title").get("id") == "chart-x-title"
    assert root.find(f"{SVG}desc").text == "University: 12; Enterprise: 3"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["University", "12", "Enterprise", "3"]


def test_bars_are_proportional_to_their_values():
    root = _parse(bar_chart(key="k", title="t", data=[Datum("a", 10), Datum("b", 5), Datum("c", 0)]))
    widths = _bar_widths(root)
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01)
    assert widths[2] == 0


def test_labels_and_titles_are_escaped():
    svg = bar_chart(key="k", title="<script>x</script>", data=[Datum("A & B <i>", 1)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "A &amp; B &lt;i&gt;" in svg
    _parse(svg)  # still well-formed XML


def test_links_carry_an_accessible_name():
    root = _parse(bar_chart(key="k", title="t", data=[Datum("China", 4, url="/en/partners/?country=CN")]))
    link = root.find(f"{SVG}a")
    assert link.get("href") == "/en/partners/?country=CN"
    assert link.get("aria-label") == "China: 4"


def test_column_chart_keeps_the_order_and_puts_labels_under_columns():
    data = [Datum("2022", 1), Datum("2023", 4), Datum("2024", 2)]
    root = _parse(column_chart(key="years", title="Signed per year", data=data))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["1", "2022", "4", "2023", "2", "2024"]
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    assert heights[1] == max(heights)
    assert heights[0] == pytest.approx(heights[1] / 4)


def test_empty_data_draws_nothing_and_bad_values_are_refused():
    assert bar_chart(key="k", title="t", data=[]) == ""
    assert column_chart(key="k", title="t", data=[]) == ""
    with pytest.raises(ValueError, match="whole numbers"):
        bar_chart(key="k", title="t", data=[Datum("a", -1)])
    with pytest.raises(ValueError):
        column_chart(key="k", title="t", data=[Datum("a", 1.5)])  # type: ignore[arg-type]


def test_chinese_characters_count_double_and_long_labels_are_shortened():
    assert text_width("中国") == pytest.approx(2 * text_width("ab"))
    long = "The University of Somewhere Very Far Away in the Mountains of the North"
    short = shorten(long)
    assert short.endswith("…") and len(short) < len(long)
    assert text_width(short) <= 220
    assert shorten("Short") == "Short"


def test_the_label_column_is_as_wide_as_the_longest_label():
    svg = bar_chart(key="k", title="t", data=[Datum("A much longer label", 3), Datum("B", 1)])
    first_bar_x = float(re.search(r'<rect x="([0-9.]+)"', svg).group(1))
    assert first_bar_x > text_width("A much longer label")
