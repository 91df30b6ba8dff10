"""API tokens: hashed storage, expiry, revocation, last use, the command line and the move of old keys."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from meridian.accounts.tokens.models import ApiToken
from meridian.accounts.tokens.services import api_token_create, api_token_revoke, lifetime_choices
from meridian.core.errors import DomainError, PermissionDeniedError

URL = "/api/v1/partners/"


def _client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_the_secret_is_returned_once_and_only_its_digest_is_stored(people):
    token, secret = api_token_create(user=people.officer, name="export", days=30)
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert secret not in {str(v) for v in stored.values()}
    assert stored["token_key"] == secret[:15] and len(stored["digest"]) == 128
    assert timedelta(days=29, hours=23) < token.expiry - timezone.now() <= timedelta(days=30)


def test_a_token_authenticates_and_its_use_is_noted(people):
    token, secret = api_token_create(user=people.officer, name="export", days=30)
    response = _client(secret).get(URL)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None and timezone.now() - token.last_used < timedelta(seconds=30)


def _error(response) -> dict:
    assert response.status_code == 401
    return response.json()["error"]


def test_an_expired_token_answers_401_in_the_error_shape(people):
    token, secret = api_token_create(user=people.officer, name="old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    error = _error(_client(secret).get(URL))
    assert error["code"] == "token_expired" and "expired" in error["message"]
    assert ApiToken.objects.filter(pk=token.pk).exists()  # still listed for its owner


def test_a_revoked_token_answers_401(people):
    token, secret = api_token_create(user=people.officer, name="gone", days=7)
    assert _client(secret).get(URL).status_code == 200
    api_token_revoke(token=token, actor=people.officer)
    assert _error(_client(secret).get(URL))["code"] == "authentication_failed"


@pytest.mark.parametrize("header", ["Token 0123456789abcdef0123", "Token", "Token a b", "Token ü".encode()])
def test_unknown_or_malformed_tokens_answer_401(people, header):
    api_token_create(user=people.officer, name="real", days=7)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert _error(client.get(URL))["code"] == "authentication_failed"


def test_an_inactive_users_token_answers_401(people):
    _token, secret = api_token_create(user=people.officer, name="x", days=7)
    people.officer.is_active = False
    people.officer.save(update_fields=["is_active"])
    assert _error(_client(secret).get(URL))["code"] == "authentication_failed"


def test_the_lifetime_is_bounded(people, settings):
    settings.API_TOKEN_MAX_DAYS = 60
    assert lifetime_choices() == [7, 30, 60]
    with pytest.raises(DomainError, match="at most 60 days"):
        api_token_create(user=people.officer, name="long", days=61)
    with pytest.raises(DomainError, match="name"):
        api_token_create(user=people.officer, name="  ", days=7)


def test_only_the_owner_or_an_administrator_revokes(people):
    token, _secret = api_token_create(user=people.officer, name="mine", days=7)
    with pytest.raises(PermissionDeniedError):
        api_token_revoke(token=token, actor=people.staff)
    api_token_revoke(token=token, actor=people.admin)
    assert not ApiToken.objects.exists()


def test_create_token_command_prints_a_new_working_token_once(people, capsys):
    call_command("create-token", "officer", "--name", "nightly", "--days", "30")
    first = capsys.readouterr().out.strip()
    assert _client(first).get(URL).status_code == 200
    assert ApiToken.objects.get(user=people.officer).name == "nightly"
    call_command("create-token", "officer", "--rotate")
    second = capsys.readouterr().out.strip()
    assert second != first
    assert _client(first).get(URL).status_code == 401
    assert _client(second).get(URL).status_code == 200


def test_create_token_command_refuses_a_lifetime_over_the_maximum(people, settings):
    settings.API_TOKEN_MAX_DAYS = 10
    with pytest.raises(CommandError, match="at most 10 days"):
        call_command("create-token", "officer", "--days", "11")


def test_create_token_unknown_user(db):
    with pytest.raises(CommandError, match="No user is called"):
        call_command("create-token", "ghost")


def test_old_plain_keys_are_moved_into_hashed_storage_and_keep_working(people, settings):
    settings.API_TOKEN_MAX_DAYS = 100
    old_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # a rest_framework.authtoken key: 40 hex characters
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp NOT NULL, "
            "user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s), (%s, %s, %s)",
            [old_key, "2024-05-01 08:00:00", people.staff.pk, "f" * 40, "2024-05-01 08:00:00", 999_999],
        )
    migration = importlib.import_module("meridian.accounts.migrations.0004_move_legacy_api_keys")
    editor = SimpleNamespace(connection=connection)  # the migration uses only the editor's connection
    assert migration.move_legacy_keys(apps, editor) == 1  # the key of a deleted user is dropped
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no plain key is left
    moved = ApiToken.objects.get(user=people.staff)
    assert moved.created.year == 2024 and moved.name == migration.LEGACY_NAME
    assert timedelta(days=99) < moved.expiry - timezone.now() <= timedelta(days=100)
    assert old_key not in {str(v) for v in ApiToken.objects.values().get().values()}
    response = _client(old_key).get(URL)
    assert response.status_code == 200


def test_the_move_of_old_keys_does_nothing_without_the_old_table(db):
    migration = importlib.import_module("meridian.accounts.migrations.0004_move_legacy_api_keys")
    assert migration.move_legacy_keys(apps, SimpleNamespace(connection=connection)) == 0


@pytest.mark.parametrize("days", ["0", "-1"])
def test_create_token_command_refuses_a_lifetime_under_one_day(people, days):
    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("create-token", "officer", "--days", days)


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_tokens_are_for_internal_roles_only(people, client, who):
    user = getattr(people, who)
    client.force_login(user)
    assert client.get(reverse("accounts:api_tokens")).status_code == 403
    response = client.post(reverse("accounts:api_tokens"), {"name": "mine", "days": "30"})
    assert response.status_code == 403
    with pytest.raises(CommandError, match="for the university's staff"):
        call_command("create-token", user.username)
    assert not ApiToken.objects.filter(user=user).exists()
