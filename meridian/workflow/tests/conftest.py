"""Fixtures of the workflow tests: the throw-away trip case type, registered for one test at a time."""

from __future__ import annotations

import pytest

from meridian.workflow.registry import case_types
from meridian.workflow.tests import casetype


@pytest.fixture
def trip_type():
    casetype.SETUP.units.clear()
    casetype.SETUP.applicants.clear()
    casetype.SETUP.documents.clear()
    casetype.SETUP.effects.clear()
    case_types.register(casetype.TRIP)
    yield casetype.TRIP
    case_types.unregister(casetype.CODE)


@pytest.fixture
def make_trip(trip_type):
    return casetype.make_trip
