"""Single sign-on off (the default): no buttons, no addresses."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_no_buttons_and_no_routes_when_off(settings):
    assert not settings.CAS_SERVER_URL and not settings.OIDC_RP_CLIENT_ID
    page = Client().get("/accounts/login/")
    assert page.status_code == 200
    assert "Sign in with" not in page.content.decode()
    for address in ("/sso/cas/login/", "/sso/cas/logout/", "/sso/oidc/login/", "/sso/oidc/callback/"):
        assert Client().get(address).status_code == 404, address
