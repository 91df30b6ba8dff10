"""The sandbox: templates see only the documented fields and nothing of Python behind them."""

import re

import pytest

from meridian.documents.rendering import (
    TemplateProblem,
    check_body,
    looks_like_docx,
    mask_name,
    render_body,
    render_docx,
)

CONTEXT = {
    "name": "<b>Heidelberg</b>",
    "parties": [{"name_en": "Heidelberg University"}, {"name_en": "Kyoto University"}],
    "start_date": "2026-09-01",
    "university": {"name_en": "Meridian University"},
}


def test_documented_fields_render_and_are_escaped():
    out = render_body(
        "{{ name }} · {% for p in parties %}{{ loop.index }}. {{ p.name_en }} {% endfor %}· "
        "{{ university.name_en }}",
        CONTEXT,
    )
    assert (
        out == "&lt;b&gt;Heidelberg&lt;/b&gt; · 1. Heidelberg University 2. Kyoto University · "
        "Meridian University"
    )


def test_date_filters_write_both_languages():
    assert (
        render_body("{{ start_date|date_zh }} / {{ start_date|date_en }}", CONTEXT)
        == "2026年9月1日 / 1 September 2026"
    )


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ name.__class__.__init__.__globals__ }}",
        "{{ parties.__class__ }}",
        "{{ university.items() }}",
        "{{ name.upper() }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ lipsum.__globals__ }}",
        "{{ range(10) }}",
        "{{ self.__init__ }}",
        "{{ name|attr('__class__') }}",
        "{% for x in parties|map(attribute='__class__') %}{{ x }}{% endfor %}",
        "{{ 'a' * 10000000 }}",
        "{{ 9 ** 999999 }}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% import 'x' as y %}",
        "{{ unknown_field }}",
        "{{ university.secret }}",
    ],
)
def test_everything_beyond_the_fields_is_refused(body):
    with pytest.raises(TemplateProblem) as exc:
        render_body(body, CONTEXT)
    assert exc.value.message


def test_a_field_missing_from_the_sample_is_refused_before_rendering():
    with pytest.raises(TemplateProblem, match="Unknown field: passport_number"):
        check_body("{% if False %}{{ passport_number }}{% endif %}", CONTEXT)


def test_syntax_error_names_the_line():
    with pytest.raises(TemplateProblem, match="Line 2: Syntax error"):
        check_body("<p>ok</p>\n{% if name %}<p>unclosed</p>", CONTEXT)


def test_loop_variables_and_conditions_are_allowed():
    check_body(
        "{% for p in parties %}{% if loop.first %}{{ p.name_en|upper }}{% endif %}{{ parties|length }}"
        "{% else %}none{% endfor %}",
        CONTEXT,
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{% set n = parties|length %}{{ n }}", "{% set %}"),
        ("{% with n = name %}{{ n }}{% endwith %}", "{% with %}"),
        ("{% macro m(x) %}{{ m(x ~ x) }}{% endmacro %}{{ m(name) }}", "{% macro %}"),
        ("{% autoescape false %}{{ name }}{% endautoescape %}", "{% autoescape %}"),
        ("{% for c in 'abc'|list %}{{ c }}{% endfor %}", "a loop must go over a field"),
        (
            "{% for a in parties %}{% for b in parties %}{% for c in parties %}{% for d in parties %}"
            "{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
            "more than 3 loops",
        ),
        ("{{ name|safe }}", "No filter named 'safe'"),
        ("{{ name|center(100000000) }}", "No filter named 'center'"),
        ("{{ name|indent(100000000) }}", "No filter named 'indent'"),
        ("{{ '%999999999s'|format(name) }}", "No filter named 'format'"),
        ("{{ ('a' * 100000)|replace('a', 'aaaaaaaaaa')|replace('a', 'aaaaaaaaaa') }}", "too long"),
        ("{{ 'a' * 99999 }}{{ 'a' * 99999 }}" * 30, "too long"),
    ],
)
def test_unbounded_or_unsafe_constructs_are_refused(body, reason):
    with pytest.raises(TemplateProblem, match=re.escape(reason)):
        check_body(body, CONTEXT)


def test_data_is_always_escaped():
    assert render_body("{{ name|e }}{{ name|forceescape }}", CONTEXT).count("&lt;b&gt;") == 2


def test_empty_template_is_refused():
    with pytest.raises(TemplateProblem, match="empty"):
        check_body("   ", CONTEXT)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Zhang Wei", "Zh*** W**"),
        ("张小明", "张*明"),
        ("欧阳", "欧*"),
        ("司马相如", "司**如"),
        ("Heidelberg University", "Heid****** Univ******"),
        ("Jean-Luc O'Neil", "Je**-L** O'****"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_docx_detection_is_by_content():
    assert not looks_like_docx(b"%PDF-1.4 renamed.docx")
    assert not looks_like_docx(b"PK\x03\x04 not really a zip")
    with pytest.raises(TemplateProblem, match="not a Word document"):
        render_docx(template=b"hello", context={})
