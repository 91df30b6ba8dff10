import pytest
from django.test import Client

from meridian.reference.tests.factories import country


@pytest.fixture
def germany(db):
    return country("DE", "Germany", "德国", region_code="150", region_en="Europe")


@pytest.fixture
def japan(db):
    return country("JP", "Japan", "日本", region_code="142", region_en="Asia", region_zh="亚洲")


@pytest.fixture
def login():
    """`login(user)` → a test client signed in as that user."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login
