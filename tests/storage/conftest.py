"""Fixtures of the storage tests: the agreement fixtures (an agreement of the computing department)."""

from meridian.agreements.tests.conftest import germany, make_agreement, partner  # noqa: F401
