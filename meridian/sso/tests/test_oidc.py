"""The OpenID Connect authorisation code flow against a real provider: discovery, authorisation, code back,
token exchange, ID token checked against the provider's keys, user info."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from meridian.accounts.choices import Role
from meridian.accounts.models import Membership, User
from meridian.people.models import Person
from meridian.sso.tests.conftest import TIMEOUT, OidcServer, local_path

# The test provider's own libraries announce their future API changes; they are not ours to act on.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def start(client: Client) -> str:
    response = client.get("/sso/oidc/login/")
    assert response.status_code == 302
    return response["Location"]


def oidc_login(client: Client, provider: OidcServer, sub: str) -> str:
    """Play the whole flow; returns where Meridian finally sends the browser."""
    authorize = start(client)
    assert authorize.startswith(f"{provider.issuer}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == ["meridian"] and "openid" in query["scope"][0]
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 302, answer.text[:500]
    back = answer.headers["Location"]
    assert back.startswith("http://testserver/sso/oidc/callback/?code=")
    done = client.get(local_path(back))
    assert done.status_code == 302
    return done["Location"]


def test_first_and_later_sign_in(oidc_on, org):
    oidc_on.set_user(
        "u-1001",
        preferred_username="wang.fang",
        name="Wang Fang",
        family_name="Wang",
        given_name="Fang",
        email="wang.fang@example.edu.cn",
        unit_code="cs",
        student_number="2023456",
    )
    client = Client()

    assert oidc_login(client, oidc_on, "u-1001") == reverse("workflow:landing")

    user = User.objects.get(external_identities__provider="oidc", external_identities__subject="u-1001")
    assert (user.username, user.display_name, user.first_name, user.last_name) == (
        "wang.fang",
        "Wang Fang",
        "Fang",
        "Wang",
    )
    person = Person.objects.get(user=user)
    assert (person.kind, person.member_number, person.unit, person.family_name) == (
        "student",
        "2023456",
        org.computing,
        "Wang",
    )
    assert set(Membership.objects.filter(user=user).values_list("unit__code", "role")) == {
        ("cs", Role.STUDENT)
    }

    oidc_on.set_user(
        "u-1001",
        preferred_username="wang.fang",
        name="Wang Fang",
        family_name="Wang",
        given_name="Fang",
        email="fang.wang@example.edu.cn",
        unit_code="eng",
        student_number="2023456",
    )
    oidc_login(Client(), oidc_on, "u-1001")

    user.refresh_from_db()
    assert user.email == "fang.wang@example.edu.cn"
    assert Person.objects.get(user=user).unit == org.engineering
    assert set(Membership.objects.filter(user=user).values_list("unit__code", "role")) == {
        ("eng", Role.STUDENT)
    }
    assert User.objects.filter(external_identities__isnull=False).count() == 1


def test_a_bad_code_is_refused(oidc_on, org):
    client = Client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]

    response = client.get(f"/sso/oidc/callback/?code=forged&state={state}")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert any("did not succeed" in str(m) for m in get_messages(response.wsgi_request))
    assert not User.objects.filter(external_identities__isnull=False).exists()


def test_a_code_for_another_session_is_refused(oidc_on, org):
    oidc_on.set_user("u-2002", preferred_username="x", name="X", unit_code="cs", student_number="1")
    victim, attacker = Client(), Client()
    authorize = start(attacker)
    back = requests.post(authorize, data={"sub": "u-2002"}, allow_redirects=False, timeout=TIMEOUT)

    response = victim.get(local_path(back.headers["Location"]))  # the victim's session has no such state

    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in victim.session


def test_the_sign_in_page_offers_the_button_and_sign_out_reaches_the_provider(oidc_on, org, settings):
    settings.OIDC_NAME = "Campus account"
    assert "Sign in with Campus account" in Client().get("/accounts/login/").content.decode()
    oidc_on.set_user("u-3003", preferred_username="y", name="Y", unit_code="cs", student_number="3")
    client = Client()
    oidc_login(client, oidc_on, "u-3003")

    local = client.post("/accounts/logout/")
    provider = client.get(local["Location"])

    assert local["Location"] == "/sso/oidc/logout/"
    assert provider["Location"].startswith(f"{oidc_on.issuer}/oauth2/end_session?")
    assert "_auth_user_id" not in client.session
