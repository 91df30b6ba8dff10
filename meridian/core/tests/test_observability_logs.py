"""Request ids and structured logs: every request gets an id, every record written meanwhile carries it, the
access log line holds the request's facts, and no password, token, cookie or query value reaches a log."""

import json
import logging
import re

import pytest
from django.test import Client

from conftest import PASSWORD
from meridian.core.observability.context import REQUEST_ID_MAX_LENGTH, accept_request_id
from meridian.core.observability.logs import logging_config
from meridian.core.tests.observability_helpers import captured_logs

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def client():
    return Client()


def test_every_response_carries_a_new_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second) and first != second


def test_a_sane_incoming_request_id_is_kept(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2:ab_C"})
    assert response["X-Request-ID"] == "lb-7f3a.2:ab_C"


@pytest.mark.parametrize(
    "given",
    [
        "",
        "has space",
        "line\nbreak",
        '"quoted"',
        "-starts-with-dash",
        "x" * (REQUEST_ID_MAX_LENGTH + 1),
        "名字",
    ],
)
def test_an_odd_incoming_request_id_is_replaced(client, db, given):
    assert HEX_ID.fullmatch(accept_request_id(given))
    if given.isprintable() and given.isascii():  # headers the test client can send
        response = client.get("/healthz", headers={"X-Request-ID": given})
        assert HEX_ID.fullmatch(response["X-Request-ID"])


def test_the_longest_accepted_request_id():
    longest = "a" * REQUEST_ID_MAX_LENGTH
    assert accept_request_id(longest) == longest


def test_json_access_line_holds_the_request_facts(client, people):
    client.force_login(people.officer)
    with captured_logs() as logs:
        response = client.get("/healthz?q=Zhang+Wei&page=2", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 200
    (line,) = logs.by_logger("meridian.access")
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-1" and line["task_id"] is None
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["view"] == "healthz"
    assert line["status"] == 200 and isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["query_keys"] == ["page", "q"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert line["user_id"] == people.officer.pk
    assert "Zhang" not in logs.text


def test_access_line_names_the_signed_in_user_by_id_only(client, people):
    client.force_login(people.officer)
    with captured_logs() as logs:
        client.get("/dashboard/")
    (line,) = logs.by_logger("meridian.access")
    assert line["user_id"] == people.officer.pk and line["view"] == "dashboard:home"
    assert "officer" not in json.dumps(line)


def test_records_written_while_handling_a_request_carry_its_id(client, db):
    with captured_logs() as logs:
        response = client.get("/api/v1/no-such-thing/", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404
    warning = next(r for r in logs.records() if r["logger"] == "django.request")
    assert warning["level"] == "WARNING" and warning["request_id"] == "req-404"
    assert "request" not in warning  # Django's request object (query string, cookies) is never written
    # After the request, records carry no request id any more.
    with captured_logs() as later:
        logging.getLogger("meridian.test").warning("outside")
    assert later.records()[0]["request_id"] is None


def test_text_format_shows_the_request_id(client, db):
    with captured_logs("text") as logs:
        client.get("/healthz", headers={"X-Request-ID": "req-text"})
    assert re.search(
        r" INFO meridian\.access \[req=req-text\] GET /healthz 200 \d+\.\dms$", logs.text.strip()
    )


def test_no_password_cookie_or_csrf_token_in_the_logs(client, people):
    client.get("/accounts/login/")  # sets the CSRF cookie
    with captured_logs(level=logging.DEBUG) as logs:
        client.post("/accounts/login/", {"username": "officer", "password": "wrong-" + PASSWORD})
        client.post("/accounts/login/", {"username": "officer", "password": PASSWORD})
        client.get("/dashboard/")
    assert logs.by_logger("meridian.access")
    session = client.cookies["sessionid"].value
    for secret in (PASSWORD, session):
        assert secret not in logs.text
    assert "csrftoken" not in logs.text and "sessionid" not in logs.text
    # django-axes names the client by a keyed digest, not by username and address.
    axes = [r for r in logs.records() if r["logger"].startswith("axes") and " by client" in r["message"]]
    assert axes and all(re.search(r"client [0-9a-f]{12}\b", r["message"]) and r["request_id"] for r in axes)
    assert "officer" not in logs.text and "127.0.0.1" not in logs.text


def test_secrets_in_addresses_are_masked(client, db):
    token = "SeCrEtToKeN-4711"
    with captured_logs() as logs:
        client.get(f"/people/self-service/{token}/")
        client.get(f"/documents/verify/SERIAL-1/{token}/")
        client.get(f"/no/such/{token}/page")
    assert token not in logs.text
    paths = [r["path"] for r in logs.by_logger("meridian.access")]
    assert paths == [
        "/people/self-service/<token>/",
        "/documents/verify/<serial>/<token>/",
        "/no/such/*/page",
    ]


def test_record_ids_stay_in_the_logged_path(client, people):
    client.force_login(people.officer)
    with captured_logs() as logs:
        client.get("/partners/12345/")
    assert logs.by_logger("meridian.access")[0]["path"] == "/partners/12345/"


def test_logging_config_refuses_unknown_formats_and_levels():
    assert logging_config(log_format="json")["formatters"]["meridian"]["()"].endswith("JsonFormatter")
    assert "format" in logging_config(log_format="text", level="debug")["formatters"]["meridian"]
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config(log_format="xml")
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        logging_config(level="LOUD")
