"""API errors answer in the request's language: the envelope's own message and DRF's messages."""

import pytest
from rest_framework.test import APIClient

from meridian.core.tests.chinese_catalog import use_chinese_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese(settings, tmp_path):
    use_chinese_catalog(settings, tmp_path, {"The data is not valid.": "数据无效。"})


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_invalid_data_message_is_chinese_on_a_chinese_request(people, chinese):
    response = _client(people.officer).post(
        "/api/v1/partners/", {"name": ""}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "数据无效。"
    assert "name" in error["details"]


def test_invalid_data_message_stays_english_on_an_english_request(people, chinese):
    response = _client(people.officer).post("/api/v1/partners/", {"name": ""}, format="json")
    assert response.json()["error"]["message"] == "The data is not valid."


def test_drf_messages_are_chinese_too(people, chinese):
    response = APIClient().get("/api/v1/partners/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["message"] == "身份认证信息未提供。"
    missing = _client(people.officer).get("/api/v1/partners/999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "未找到。"


def test_a_401_keeps_its_www_authenticate_challenge(people):
    """RFC 9110 §11.6.1: every 401 names the scheme to use; the JSON envelope must not drop it."""
    anonymous = APIClient().get("/api/v1/partners/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    wrong = APIClient().get("/api/v1/partners/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == "Token"
    assert wrong.json()["error"]["code"] == "authentication_failed"


def test_a_throttled_request_keeps_its_retry_after(rf, people):
    """A 429 keeps DRF's ``Retry-After`` (RFC 9110 §10.2.3) inside the error envelope."""
    from rest_framework import exceptions

    from meridian.core.api import exception_handler

    response = exception_handler(exceptions.Throttled(wait=42), {"request": rf.get("/api/v1/partners/")})
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert response.data["error"]["code"] == "throttled"
    forbidden = exception_handler(exceptions.PermissionDenied(), {"request": rf.get("/api/v1/partners/")})
    assert forbidden.status_code == 403
    assert "WWW-Authenticate" not in forbidden
