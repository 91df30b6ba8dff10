"""Clock rules: what opens an obligation, its default escalation ladder and its messages.

A context registers its rules once, in ``AppConfig.ready()`` (or a module it imports there)::

    clock_rules.register(ClockRule(code="agreements.renewal", label=_("Agreement renewal decision"),
                                   ladder=(Step(-30, "days", "responsible"), Step(-7, "days", "office"))))

The ladder given here is only the default: the first time a rule is used it is copied into a ``Ladder`` that
administrators edit on the deadlines pages. ``message(obligation, step, now)`` may return the (subject, body)
of its reminders, each a callable that builds translated text; without it a generic message is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Text = Callable[[], str] | str


@dataclass(frozen=True)
class Step:
    """A default ladder rung: ``offset`` ``unit`` from the due time (negative before), reaching ``audience``.

    ``unit``: "hours" | "days" | "working_days"; ``audience``: "responsible" | "unit" | "office".
    """

    offset: int
    unit: str
    audience: str


@dataclass(frozen=True)
class ClockRule:
    code: str
    label: Any
    ladder: tuple[Step, ...] = ()
    grace_amount: int = 0
    grace_unit: str = "days"
    message: Callable[[Any, Any, datetime], tuple[Text, Text]] | None = None
    description: Any = ""


class RuleBook:
    """Registered rules by code; registering a code twice is a configuration error."""

    def __init__(self) -> None:
        self._rules: dict[str, ClockRule] = {}

    def register(self, rule: ClockRule) -> ClockRule:
        if rule.code in self._rules:
            raise ImproperlyConfigured(f"The clock rule {rule.code!r} is registered twice.")
        self._rules[rule.code] = rule
        return rule

    def unregister(self, code: str) -> None:
        """Take a rule out (tests use it to restore the rule book)."""
        self._rules.pop(code, None)

    def get(self, code: str) -> ClockRule | None:
        return self._rules.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def __iter__(self) -> Iterator[ClockRule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.code))

    def choices(self) -> list[tuple[str, str]]:
        return [(r.code, str(r.label)) for r in self]


clock_rules = RuleBook()
