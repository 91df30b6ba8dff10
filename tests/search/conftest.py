import pytest
from django.test import Client


@pytest.fixture
def login():
    """`login(user)` → a test client signed in as that user."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login
