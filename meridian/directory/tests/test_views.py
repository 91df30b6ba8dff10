"""The public directory list and partner pages: public fields only, no JavaScript needed."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from meridian.agreements.tests.factories import AgreementFactory
from meridian.directory.tests.conftest import DRAFT_TITLE, SECRET_CONTACT, SECRET_NOTE, SECRET_PIC
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

LIST = "/en/global-vision/partners/"


def assert_nothing_internal(text: str) -> None:
    for secret in (
        SECRET_NOTE,
        SECRET_CONTACT,
        "Secret Person",
        SECRET_PIC,
        DRAFT_TITLE,
        "Hidden Hochschule",
        "隐藏大学",
        "Hidden agreement",
        "AGR-2026",
        "School of Engineering",
        "School of Humanities",
    ):
        assert secret not in text, secret


def test_urls():
    assert reverse("directory:list") == LIST
    assert reverse("directory:partner", args=[7]) == "/en/global-vision/partners/7/"
    assert reverse("directory:embed") == "/en/global-vision/partners/embed/"
    assert reverse("opendata:partners_json") == "/open-data/partners.json"


def test_list_shows_public_partners_with_count_and_nothing_internal(world, anonymous):
    response = anonymous.get(LIST)
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "Heidelberg University",
        "Kyoto Institute of Research",
        "Singapore Polytechnic",
        "University of Malta",
    ):
        assert name in text
    assert "4 partner institutions found" in text
    assert_nothing_internal(text)
    # Channels come from active agreements only: the draft's joint lab is not listed.
    assert "Student exchange" in text
    assert "Joint lab / R&amp;D centre</span>" not in text


def test_list_filters_with_a_plain_get_form(world, anonymous):
    text = anonymous.get(LIST, {"q": "海德堡"}).content.decode()
    assert "1 partner institution found" in text
    assert "Heidelberg University" in text and "Kyoto Institute" not in text
    assert '<form id="directory-filters"' in text and 'method="get"' in text


def test_htmx_request_gets_only_the_results(world, anonymous):
    response = anonymous.get(LIST, {"country": "JP"}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "<html" not in text and 'id="directory-filters"' not in text
    assert "1 partner institution found" in text
    table = text.split('class="table directory-table"')[1].split("</table>")[0]
    assert "Kyoto Institute of Research" in table and "Heidelberg University" not in table
    # The map is a document of its own, for the same filters; it highlights the chosen country.
    found = re.search(r'data-map-src="([^"]+)"', text)
    assert found is not None
    source = found.group(1).replace("&amp;", "&")
    assert source == "/en/global-vision/partners/map.svg?country=JP"
    assert 'class="country c1 selected"' in anonymous.get(source).content.decode()


def test_list_in_chinese(world, anonymous):
    text = anonymous.get("/zh-hans/global-vision/partners/").content.decode()
    assert '<html lang="zh-hans">' in text
    assert "海德堡大学" in text and "德国" in text


def test_pagination(world, anonymous):
    germany = country("DE")
    PartnerFactory.create_batch(30, country=germany, is_public=True)
    first = anonymous.get(LIST).content.decode()
    second = anonymous.get(LIST, {"page": 2}).content.decode()
    assert "34 partner institutions found" in first
    assert "page=2" in first and "Page 1 of 2" in first
    assert "Page 2 of 2" in second


def test_partner_page_shows_the_public_profile(world, anonymous):
    response = anonymous.get(reverse("directory:partner", args=[world.heidelberg.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    for shown in (
        "Heidelberg University",
        "海德堡大学",
        "Ruprecht-Karls-Universität Heidelberg",
        "Germany",
        "https://www.uni-heidelberg.de/",
        "Heidelberg student exchange",
        "2025-01-01",
        "2030-01-01",
        "Research cooperation",
        "Student exchange",
    ):
        assert shown in text, shown
    assert_nothing_internal(text)


def test_partner_page_of_a_non_public_partner_is_404(world, anonymous, login, people):
    url = reverse("directory:partner", args=[world.hidden.pk])
    assert anonymous.get(url).status_code == 404
    # Even staff who may see the partner internally get no public page for it.
    assert login(people.admin).get(url).status_code == 404
    assert anonymous.get(reverse("directory:partner", args=[999999])).status_code == 404


def test_expired_agreement_is_not_shown(world, anonymous, org):
    AgreementFactory(
        responsible_unit=org.engineering,
        partners=[world.kyoto],
        state="expired",
        title_en="Old expired agreement",
        channels=["conference"],
    )
    text = anonymous.get(reverse("directory:partner", args=[world.kyoto.pk])).content.decode()
    assert "Kyoto research cooperation" in text
    assert "Old expired agreement" not in text and "Conference cooperation</a>" not in text


def test_anonymous_api_is_refused(world, anonymous):
    for url in ("/api/v1/partners/", f"/api/v1/partners/{world.heidelberg.pk}/", "/api/v1/agreements/"):
        assert anonymous.get(url).status_code in (401, 403), url


def test_list_query_count_does_not_grow_with_rows(world, anonymous, org, django_assert_max_num_queries):
    germany = country("DE")

    def add(n: int) -> None:
        for i in range(n):
            partner = PartnerFactory(
                country=germany, is_public=True, latitude=Decimal("50.1") + i, longitude=Decimal("8.6")
            )
            AgreementFactory(
                responsible_unit=org.engineering,
                partners=[partner],
                state="active",
                channels=["research", "cultural"],
            )

    add(2)
    # The public navigation asks which sections have content (cached by the data stamp): 4 of them.
    with django_assert_max_num_queries(18) as few:
        anonymous.get(LIST, {"channel": "research"})
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        anonymous.get(LIST, {"channel": "research"})


def test_unknown_filter_values_are_ignored_not_errors(world, anonymous):
    for params in (
        {"country": "ZZ"},
        {"type": "spaceship"},
        {"channel": "x"},
        {"region": "999"},
        {"page": "abc"},
    ):
        assert anonymous.get(LIST, params).status_code == 200, params
        assert anonymous.get("/open-data/partners.json", params).status_code == 200, params
        assert anonymous.get("/en/global-vision/partners/embed/", params).status_code == 200, params


def test_visitor_pages_are_cached_until_the_data_changes(client, django_assert_max_num_queries):
    from meridian.partners.tests.factories import PartnerFactory

    PartnerFactory(name_en="Cached University", is_public=True)
    url = "/en/global-vision/partners/"
    first = client.get(url)
    assert b"Cached University" in first.content
    # A repeat visit needs only the data-version queries.
    with django_assert_max_num_queries(3):
        again = client.get(url)
    assert again.content == first.content
    PartnerFactory(name_en="Fresh University", is_public=True)
    assert b"Fresh University" in client.get(url).content
