"""Helpers of the partner-portal and nomination tests."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from meridian.mobility.models import Application, Mobility


def _safe(original):
    def get_absolute_url(self) -> str:
        try:
            return original(self)
        except NoReverseMatch:
            return ""

    return get_absolute_url


@pytest.fixture(autouse=True)
def case_pages_installed(monkeypatch):
    """Moves link the case's staff page in their notifications; while another area's page
    (``application_detail``, ``mobility_detail``) is not installed yet, the link is left empty instead of
    failing. Once both pages resolve this changes nothing."""
    for model, name in ((Application, "mobility:application_detail"), (Mobility, "mobility:mobility_detail")):
        try:
            reverse(name, args=[1])
        except NoReverseMatch:
            monkeypatch.setattr(model, "get_absolute_url", _safe(model.get_absolute_url))
