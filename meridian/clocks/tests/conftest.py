"""A clock rule of our own for the clock tests, and a helper that opens clocks on a unit of the test tree."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation

from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.services import obligation_open

RULE = "test.deadline"
# A fixed moment (Beijing time) so that calendar maths does not depend on the day the tests run.
NOW = timezone.make_aware(datetime(2026, 3, 2, 9, 0))


def bilingual_title() -> str:
    return "申报截止" if (translation.get_language() or "en").startswith("zh") else "Filing deadline"


@pytest.fixture
def rule(db):
    clock_rules.register(
        ClockRule(
            code=RULE,
            label="Test deadline",
            ladder=(
                Step(offset=-10, unit="days", audience="responsible"),
                Step(offset=-3, unit="days", audience="unit"),
                Step(offset=1, unit="days", audience="office"),
            ),
            grace_amount=2,
            grace_unit="days",
        )
    )
    yield RULE
    clock_rules.unregister(RULE)


@pytest.fixture
def open_clock(rule, org, people):
    """Open a clock on a unit (any model can be a subject) of the computing department by default."""

    def make(*, due_in=timedelta(days=20), subject=None, responsible="staff", unit=None, key="", due_at=None):
        return obligation_open(
            subject=subject or org.computing,
            rule=rule,
            due_at=due_at or NOW + due_in,
            title=bilingual_title,
            responsible=getattr(people, responsible) if responsible else None,
            unit=unit or org.computing,
            key=key,
        )

    return make
