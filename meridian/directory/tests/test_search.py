"""The public directory, its feeds and the widget find organisations as people type them (case, accents,
full-width forms, Chinese script variants), but only by what the directory shows."""

import pytest
from django.test import Client

from meridian.directory import selectors
from meridian.partners.models import Partner
from meridian.partners.tests.search_examples import EXAMPLE_IDS, EXAMPLES, make_example_partners

pytestmark = pytest.mark.django_db

LIST = "/en/global-vision/partners/"
JSON = "/open-data/partners.json"


@pytest.fixture
def examples(db):
    return make_example_partners(is_public=True)


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_directory_filter(examples, query, expected):
    assert [p.name_en for p in selectors.public_partner_list(filters={"q": query}).qs] == [expected]


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_directory_page(examples, query, expected):
    response = Client().get(LIST, {"q": query})
    assert response.status_code == 200
    assert [p.name_en for p in response.context["page_obj"].object_list] == [expected]


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=EXAMPLE_IDS)
def test_open_data_feed(examples, query, expected):
    body = Client().get(JSON, {"q": query}).json()
    assert [row["name_en"] for row in body["partners"]] == [expected]


def test_non_public_partners_are_never_found(examples):
    Partner.objects.filter(name_en="Waseda University").update(is_public=False)
    assert list(selectors.public_partner_list(filters={"q": "早稻田大学"}).qs) == []


def test_identifiers_are_not_searched_publicly(examples):
    """The directory does not show identifiers, so it does not find partners by them either."""
    Partner.objects.filter(name_en="University of Geneva").update(pic="999888777")
    geneva = Partner.objects.get(name_en="University of Geneva")
    geneva.save()  # the search column follows the identifier
    assert "999888777" in geneva.search_text
    assert list(selectors.public_partner_list(filters={"q": "999888777"}).qs) == []
    assert [p.name_en for p in selectors.public_partner_list(filters={"q": "瑞士"}).qs] == [
        "University of Geneva"
    ]  # the country it shows, in Chinese
