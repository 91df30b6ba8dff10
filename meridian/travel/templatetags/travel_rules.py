"""Template helpers of the rule pack: rule results in the reader's language, with badge classes."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from meridian.workflow.rulepack import FAIL, NOT_APPLICABLE, PASS, SEVERITY_LABELS, localised_result

register = template.Library()

OUTCOME_LABELS = {PASS: _("Passed"), FAIL: _("Not met"), NOT_APPLICABLE: _("Does not apply")}


def _badge(result: dict[str, Any]) -> str:
    if result.get("outcome") == PASS:
        return "state-active"
    if result.get("outcome") != FAIL:
        return ""
    if result.get("blocking"):
        return "state-expired"
    return "state-under_review"


@register.filter
def rule_rows(results: Any) -> list[dict[str, Any]]:
    """Each result (``travel.rules.trip_check``) in the active language, with ``outcome_label``,
    ``severity_label`` and ``badge`` (a CSS class) added; failing rules first, blocking ones at the top."""
    rows = []
    for result in results or []:
        row = localised_result(result)
        outcome: Any = row.get("outcome")  # as stored in the JSON result: any value, or missing
        severity: Any = row.get("severity")
        row["outcome_label"] = OUTCOME_LABELS.get(outcome, outcome)
        row["severity_label"] = SEVERITY_LABELS.get(severity, severity)
        row["badge"] = _badge(row)
        rows.append(row)
    order = {True: 0, False: 1}
    rows.sort(key=lambda r: (r.get("outcome") != FAIL, order[bool(r.get("blocking"))]))
    return rows


@register.filter
def rules_blocking(results: Any) -> int:
    """How many results stop the case now."""
    return sum(1 for r in results or [] if r.get("blocking"))
