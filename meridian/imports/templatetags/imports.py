"""Template filters of the import pages."""

from django import template

from meridian.core.tabular.report import ImportReport

register = template.Library()


@register.filter
def import_report(data: dict) -> ImportReport | None:
    """A stored report (a dict, as kept on a batch or a job) as an ``ImportReport`` for the templates."""
    if not isinstance(data, dict) or "kind" not in data:
        return None
    return ImportReport.from_dict(data)
