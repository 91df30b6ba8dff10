"""Step conditions: parsed from text without eval, evaluated in the field's kind."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from meridian.workflow.conditions import conditions_hold, format_conditions, parse_conditions
from meridian.workflow.tests.casetype import TRIP


def _case(**values):
    base = {"established": None, "types": "", "latitude": None}
    return SimpleNamespace(**{**base, **values})


def test_parse_and_format_round_trip():
    text = 'duration_days >= 30\nbudget_cny > 50000\nlanguages == "en zh"\nlanguages contains en'
    parsed = parse_conditions(text, case_type=TRIP)
    assert parsed[0] == {"field": "duration_days", "op": ">=", "value": "30"}
    assert parsed[2] == {"field": "languages", "op": "==", "value": "en zh"}
    assert parse_conditions(format_conditions(parsed), case_type=TRIP) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("duration_days => 30", "write a condition as"),
        ("__import__('os') == 1", "write a condition as"),
        ("colour == red", "“colour” is not a field of this case type"),
        ("duration_days >= thirty", "“thirty” is not a valid value for duration_days"),
        ("budget_cny contains 5", "“contains” applies to text fields only"),
    ],
)
def test_bad_conditions_are_refused_with_the_line(text, message):
    with pytest.raises(ValidationError) as exc:
        parse_conditions(f"\n{text}", case_type=TRIP)
    assert exc.value.messages[0].startswith("Line 2:") and message in exc.value.messages[0]


@pytest.mark.parametrize(
    ("conditions", "case", "holds"),
    [
        ("duration_days >= 30", _case(established=30), True),
        ("duration_days >= 30", _case(established=29), False),
        ("duration_days >= 30", _case(), False),
        ("duration_days != 30", _case(), True),
        ("budget_cny > 50000", _case(latitude=Decimal("50000.01")), True),
        ("budget_cny > 50000", _case(latitude=50000), False),
        ('languages == "en"', _case(types="en"), True),
        ('languages == "en"', _case(types="en, zh"), False),
        ("languages contains EN", _case(types="zh, en"), True),
        ("languages contains en", _case(types="english"), False),
        ("duration_days >= 30\nlanguages == en", _case(established=40, types="zh"), False),
        ("", _case(), True),
    ],
)
def test_conditions_hold(conditions, case, holds):
    assert conditions_hold(parse_conditions(conditions, case_type=TRIP), case=case, case_type=TRIP) is holds


def test_a_condition_on_a_field_no_longer_declared_does_not_hold():
    assert not conditions_hold([{"field": "gone", "op": "==", "value": "1"}], case=_case(), case_type=TRIP)
