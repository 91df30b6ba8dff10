"""``{% open_clocks subject %}`` shows a case's open deadlines; ``rule|rule_label`` names a rule."""

from __future__ import annotations

from django import template
from django.utils import timezone

from meridian.clocks.permissions import can_view_deadlines
from meridian.clocks.rules import clock_rules
from meridian.clocks.selectors import obligations_open_for

register = template.Library()


@register.inclusion_tag("clocks/_open_clocks.html", takes_context=True)
def open_clocks(context, subject) -> dict:
    """The open obligations on ``subject`` (soonest first), for a panel on the case's own page.

    The page has already decided that the reader may see the case; links to the deadlines pages are shown
    only to those who may open them. One query.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "obligations": list(obligations_open_for(subject)) if subject is not None else [],
        "now": timezone.now(),
        "link": can_view_deadlines(user) if user is not None else False,
    }


@register.filter
def rule_label(code: str) -> str:
    rule = clock_rules.get(code)
    return str(rule.label) if rule is not None else code
