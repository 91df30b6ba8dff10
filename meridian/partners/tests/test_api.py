import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from meridian.accounts.permissions import forget_standing
from meridian.accounts.tokens.services import api_token_create
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners import services
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerContactFactory, PartnerFactory

LIST = "/api/v1/partners/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def heidelberg(germany, org):
    partner = services.partner_create(
        actor=None, name="Universität Heidelberg", name_en="Heidelberg University", country=germany,
        ror_id="038t36y30", owner_unit=org.computing, notes="internal", tags=["Excellence"],
    )  # fmt: skip
    PartnerContactFactory(partner=partner, name="Dr. Weber")
    return partner


class TestRead:
    def test_list_with_nested_country_and_filters(self, people, heidelberg, japan):
        PartnerFactory(name="東京大学", country=japan)
        body = api(people.officer).get(LIST, {"country": "DE"}).json()
        assert body["count"] == 1
        item = body["results"][0]
        assert item["country"] == {"code": "DE", "name_en": "Germany", "name_zh": "德国"}
        assert item["tags"] == ["Excellence"] and item["notes"] == "internal"
        assert [c["name"] for c in item["contacts"]] == ["Dr. Weber"]
        assert api(people.officer).get(LIST, {"q": "東京"}).json()["count"] == 1

    def test_agreement_counts_as_far_as_the_user_sees_and_filters(self, people, org, heidelberg):
        AgreementFactory(responsible_unit=org.computing, partners=[heidelberg], state="active")
        AgreementFactory(responsible_unit=org.humanities, partners=[heidelberg], state="draft")
        item = api(people.officer).get(LIST, {"active": "yes"}).json()["results"][0]
        assert (item["agreement_count"], item["active_agreement_count"]) == (2, 1)
        item = api(people.staff).get(LIST).json()["results"][0]
        assert (item["agreement_count"], item["active_agreement_count"]) == (1, 1)
        assert api(people.staff).get(LIST, {"active": "no"}).json()["count"] == 0

    def test_invalid_filter_value_is_a_400_with_the_error_shape(self, people, heidelberg):
        response = api(people.officer).get(LIST, {"type": "castle"})
        assert response.status_code == 400
        assert set(response.json()["error"]) == {"code", "message", "details"}

    def test_students_get_no_contacts_or_notes(self, people, heidelberg):
        Partner.objects.filter(pk=heidelberg.pk).update(is_public=True)
        item = api(people.student).get(f"{LIST}{heidelberg.pk}/").json()
        assert item["name"] == "Universität Heidelberg"
        assert "contacts" not in item and "notes" not in item

    def test_invisible_partner_is_404_with_the_error_shape(self, people, heidelberg):
        response = api(people.student).get(f"{LIST}{heidelberg.pk}/")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"

    def test_token_authentication(self, people, heidelberg):
        _token, secret = api_token_create(user=people.staff, name="partner sync", days=30)
        client = APIClient()
        assert client.get(LIST).status_code == 401
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert client.get(LIST).json()["count"] == 1

    def test_list_query_count_does_not_grow(self, people, org, germany):
        client = api(people.officer)

        def count() -> int:
            forget_standing(people.officer)  # the same user object is reused: measure a whole request
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(LIST).status_code == 200
            return len(ctx.captured_queries)

        def add(n: int) -> None:
            for partner in PartnerFactory.create_batch(n, country=germany):
                PartnerContactFactory(partner=partner)
                services.partner_unit_create(partner=partner, actor=None, name_en="Faculty")
                AgreementFactory(responsible_unit=org.computing, partners=[partner], state="active")

        add(3)
        few = count()
        add(27)
        assert count() == few


class TestWrite:
    def test_create(self, people, germany):
        response = api(people.officer).post(
            LIST,
            {"name": "KIT", "country": "DE", "ror_id": "https://ror.org/04t3en479", "tags": ["Engineering"]},
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["ror_id"] == "04t3en479" and body["tags"] == ["Engineering"] and body["version"] == 1
        assert Partner.objects.get().created_by == people.officer

    def test_create_invalid_is_400_by_field(self, people, germany):
        response = api(people.officer).post(
            LIST, {"name": "KIT", "country": "DE", "pic": "12"}, format="json"
        )
        assert response.status_code == 400
        assert "pic" in response.json()["error"]["details"]
        response = api(people.officer).post(LIST, {"country": "XX"}, format="json")
        assert set(response.json()["error"]["details"]) == {"name", "country"}

    def test_create_duplicate_is_409_with_the_existing_id(self, people, heidelberg):
        response = api(people.officer).post(LIST, {"name": "Copy", "country": "DE", "ror_id": "038t36y30"})
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "duplicate" and error["details"]["existing_id"] == heidelberg.pk

    def test_partial_update_and_stale_version_conflict(self, people, heidelberg):
        url = f"{LIST}{heidelberg.pk}/"
        ok = api(people.coordinator).patch(url, {"city": "Mannheim", "version": 1}, format="json")
        assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["city"] == "Mannheim"
        stale = api(people.officer).patch(url, {"city": "Bonn", "version": 1}, format="json")
        assert stale.status_code == 409
        error = stale.json()["error"]
        assert error["code"] == "stale_edit" and error["details"]["current_version"] == 2
        assert error["details"]["changes"][0]["field"] == "city"
        heidelberg.refresh_from_db()
        assert heidelberg.city == "Mannheim"

    def test_full_update(self, people, heidelberg):
        response = api(people.officer).put(
            f"{LIST}{heidelberg.pk}/",
            {"name": "Universität Heidelberg", "country": "DE", "status": "dormant", "version": 1},
        )
        assert response.status_code == 200 and response.json()["status"] == "dormant"

    def test_update_refused_for_staff_and_404_for_students(self, people, heidelberg):
        response = api(people.staff).patch(f"{LIST}{heidelberg.pk}/", {"city": "Bonn"}, format="json")
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
        assert api(people.student).patch(f"{LIST}{heidelberg.pk}/", {"city": "Bonn"}).status_code == 404

    def test_merge(self, people, heidelberg, germany):
        duplicate = PartnerFactory(country=germany, pic="999976190")
        url = f"{LIST}{heidelberg.pk}/merge/"
        assert api(people.coordinator).post(url, {"duplicate": duplicate.pk}).status_code == 403
        response = api(people.officer).post(url, {"duplicate": duplicate.pk}, format="json")
        assert response.status_code == 200 and response.json()["pic"] == "999976190"
        assert not Partner.objects.filter(pk=duplicate.pk).exists()
        assert api(people.officer).post(url, {"duplicate": 99999}).status_code == 404
        assert api(people.officer).post(url, {"duplicate": heidelberg.pk}).status_code == 404


def test_openapi_documents_the_partner_endpoints(people):
    response = api(people.officer).get("/api/v1/openapi.json", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/partners/"])
    assert {"get", "put", "patch"} <= set(paths["/api/v1/partners/{id}/"])
    assert "post" in paths["/api/v1/partners/{id}/merge/"]
    params = {p["name"] for p in paths["/api/v1/partners/"]["get"]["parameters"]}
    assert {"country", "region", "type", "status", "channel", "unit", "active", "expiring", "q"} <= params
