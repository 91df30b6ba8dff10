"""The global search finds partners and their agreements as people type names: case, accents, full-width
forms and Traditional/Simplified Chinese (and Japanese) variants do not matter."""

import pytest
from django.urls import reverse

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
def test_global_search(client, people, numbers, query, expected):
    client.force_login(people.officer)
    response = client.get(reverse("search:home"), {"q": query})
    groups = {group.key: [hit.title for hit in group.hits] for group in response.context["groups"]}
    assert groups["partners"] == [expected]
    assert [title.split()[0] for title in groups["agreements"]] == [numbers[expected]]
