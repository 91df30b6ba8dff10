"""Every list filter with dates refuses a value that is not a date: the page says so (and never pretends the
list is filtered), the export answers 400, the API answers 400 with the JSON error shape."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

BAD = "2026-02-31"

# (list page, filter parameter, user who may read the list)
PAGES = [
    ("agreements:list", "ends_after", "officer"),
    ("agreements:list", "ends_before", "officer"),
    ("clocks:list", "due_before", "officer"),
    ("people:access_log", "since", "admin"),
    ("people:access_log", "until", "admin"),
    ("travel:trip_list", "depart_from", "officer"),
    ("visitors:visit_list", "arrive_from", "officer"),
]
EXPORTS = [
    ("agreements:export", "ends_after", "officer"),
    ("clocks:export", "due_before", "officer"),
    ("people:access_log_export", "until", "admin"),
]
# (API list, parameter): the list page's filters (one definition) and the case lists' generic date range.
API = [
    ("/api/v1/agreements/", "ends_after"),
    ("/api/v1/travel/trips/", "depart_to"),
    ("/api/v1/visitors/visits/", "arrive_from"),
    ("/api/v1/mobility/applications/", "date_from"),
    ("/api/v1/mobility/applications/", "date_to"),
]


@pytest.mark.parametrize(("page", "param", "who"), PAGES)
def test_page_shows_a_message_for_an_invalid_date(client, people, page, param, who):
    client.force_login(getattr(people, who))
    response = client.get(reverse(page), {param: BAD})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and "Enter a valid date." in body


@pytest.mark.parametrize(("export", "param", "who"), EXPORTS)
def test_export_refuses_an_invalid_date(client, people, export, param, who):
    client.force_login(getattr(people, who))
    response = client.get(reverse(export), {param: BAD, "format": "csv"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


@pytest.mark.parametrize(("url", "param"), API)
def test_api_refuses_an_invalid_date_with_the_error_shape(people, url, param):
    client = APIClient()
    client.force_authenticate(people.officer)
    response = client.get(url, {param: BAD})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert param in error["details"]
