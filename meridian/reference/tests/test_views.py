"""Registry pages: signed-in users only, search as a plain form and as HTMX partials."""

from __future__ import annotations

import json
from html import unescape

import pytest
from django.urls import reverse

from meridian.reference.bench import build_synthetic_registry
from meridian.reference.models import Institution, RegistryImport

pytestmark = pytest.mark.usefixtures("registry")


@pytest.fixture
def signed_in(client, people):
    client.force_login(people.staff)
    return client


@pytest.mark.parametrize("name", ["reference:registry", "reference:lookup", "reference:countries"])
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(name), {"q": "oxford"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_registry_page_searches_with_a_plain_get_form(signed_in):
    response = signed_in.get(reverse("reference:registry"), {"q": "oxford"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert f'hx-get="{reverse("reference:registry")}"' in html
    oxford = Institution.objects.get(ror_id="052gg0110")
    assert f"{reverse('partners:create')}?institution={oxford.pk}" in html
    assert "052gg0110" in html and "https://www.ox.ac.uk" in html and "牛津大学" in html
    assert html.index("Oxford Brookes University") < html.index("University of Oxford</strong>")
    assert 'id="registry-status"' in html and "Last import" in html
    assert RegistryImport.objects.count() == 2


def test_registry_page_answers_htmx_with_the_results_only(signed_in):
    response = signed_in.get(
        reverse("reference:registry"), {"q": "wien", "country": "AT"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html and "University of Vienna" in html and "A  WIEN01" in html
    assert "Oxford" not in html


def test_lookup_partial_carries_prefill_for_a_target_form(signed_in):
    response = signed_in.get(reverse("reference:lookup"), {"q": "a wien01", "target": "partner-form"})
    html = response.content.decode()
    assert html.count("<li") == 1 and 'data-target-form="partner-form"' in html
    raw = html.split("data-prefill='", 1)[1].split("'", 1)[0]
    data = json.loads(unescape(raw))
    vienna = Institution.objects.get(ror_id="03prydq77")
    assert data["registry_institution"] == vienna.pk and data["erasmus_code"] == "A  WIEN01"
    assert data["country_id"] == "AT" and data["name"] == "University of Vienna"


def test_lookup_partial_without_target_links_to_partner_creation(signed_in):
    html = signed_in.get(reverse("reference:lookup"), {"q": "ethz"}).content.decode()
    eth = Institution.objects.get(ror_id="05a28rw58")
    assert f"{reverse('partners:create')}?institution={eth.pk}" in html and "data-prefill" not in html
    empty = signed_in.get(reverse("reference:lookup"), {"q": "nothing-like-this"}).content.decode()
    assert "No institution found." in empty


def test_lookup_query_count_does_not_grow_with_results(signed_in, django_assert_max_num_queries):
    build_synthetic_registry(40, seed=2)
    # The ceiling covers the page frame too (navigation badges: open tasks, overdue deadlines).
    with django_assert_max_num_queries(30) as few:
        signed_in.get(reverse("reference:registry"), {"q": "zurich"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = signed_in.get(reverse("reference:registry"), {"q": "university"})
    assert response.content.decode().count("?institution=") >= 20


def test_country_page_filters_by_region(signed_in):
    html = signed_in.get(reverse("reference:countries"), {"region": "142"}).content.decode()
    assert "China" in html and "中国" in html and "Germany" not in html


def test_lookup_explains_an_empty_registry(client, people):
    Institution.objects.all().delete()
    client.force_login(people.officer)
    response = client.get("/registry/lookup/", {"q": "oxford", "target": "partner-form"})
    assert response.status_code == 200
    assert "registry is empty" in response.content.decode()
