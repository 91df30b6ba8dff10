"""API: countries (read-only, filters) and the registry look-up, with their OpenAPI description."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.reference.bench import build_synthetic_registry

pytestmark = pytest.mark.usefixtures("facts")


@pytest.fixture
def api(people) -> APIClient:
    client = APIClient()
    client.force_authenticate(people.student)
    return client


@pytest.mark.parametrize("url", ["/api/v1/countries/", "/api/v1/countries/DE/", "/api/v1/registry/?q=oxford"])
def test_authentication_is_required(url):
    response = APIClient().get(url)
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_country_list_filters_and_search(api):
    data = api.get("/api/v1/countries/", {"region_code": "150", "page_size": 500}).json()
    codes = {row["code"] for row in data["results"]}
    assert "DE" in codes and "CN" not in codes and data["count"] == len(codes)
    sub = api.get("/api/v1/countries/", {"subregion_code": "030"}).json()
    assert {row["code"] for row in sub["results"]} == {"CN", "HK", "MO", "KP", "JP", "MN", "KR", "TW"}
    found = api.get("/api/v1/countries/", {"search": "德国"}).json()["results"]
    assert [row["code"] for row in found] == ["DE"]


def test_country_detail_shape(api):
    data = api.get("/api/v1/countries/de/").json()
    assert data == {
        "code": "DE",
        "alpha3": "DEU",
        "numeric": "276",
        "name_en": "Germany",
        "name_zh": "德国",
        "region_code": "150",
        "region_en": "Europe",
        "region_zh": "欧洲",
        "subregion_code": "155",
        "subregion_en": "Western Europe",
        "subregion_zh": "西欧",
    }
    missing = api.get("/api/v1/countries/XX/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_country_list_query_count_is_fixed(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/countries/", {"page_size": 500})
    assert len(response.json()["results"]) == 249


@pytest.mark.usefixtures("registry")
def test_registry_lookup_returns_identifiers_domains_and_prefill(api):
    response = api.get(reverse("registry-lookup"), {"q": "a wien01"})
    assert response.status_code == 200
    [vienna] = response.json()
    assert vienna["name"] == "University of Vienna" and vienna["country"] == "AT"
    assert (vienna["ror_id"], vienna["erasmus_code"], vienna["pic"]) == (
        "03prydq77",
        "A  WIEN01",
        "999904689",
    )
    assert set(vienna["domains"]) == {"univie.ac.at"}
    assert {"kind": "label", "value": "Universität Wien", "language": "de"} in vienna["names"]
    assert vienna["prefill"]["registry_institution"] == vienna["id"]
    assert vienna["sources"] == "ror,eche"


@pytest.mark.usefixtures("registry")
def test_registry_lookup_country_limit_and_validation(api):
    names = [row["name"] for row in api.get(reverse("registry-lookup"), {"q": "oxford", "limit": 2}).json()]
    assert names == ["Oxford Brookes University", "Oxford College of Engineering"]
    only_np = api.get(reverse("registry-lookup"), {"q": "oxford", "country": "NP"}).json()
    assert [row["name"] for row in only_np] == ["Oxford College of Engineering"]
    bad = api.get(reverse("registry-lookup"), {"limit": 500})
    assert bad.status_code == 400 and set(bad.json()["error"]["details"]) == {"q", "limit"}


def test_registry_lookup_query_count_is_fixed(api, django_assert_max_num_queries):
    build_synthetic_registry(60, seed=4)
    with django_assert_max_num_queries(12):
        response = api.get(reverse("registry-lookup"), {"q": "university", "limit": 50})
    assert len(response.json()) > 10


def test_openapi_document_describes_the_reference_endpoints(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert "/api/v1/countries/" in paths and "/api/v1/countries/{code}/" in paths
    lookup = paths["/api/v1/registry/"]["get"]
    assert {p["name"] for p in lookup["parameters"]} >= {"q", "country", "limit"}
    assert {p["name"] for p in paths["/api/v1/countries/"]["get"]["parameters"]} >= {
        "region_code",
        "subregion_code",
        "search",
    }
    institution = schema["components"]["schemas"]["Institution"]["properties"]
    assert {"ror_id", "erasmus_code", "pic", "domains", "prefill", "names"} <= set(institution)
