"""The extension registry: ordered, keyed slots that refuse a key registered twice."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from meridian.core.registry import NavEntry, Registry, SearchHit, SearchType, Slot, registry


def entry(key: str, order: int = 100) -> NavEntry:
    return NavEntry(key=key, label=key.title(), url_name="dashboard:home", order=order)


def test_entries_come_out_by_order_then_key():
    slot: Slot[NavEntry] = Slot("nav")
    for key, order in (("zeta", 10), ("alpha", 20), ("beta", 10), ("gamma", 5)):
        slot.add(entry(key, order))
    assert [e.key for e in slot] == ["gamma", "beta", "zeta", "alpha"]
    assert len(slot) == 4


def test_a_key_registered_twice_is_refused_and_the_first_entry_kept():
    slot: Slot[NavEntry] = Slot("nav")
    first = slot.add(entry("partners", 20))
    with pytest.raises(ImproperlyConfigured, match="nav: the key 'partners' is registered twice"):
        slot.add(entry("partners", 30))
    assert slot.get("partners") is first
    assert [e.order for e in slot] == [20]


def test_get_contains_and_remove():
    slot: Slot[NavEntry] = Slot("nav")
    slot.add(entry("a"))
    assert "a" in slot and "b" not in slot
    with pytest.raises(KeyError):
        slot.get("b")
    slot.remove("a")
    slot.remove("a")  # removing twice is harmless
    assert list(slot) == []


def test_each_registry_has_its_own_slots():
    one, two = Registry(), Registry()
    one.search_types.add(SearchType(key="x", label="X", search=lambda user, query, limit: []))
    assert "x" in one.search_types and "x" not in two.search_types


def test_entries_are_immutable():
    e = entry("a")
    with pytest.raises(AttributeError):
        e.order = 5  # type: ignore[misc]


def test_the_apps_fill_the_shared_registry_at_start_up():
    # Each context registers its own entries in AppConfig.ready(); the hubs only read them.
    assert {"dashboard", "partners", "agreements", "registry", "search", "reports"} <= {
        e.key for e in registry.nav
    }
    assert {"profile", "contacts", "units", "agreements", "activity", "history"} <= {
        p.key for p in registry.partner_panels
    }
    assert {"partners", "agreements"} <= {s.key for s in registry.search_types}
    assert {"partners", "agreements"} <= {d.key for d in registry.report_datasets}
    assert {"partners", "partners_rounded", "channels", "university_name"} <= {
        f.key for f in registry.public_figures
    }
    assert {"partners", "agreements", "countries"} <= {w.key for w in registry.cache_watches}


def test_search_hits_are_plain_values():
    hit = SearchHit(title="Heidelberg", url="/partners/1/", kind="Partner")
    assert hit.detail == "" and hit == SearchHit("Heidelberg", "/partners/1/", "Partner")
