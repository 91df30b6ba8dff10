"""Clock sources: obligations that follow from data, opened and closed by the daily sync.

A source says which obligations *should* be open today (``wanted(today)`` yields ``Wanted`` items or plain
dicts with the same keys); ``clocks_sync`` opens each of them (idempotent per subject, rule and key) and marks
met every open obligation of the source's rule that is no longer wanted. Apps above ``clocks`` register a
``ClockSource`` directly; apps below it (``people``) cannot import ``clocks`` and instead declare plain data
in a ``clock_sources`` module (``CLOCK_RULES`` and ``clock_items(today)``), loaded at start-up.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from meridian.clocks.rules import ClockRule, Step, clock_rules

# Apps below clocks in the layers, whose plain-data sources clocks loads (clocks may import them).
LOWER_APPS = ("meridian.accounts", "meridian.reference", "meridian.people")


@dataclass(frozen=True)
class Wanted:
    """One obligation that should be open: ``due_at`` (a datetime) or ``due_on`` (a date, due at its end)."""

    subject: Any
    key: str
    title: Any
    due_at: datetime | None = None
    due_on: date | None = None
    responsible: Any = None
    unit: Any = None


@dataclass(frozen=True)
class ClockSource:
    """``wanted(today) -> Iterable[Wanted | dict]`` for the rule ``rule``; ``met_note`` explains closing."""

    rule: str
    wanted: Callable[[date], Iterable[Wanted | dict]]
    met_note: str = "No longer required."


class SourceBook:
    def __init__(self) -> None:
        self._sources: dict[str, ClockSource] = {}

    def register(self, source: ClockSource) -> ClockSource:
        if source.rule in self._sources:
            raise ImproperlyConfigured(f"A clock source for {source.rule!r} is registered twice.")
        self._sources[source.rule] = source
        return source

    def unregister(self, rule: str) -> None:
        self._sources.pop(rule, None)

    def __iter__(self):
        return iter(sorted(self._sources.values(), key=lambda s: s.rule))


sources = SourceBook()


def as_wanted(item: Wanted | dict) -> Wanted:
    if isinstance(item, Wanted):
        return item
    fields: dict[str, Any] = {
        k: item.get(k) for k in ("subject", "key", "title", "due_at", "due_on", "responsible", "unit")
    }
    fields["key"] = fields["key"] or ""
    return Wanted(**fields)


def _only_rule(items: Callable[[date], Iterable[dict]], code: str) -> Callable[[date], Iterable[dict]]:
    """The items of one rule from a module that may declare several."""

    def wanted(today: date) -> Iterable[dict]:
        return (item for item in items(today) if (item.get("rule") or code) == code)

    return wanted


def load_lower_sources() -> None:
    """Register the plain-data sources declared by apps below clocks (``<app>.clock_sources``)."""
    for app in LOWER_APPS:
        name = f"{app}.clock_sources"
        if importlib.util.find_spec(app) is None or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for spec in getattr(module, "CLOCK_RULES", []):
            if spec["code"] in clock_rules:
                continue
            clock_rules.register(
                ClockRule(
                    code=spec["code"],
                    label=spec.get("label", spec["code"]),
                    ladder=tuple(Step(*rung) for rung in spec.get("ladder", ())),
                    grace_amount=int(spec.get("grace_days", 0)),
                    description=spec.get("description", ""),
                )
            )
            items = getattr(module, "clock_items", None)
            if items is not None:
                sources.register(
                    ClockSource(
                        rule=spec["code"],
                        wanted=_only_rule(items, spec["code"]),
                        met_note=str(spec.get("met_note", "No longer required.")),
                    )
                )
