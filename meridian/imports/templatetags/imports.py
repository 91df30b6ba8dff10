"""Template filters of the import pages."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from meridian.core.tabular.report import ImportReport

register = template.Library()


@register.filter
def import_report(data: dict) -> ImportReport | None:
    """A stored report (a dict, as kept on a batch or a job) as an ``ImportReport`` for the templates."""
    if not isinstance(data, dict) or "kind" not in data:
        return None
    return ImportReport.from_dict(data)


@register.simple_tag
def record_url(kind: str, duplicate: dict) -> str:
    """The page of a record a report names: its own ``url``, else the kind's ``<kind>:detail`` page, else "".

    The hub knows kinds only through the registry; kinds whose URL namespace is their key get links for free.
    """
    if not isinstance(duplicate, dict):
        return ""
    if duplicate.get("url"):
        return str(duplicate["url"])
    if duplicate.get("id") in (None, ""):
        return ""
    try:
        return reverse(f"{kind}:detail", args=[duplicate["id"]])
    except NoReverseMatch:
        return ""


@register.simple_tag
def duplicate_link(kind: str, duplicate: dict) -> SafeString:
    """A possible duplicate's label, linked to its page when it has one (see ``record_url``); HTML-safe."""
    label = duplicate.get("label", "") if isinstance(duplicate, dict) else ""
    url = record_url(kind, duplicate)
    if url:
        return format_html('<a href="{}">{}</a>', url, label)
    return format_html("{}", label)


@register.simple_tag
def field_label(kind: str, field_name: str) -> str:
    """A field of an import kind by its declared header in the active language: "Chinese name", "中文名称"."""
    from meridian.imports.kinds import field_label as label_of

    return label_of(kind, field_name) if field_name else ""


@register.filter
def decision_name(row: object, conflict: dict) -> str:
    """The name of the input holding the choice for one conflicting field of a row."""
    field_name = conflict.get("field", "") if isinstance(conflict, dict) else ""
    return f"decision-{getattr(row, 'row', '')}-{field_name}"


@register.simple_tag
def column_label(kind: str, field_name: str) -> str:
    """A field of an import kind as its English / Chinese headers ("" ignores the column: "—")."""
    from meridian.imports.kinds import columns_for

    if not field_name:
        return "—"
    try:
        columns = columns_for(kind)
    except KeyError:
        return field_name
    for column in columns:
        if column.field == field_name:
            return f"{column.header_en} / {column.header_zh}"
    return field_name


@register.filter
def encoding_name(name: str) -> str:
    """A codec name as people know it: "cp950" → "Big5 (Traditional Chinese)"."""
    from meridian.core.tabular.encoding import encoding_label

    return encoding_label(name or "")
