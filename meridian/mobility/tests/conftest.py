import pytest

from meridian.mobility.tests.factories import exchange_world


@pytest.fixture
def world(org, people):
    """A partner with coordinator and viewer contacts, an active exchange agreement with outgoing and incoming
    conditions, and a second partner (see ``factories.exchange_world``)."""
    return exchange_world(org, people)
