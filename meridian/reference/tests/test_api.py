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
    assert len(response.json()["results"]) == 250  # ISO 3166-1 and Kosovo


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


@pytest.mark.usefixtures("registry")
def test_affiliation_match_chooses_one_institution(api):
    response = api.get(
        reverse("registry-match"), {"affiliation": "Dept. of Physics, University of Oxford, UK"}
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["affiliation"], data["country"]) == ("Dept. of Physics, University of Oxford, UK", "GB")
    oxford = data["chosen"]
    assert set(oxford) == {"id", "ror_id", "name", "country", "score", "chosen", "matched", "matched_name"}
    assert (oxford["ror_id"], oxford["name"], oxford["country"], oxford["score"], oxford["chosen"]) == (
        "052gg0110",
        "University of Oxford",
        "GB",
        1.0,
        True,
    )
    assert oxford["matched"] == "University of Oxford"
    assert data["candidates"][0] == oxford
    assert data["candidates"][1]["name"] == "Oxford Brookes University"
    assert [c["chosen"] for c in data["candidates"]].count(True) == 1
    assert data["candidates"][1]["chosen"] is False and data["candidates"][1]["score"] < 0.88


@pytest.mark.usefixtures("registry")
def test_affiliation_match_without_a_confident_match_chooses_nothing(api):
    data = api.get("/api/v1/registry/match", {"affiliation": "Siemens AG, Munich, Germany"}).json()
    assert (data["chosen"], data["country"]) == (None, "DE")
    entities = api.get("/api/v1/registry/match", {"affiliation": "ETH Z&uuml;rich"}).json()
    assert entities["affiliation"] == "ETH Zürich" and entities["chosen"]["ror_id"] == "05a28rw58"


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize("params", [{}, {"affiliation": ""}, {"affiliation": "x" * 1001}, {"limit": 3}])
def test_affiliation_match_refuses_a_missing_or_too_long_affiliation(api, params):
    response = api.get("/api/v1/registry/match", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["details"]) == {"affiliation"}


@pytest.mark.usefixtures("registry")
def test_affiliation_match_accepts_the_longest_affiliation_and_checks_the_limit(api):
    longest = ("University of Oxford, " * 50)[:1000]
    assert api.get("/api/v1/registry/match", {"affiliation": longest}).status_code == 200
    bad = api.get("/api/v1/registry/match", {"affiliation": "Oxford", "limit": 0})
    assert bad.status_code == 400 and set(bad.json()["error"]["details"]) == {"limit"}


def test_affiliation_match_requires_authentication():
    response = APIClient().get("/api/v1/registry/match", {"affiliation": "University of Oxford"})
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_openapi_document_describes_the_affiliation_matcher(api):
    schema = api.get("/api/v1/openapi.json").json()
    match = schema["paths"]["/api/v1/registry/match"]["get"]
    assert {p["name"]: p.get("required", False) for p in match["parameters"]} == {
        "affiliation": True,
        "limit": False,
    }
    result = schema["components"]["schemas"]["AffiliationMatch"]["properties"]
    assert set(result) == {"affiliation", "country", "chosen", "candidates"}
    candidate = schema["components"]["schemas"]["AffiliationCandidate"]["properties"]
    assert {"id", "ror_id", "name", "country", "score", "chosen", "matched"} <= set(candidate)
