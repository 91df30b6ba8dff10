"""Clock sources declared as plain data by apps below clocks, loaded at start-up and run by the sync."""

import sys
import types
from datetime import date, timedelta

from meridian.clocks import services, sources
from meridian.clocks.models import Obligation
from meridian.clocks.rules import clock_rules


def test_a_plain_data_source_is_loaded_and_synced(monkeypatch, org, people):
    module = types.ModuleType("meridian.accounts.clock_sources")
    module.__dict__["CLOCK_RULES"] = [
        {
            "code": "test.plain",
            "label": "Plain",
            "ladder": [(-5, "working_days", "responsible")],
            "grace_days": 3,
            "met_note": "Done elsewhere.",
        }
    ]
    wanted = [org.computing]
    module.__dict__["clock_items"] = lambda today: (
        {"rule": "test.plain", "subject": u, "key": "", "title": "Plain", "due_on": today + timedelta(days=9)}
        for u in wanted
    )
    monkeypatch.setitem(sys.modules, "meridian.accounts.clock_sources", module)
    real = sources.importlib.util.find_spec
    monkeypatch.setattr(
        sources.importlib.util,
        "find_spec",
        lambda name: object() if name.startswith("meridian.accounts") else real(name),
    )
    try:
        sources.load_lower_sources()
        rule = clock_rules.get("test.plain")
        assert rule is not None
        assert [(s.offset, s.unit, s.audience) for s in rule.ladder] == [(-5, "working_days", "responsible")]
        assert rule.grace_amount == 3
        assert services.clocks_sync(today=date(2026, 3, 2), rule="test.plain").opened == 1
        wanted.clear()
        assert services.clocks_sync(today=date(2026, 3, 2), rule="test.plain").met == 1
        assert Obligation.objects.get(rule="test.plain").note == "Done elsewhere."
    finally:
        clock_rules.unregister("test.plain")
        sources.sources.unregister("test.plain")


def test_the_identity_document_rule_of_people_is_registered():
    assert "people.document_expiry" in clock_rules
    assert "people.document_expiry" in [s.rule for s in sources.sources]
