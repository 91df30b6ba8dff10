"""The account page for API tokens and the admin's list: create (secret shown once), list, revoke."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from meridian.accounts.tokens.models import ApiToken
from meridian.accounts.tokens.services import api_token_create

PAGE = reverse("accounts:api_tokens")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_needs_a_signed_in_user(db):
    response = Client().get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


def test_creating_shows_the_secret_once_and_lists_the_token(people):
    client = _signed_in(people.officer)
    response = client.post(PAGE, {"name": "nightly export", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    found = re.search(r'class="token-secret"[^>]*>([0-9a-f]{64})<', response.content.decode())
    assert found is not None
    secret = found.group(1)
    token = ApiToken.objects.get(user=people.officer)
    assert token.name == "nightly export" and token.token_key == secret[:15]
    page = client.get(PAGE).content.decode()
    assert "nightly export" in page and secret not in page and secret[:15] not in page


def test_a_lifetime_over_the_maximum_is_refused(people, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    response = _signed_in(people.officer).post(PAGE, {"name": "long", "days": "365"})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_the_page_lists_only_the_users_own_tokens(people):
    api_token_create(user=people.officer, name="officer script", days=7)
    api_token_create(user=people.staff, name="staff script", days=7)
    page = _signed_in(people.staff).get(PAGE).content.decode()
    assert "staff script" in page and "officer script" not in page


def test_the_owner_revokes_a_token(people):
    token, _secret = api_token_create(user=people.officer, name="old script", days=7)
    url = reverse("accounts:api_token_revoke", args=[token.pk])
    response = _signed_in(people.officer).post(url, follow=True)
    assert "is revoked" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_someone_elses_token_is_a_404_and_stays(people):
    token, _secret = api_token_create(user=people.officer, name="officer script", days=7)
    response = _signed_in(people.admin).post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404 and ApiToken.objects.filter(pk=token.pk).exists()


def test_revoking_needs_post_and_a_csrf_token(people):
    token, _secret = api_token_create(user=people.officer, name="script", days=7)
    url = reverse("accounts:api_token_revoke", args=[token.pk])
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.officer)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert client.post(PAGE, {"name": "x", "days": "7"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.fixture
def admin_client_of(people):
    for user in (people.admin, people.officer):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return _signed_in(people.admin)


def test_an_administrator_revokes_anyones_token_in_the_admin(people, admin_client_of):
    token, secret = api_token_create(user=people.officer, name="leaked", days=7)
    listing = admin_client_of.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "leaked" in listing and secret not in listing
    url = reverse("admin:accounts_apitoken_delete", args=[token.pk])
    assert admin_client_of.post(url, {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_other_staff_do_not_see_tokens_in_the_admin(people, admin_client_of):
    api_token_create(user=people.admin, name="admin script", days=7)
    client = Client()
    client.force_login(people.officer)
    assert client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 403
