"""Every answer under /api/ is JSON in the shared error shape, also for errors Django answers itself; pages
outside /api/ keep their HTML error pages. The OpenAPI document lists those errors on every operation."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_unknown_api_address_is_a_json_404(people):
    error = _error(_api(people.officer).get("/api/v1/no-such-thing/"), 404, "not_found")
    assert error["message"] == "Not found."


def test_unknown_api_address_answers_in_the_request_language(people):
    response = _api(people.officer).get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _error(response, 404, "not_found")["message"] == "未找到。"


def test_unknown_page_address_keeps_the_html_404_page(people):
    client = Client()
    client.force_login(people.officer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_method_not_allowed_is_json(people):
    _error(_api(people.officer).delete("/api/v1/partners/"), 405, "method_not_allowed")


def test_not_acceptable_is_json(people):
    _error(_api(people.officer).get("/api/v1/partners/", HTTP_ACCEPT="text/csv"), 406, "not_acceptable")


def test_unsupported_media_type_is_json(people):
    response = _api(people.officer).post("/api/v1/partners/", "name=x", content_type="text/plain")
    _error(response, 415, "unsupported_media_type")


def test_json_parse_error_is_json(people):
    response = _api(people.officer).post("/api/v1/partners/", "{broken", content_type="application/json")
    _error(response, 400, "parse_error")


def test_unexpected_exception_in_the_api_is_a_json_500(people, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("meridian.partners.api.partner_list", broken)
    response = _api(people.officer).get("/api/v1/partners/")
    error = _error(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert "unexpected error" in error["message"]


def test_unexpected_exception_on_a_page_keeps_the_html_500_page(people, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("meridian.partners.views.lists.partner_list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(people.officer)
    response = client.get("/partners/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "secret internals" not in response.content.decode()


def test_openapi_document_lists_the_errors_of_every_operation(people):
    document = _api(people.officer).get("/api/v1/openapi.json").json()
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]
    operations = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 50
    for method, path, operation in operations:
        for code in ("400", "401", "403", "404"):
            response = operation["responses"].get(code)
            assert response is not None, (method, path, code)
            assert response["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }, (method, path, code)
