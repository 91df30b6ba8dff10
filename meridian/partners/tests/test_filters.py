"""Staff search of partners ignores case, accents, full-width forms and Chinese script variants, on every
surface that uses the one filter definition: the list page, the API and the merge candidates."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.partners.models import Partner
from meridian.partners.selectors import partner_merge_candidates
from meridian.partners.tests.factories import PartnerFactory
from meridian.partners.tests.search_examples import EXAMPLE_IDS, EXAMPLES, make_example_partners

pytestmark = pytest.mark.django_db


@pytest.fixture
def examples(db):
    return make_example_partners()


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_list_page_search(login, people, examples, query, expected):
    response = login(people.officer).get(reverse("partners:list"), {"q": query})
    assert [p.name_en for p in response.context["partners"]] == [expected]


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_api_search(people, examples, query, expected):
    client = APIClient()
    client.force_authenticate(people.officer)
    body = client.get("/api/v1/partners/", {"q": query}).json()
    assert [row["name_en"] for row in body["results"]] == [expected]


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_merge_candidates_search(people, examples, query, expected):
    other = PartnerFactory(name="Somewhere else")
    found = partner_merge_candidates(user=people.officer, partner=other, query=query)
    assert [p.name_en for p in found] == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("D HEIDELB01", ["Heidelberg University"]),  # Erasmus code typed with one space
        ("DHEIDELB01", ["Heidelberg University"]),  # ... or none
        ("999888777", ["Heidelberg University"]),  # PIC
        ("https://www.uni-heidelberg.de/en/", ["Heidelberg University"]),  # a pasted web address
        ("uni-heidelberg.de", ["Heidelberg University"]),
        ("德国", ["Heidelberg University"]),  # the country's Chinese name
        ("海德堡 university", ["Heidelberg University"]),  # words in two scripts
        ("heidelberg tokyo", []),  # every word must match
    ],
)
def test_identifiers_domain_and_country(login, people, query, expected, germany, japan):
    PartnerFactory(
        name="Ruprecht-Karls-Universität Heidelberg",
        name_en="Heidelberg University",
        name_zh="海德堡大学",
        country=germany,
        website="https://www.uni-heidelberg.de/",
        website_domain="uni-heidelberg.de",
        erasmus_code="D  HEIDELB01",
        pic="999888777",
    )
    PartnerFactory(name="東京大学", name_en="The University of Tokyo", city="Tokyo", country=japan)
    response = login(people.officer).get(reverse("partners:list"), {"q": query})
    assert [p.name_en for p in response.context["partners"]] == expected


def test_search_respects_visibility(login, people, examples):
    """A student sees public partners only: the search narrows what the user may see, never widens it."""
    Partner.objects.filter(name_en="University of Geneva").update(is_public=True)
    client = login(people.student)
    assert [p.name_en for p in client.get(reverse("partners:list"), {"q": "geneve"}).context["partners"]] == [
        "University of Geneva"
    ]
    assert list(client.get(reverse("partners:list"), {"q": "munchen"}).context["partners"]) == []
