from django.template import Context, Template

from meridian.portal.rendering import render_body, sanitise_markdown, unknown_placeholders

VALUES = {"partners": "163", "partners_rounded": "over 150", "top_countries": "<b>Evil</b> & Co"}


def test_script_tags_and_raw_html_are_removed():
    html = sanitise_markdown('Hello <script>alert("x")</script><iframe src="https://evil.example"></iframe>')
    assert "<script" not in html and "alert" not in html and "iframe" not in html
    assert "Hello" in html


def test_event_handlers_and_javascript_links_are_removed():
    html = sanitise_markdown('[click](javascript:alert(1)) <a href="javascript:alert(2)" onclick="x()">b</a>')
    assert "javascript:" not in html and "onclick" not in html


def test_links_get_rel_noopener_and_keep_title():
    html = sanitise_markdown('[site](https://example.org "The site")')
    assert 'href="https://example.org"' in html and 'rel="noopener"' in html and 'title="The site"' in html


def test_images_only_from_the_portals_own_files():
    html = sanitise_markdown("![a](https://tracker.example/pixel.png) ![b](/media/portal/file/1/map.png)")
    assert "tracker.example" not in html
    assert 'src="/media/portal/file/1/map.png"' in html


def test_allowed_structure_survives():
    html = sanitise_markdown("## Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quote\n\n- item\n\n`code`")
    for tag in ("<h2>", "<table>", "<td>", "<blockquote>", "<li>", "<code>"):
        assert tag in html


def test_template_code_is_never_evaluated():
    body = "Key: {{ settings.SECRET_KEY }} {% load static %} {{partners}}"
    html = str(render_body(body, VALUES))
    assert "{{ settings.SECRET_KEY }}" in html
    assert "{% load static %}" in html
    assert "{{partners}}" in html  # doubled braces are literal text, never a figure
    # Rendering the page through a template does not evaluate it either.
    assert Template("{{ body }}").render(Context({"body": render_body(body, VALUES)})) == html


def test_placeholders_are_filled_with_escaped_values():
    html = str(render_body("We work with {partners_rounded} partners in {top_countries}.", VALUES))
    assert "over 150 partners" in html
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in html


def test_unknown_placeholders_are_named():
    assert unknown_placeholders("{partners} {partner} {Countries} {{partners}} {top_countries}") == [
        "partner",
        "Countries",
    ]
