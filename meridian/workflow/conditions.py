"""Step conditions over a case's documented fields, without ``eval``.

A condition is stored structured as ``{"field": "duration_days", "op": ">=", "value": "30"}``; a step holds a
list of them, all of which must hold. Editors type them one per line (``duration_days >= 30``,
``budget_cny > 50000``, ``languages == "en"``); ``parse_conditions`` turns the text into the structure with a
clear error per bad line and ``format_conditions`` turns it back.

Operators: ``== != > >= < <=`` for every kind, ``contains`` for text (a comma- or space-separated list such as
"en, zh" contains "en"). Values are compared in the field's kind (int, decimal, str, bool, date); a case whose
field is empty fails every condition but ``!=``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from meridian.workflow.declaration import CaseType

OPERATORS = ("==", "!=", ">=", "<=", ">", "<", "contains")
_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|>=|<=|>|<|contains)\s*(.+?)\s*$")


def _convert(kind: str, raw: Any) -> Any:
    """``raw`` as a value of ``kind``; raises ValueError for a value that is not of the kind."""
    if raw is None or raw == "":
        return None
    if kind == "int":
        return int(str(raw))
    if kind == "decimal":
        try:
            return Decimal(str(raw))
        except InvalidOperation as exc:
            raise ValueError(raw) from exc
    if kind == "bool":
        text = str(raw).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ValueError(raw)
    if kind == "date":
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    return str(raw)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def parse_conditions(text: str, *, case_type: CaseType) -> list[dict[str, str]]:
    """Parse one condition per line into ``[{"field", "op", "value"}]``.

    Raises ``ValidationError`` naming each bad line: unknown field, unknown operator, or a value that is not
    of the field's kind (for example "thirty" for a number of days).
    """
    result: list[dict[str, str]] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            errors.append(
                _("Line %(line)d: write a condition as “field operator value”, e.g. duration_days >= 30.")
                % {"line": number}
            )
            continue
        name, op, raw = match.group(1), match.group(2), _unquote(match.group(3))
        try:
            field = case_type.field(name)
        except KeyError:
            known = ", ".join(f.name for f in case_type.fields) or "—"
            errors.append(
                _("Line %(line)d: “%(field)s” is not a field of this case type (known: %(known)s).")
                % {"line": number, "field": name, "known": known}
            )
            continue
        if op == "contains" and field.kind != "str":
            errors.append(_("Line %(line)d: “contains” applies to text fields only.") % {"line": number})
            continue
        try:
            _convert(field.kind, raw)
        except (ValueError, TypeError):
            errors.append(
                _("Line %(line)d: “%(value)s” is not a valid value for %(field)s.")
                % {"line": number, "value": raw, "field": name}
            )
            continue
        result.append({"field": name, "op": op, "value": raw})
    if errors:
        raise ValidationError({"conditions": errors})
    return result


def format_conditions(conditions: list[dict[str, str]]) -> str:
    """The editable text form of stored conditions (the inverse of ``parse_conditions``)."""
    lines = []
    for c in conditions:
        value = c["value"]
        if not re.fullmatch(r"[-0-9.A-Za-z_]+", value):
            value = f'"{value}"'
        lines.append(f"{c['field']} {c['op']} {value}")
    return "\n".join(lines)


def _holds(actual: Any, op: str, expected: Any) -> bool:
    if op == "contains":
        items = {part.strip().lower() for part in re.split(r"[,\s;]+", str(actual or "")) if part.strip()}
        return str(expected).strip().lower() in items
    if actual is None or expected is None:
        return op == "!=" and actual != expected
    if op == "==":
        return actual == expected
    if op == "!=":
        return actual != expected
    if op == ">":
        return actual > expected
    if op == ">=":
        return actual >= expected
    if op == "<":
        return actual < expected
    if op == "<=":
        return actual <= expected
    raise ValueError(op)


def conditions_hold(conditions: list[dict[str, str]], *, case: Any, case_type: CaseType) -> bool:
    """True when every condition holds for ``case`` (an empty list always holds).

    A condition naming a field the case type no longer declares, or with a value that no longer converts,
    counts as not holding: a step is then left out rather than the whole chain failing.
    """
    for c in conditions:
        try:
            field = case_type.field(c["field"])
            actual = _convert(field.kind, field.value(case)) if c["op"] != "contains" else field.value(case)
            expected = _convert(field.kind, c["value"]) if c["op"] != "contains" else c["value"]
            if not _holds(actual, c["op"], expected):
                return False
        except (KeyError, ValueError, TypeError):
            return False
    return True
