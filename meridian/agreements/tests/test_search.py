"""Agreement search by number, title or partner name ignores case, accents, full-width forms and Chinese
script variants on the list page (filter), the API and the agreements' part of the global search."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.agreements.selectors import agreement_search
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.search_examples import (
    EXAMPLE_IDS,
    EXAMPLES,
    make_example_agreements,
    make_example_partners,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbers(org):
    return make_example_agreements(make_example_partners(), org.computing)


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_list_page_search(client, people, numbers, query, expected):
    client.force_login(people.officer)
    response = client.get(reverse("agreements:list"), {"q": query})
    assert [a.number for a in response.context["page_obj"].object_list] == [numbers[expected]]


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_api_search(people, numbers, query, expected):
    client = APIClient()
    client.force_authenticate(people.officer)
    body = client.get("/api/v1/agreements/", {"q": query}).json()
    assert [row["number"] for row in body["results"]] == [numbers[expected]]


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_selector_search(people, numbers, query, expected):
    assert [a.number for a in agreement_search(user=people.officer, query=query)] == [numbers[expected]]


@pytest.mark.parametrize(
    "query", ["sx-2024-001", "SX－2024－001", "ｓｘ－２０２４－００１", "2024-001", "交流協議"]
)
def test_number_and_title_in_any_case_width_and_script(people, org, query):
    AgreementFactory(number="SX-2024-001", title_zh="学术交流协议", responsible_unit=org.computing)
    AgreementFactory(number="SX-2025-002", title_zh="科研合作协议", responsible_unit=org.computing)
    assert [a.number for a in agreement_search(user=people.officer, query=query)] == ["SX-2024-001"]


def test_search_respects_visibility(people, org, numbers):
    """A staff member sees only their unit's agreements: the search never widens that."""
    AgreementFactory(
        number="HUM-1", title_en="Genève lectures", responsible_unit=org.humanities, state="active"
    )
    assert [a.number for a in agreement_search(user=people.staff, query="geneve")] == [
        numbers["University of Geneva"]
    ]
    assert [a.number for a in agreement_search(user=people.officer, query="geneve")] == [
        "HUM-1",
        numbers["University of Geneva"],
    ]
