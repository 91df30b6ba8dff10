"""Sort and filter parameters of every list (page, API, export): an empty or offered value works, an
invalid one is a clear message (400 in the API and exports, a message on the page), never a server error."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from meridian.travel.tests.factories import make_trip
from meridian.visitors.tests.factories import make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(org, people):
    germany = country("DE", "Germany", "德国")
    partners = [
        PartnerFactory(name=name, name_en=name, country=germany, owner_unit=org.intl_office)
        for name in ("Beta", "Alpha", "Gamma")
    ]
    for title in ("Mobility", "Agreement on research", "Zoology exchange"):
        AgreementFactory(
            title_en=title, responsible_unit=org.intl_office, partners=partners[:1], state="active"
        )
    make_trip(unit=org.computing, applicant=people.staff, depart_on=datetime.date(2026, 5, 4))
    make_visit(host_unit=org.engineering, host=people.coordinator)
    return partners


def _page(user) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=True)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/partners/",
        "/partners/export/",
        "/api/v1/partners/",
        "/agreements/",
        "/agreements/export/",
        "/api/v1/agreements/",
        "/travel/",
        "/travel/export/",
        "/api/v1/travel/trips/",
        "/visitors/",
        "/visitors/export/",
        "/api/v1/visitors/visits/",
        "/exchange/mobilities/",
        "/api/v1/mobility/mobilities/",
    ],
)
@pytest.mark.parametrize("ordering", [",,", ",", "name,,", ""])
def test_empty_sort_entries_keep_the_default_order(people, data, url, ordering):
    # Pagination warns (an error in the tests) when a list loses its order: the default order must stay.
    client = _api(people.officer) if url.startswith("/api/") else _page(people.officer)
    if ordering == "name,," and not url.startswith(("/partners/", "/api/v1/partners/")):
        ordering = ",,"
    assert client.get(url, {"ordering": ordering}).status_code == 200


def test_partner_api_ignores_empty_sort_entries(people, data):
    names = [
        row["name"]
        for row in _api(people.officer).get("/api/v1/partners/?ordering=,-name,").json()["results"]
    ]
    assert names == ["Gamma", "Beta", "Alpha"]
    names = [
        row["name"] for row in _api(people.officer).get("/api/v1/partners/?ordering=,,").json()["results"]
    ]
    assert names == ["Alpha", "Beta", "Gamma"]


def test_partner_export_ignores_empty_sort_entries(people, data):
    response = _page(people.officer).get("/partners/export/?ordering=,,")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.index("Alpha") < text.index("Beta") < text.index("Gamma")


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("title", ["Agreement on research", "Mobility", "Zoology exchange"]),
        ("-title", ["Zoology exchange", "Mobility", "Agreement on research"]),
    ],
)
def test_agreements_sort_by_title_in_the_api_the_page_and_the_export(people, data, ordering, expected):
    rows = _api(people.officer).get("/api/v1/agreements/", {"ordering": ordering}).json()["results"]
    assert [row["title_en"] for row in rows] == expected
    page = _page(people.officer).get("/agreements/", {"ordering": ordering}).content.decode()
    assert [page.index(title) for title in expected] == sorted(page.index(title) for title in expected)
    export = (
        _page(people.officer).get("/agreements/export/", {"ordering": ordering}).content.decode("utf-8-sig")
    )
    assert [export.index(title) for title in expected] == sorted(export.index(title) for title in expected)


def test_every_sort_order_the_openapi_document_offers_works(people, data):
    api = _api(people.officer)
    document = api.get("/api/v1/openapi.json").json()
    tried = 0
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["name"] != "ordering":
                continue
            for value in parameter["schema"]["items"]["enum"]:
                response = api.get(path, {"ordering": value})
                assert response.status_code == 200, (path, value, response.content[:300])
                tried += 1
    assert tried >= 30  # partners, agreements, trips, visits and mobilities, each key both ways


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/v1/partners/", "ordering=bogus"),
        ("/api/v1/partners/", "country=zz"),
        ("/api/v1/agreements/", "ordering=title_en"),
        ("/api/v1/agreements/", "state=bogus"),
        ("/api/v1/travel/trips/", "ordering=-"),
        ("/api/v1/visitors/visits/", "ordering=name"),
        ("/api/v1/mobility/mobilities/", "ordering=bogus"),
    ],
)
def test_invalid_sort_or_filter_value_in_the_api_is_a_400_with_a_message(people, data, url, parameter):
    response = _api(people.officer).get(f"{url}?{parameter}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    name = parameter.split("=")[0]
    assert list(error["details"]) == [name]
    assert "有效" in str(error["details"][name])  # Django's own message, in the request's language


def test_partner_page_with_an_invalid_sort_order_says_so_and_keeps_the_default_order(people, data):
    response = _page(people.officer).get("/partners/?ordering=bogus")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="ordering-errors"' in page
    assert "bogus is not one of the available choices" in page
    assert 'name="ordering" value="bogus"' not in page  # the filter form does not carry the bad value on
    assert [p.name for p in response.context["partners"]] == ["Alpha", "Beta", "Gamma"]


def test_agreement_page_with_an_invalid_sort_order_says_so(people, data):
    response = _page(people.officer).get("/agreements/?ordering=title_en")
    assert response.status_code == 200
    assert "title_en is not one of the available choices" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/partners/export/?country=zz",
        "/partners/export/?ordering=bogus",
        "/agreements/export/?state=bogus",
        "/agreements/export/?ordering=title_en",
        "/deadlines/export/?state=bogus",
    ],
)
def test_export_with_an_invalid_filter_is_a_400_with_a_message_not_an_unfiltered_file(people, data, url):
    response = _page(people.officer).get(url)
    assert response.status_code == 400
    text = response.content.decode()
    assert text.startswith("The filters are not valid: ")
    assert "valid choice" in text


def test_invalid_partner_website_on_create_is_refused_with_a_message(people, data):
    before = Partner.objects.count()
    response = _api(people.officer).post(
        "/api/v1/partners/", {"name": "KIT", "country": "DE", "website": "http://[x]/"}, format="json"
    )
    assert response.status_code == 400
    assert "is not a valid website address" in str(response.json()["error"]["details"]["website"])
    assert Partner.objects.count() == before


HUGE_NUMBER = "99999999999999999999"


def test_no_numeric_query_parameter_the_openapi_document_offers_causes_a_server_error(people, data):
    """Every integer or number query parameter of every list, given a huge value: an answer, never a 500."""
    api = _api(people.officer)
    document = api.get("/api/v1/openapi.json").json()
    tried = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query" or parameter["schema"].get("type") not in ("integer", "number"):
                continue
            for value in (HUGE_NUMBER, f"-{HUGE_NUMBER}"):
                response = api.get(path, {parameter["name"]: value})
                assert response.status_code < 500, (path, parameter["name"], value)
                assert response["Content-Type"].startswith("application/json")
            tried.append((path, parameter["name"]))
    assert ("/api/v1/agreements/", "expiring_within") in tried


@pytest.mark.parametrize("value", ["3000000", HUGE_NUMBER])
def test_expiring_within_beyond_the_calendar_is_refused_in_the_api_page_and_export(people, data, value):
    response = _api(people.officer).get("/api/v1/agreements/", {"expiring_within": value})
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["expiring_within"]
    page = _page(people.officer).get("/agreements/", {"expiring_within": value})
    assert page.status_code == 200
    assert "less than or equal to 36500" in page.content.decode()
    export = _page(people.officer).get("/agreements/export/", {"expiring_within": value})
    assert export.status_code == 400
    assert "less than or equal to 36500" in export.content.decode()
