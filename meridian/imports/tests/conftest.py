"""Fixtures of the import hub's tests: kinds registered only by the tests."""

import pytest

from meridian.core.registry import ImportKind, registry
from meridian.imports.tests.kinds import MERGE_KEY, MergingCountryImporter
from meridian.reference.models import Country


@pytest.fixture
def merge_kind(db):
    """The test kind whose rows conflict with stored values; "QZ" is stored with a blank Chinese name."""
    registry.import_kinds.add(
        ImportKind(key=MERGE_KEY, label="Merged countries", handler=lambda: MergingCountryImporter, order=98)
    )
    Country.objects.create(code="QZ", alpha3="QZZ", name_en="Old Quuxland", name_zh="")
    yield
    registry.import_kinds.remove(MERGE_KEY)
