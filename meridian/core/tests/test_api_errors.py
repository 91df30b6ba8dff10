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
