import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from meridian.agreements import services
from meridian.agreements.models import Agreement
from meridian.agreements.tests.conftest import pdf_bytes
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerFactory

LIST = "/api/v1/agreements/"


@pytest.fixture
def api():
    return APIClient()


def test_list_query_count_does_not_grow(api, people, org, germany, japan):
    api.force_authenticate(people.leadership)

    def add(n):
        for _ in range(n):
            AgreementFactory(
                responsible_unit=org.computing,
                channels=["research"],
                partners=[PartnerFactory(country=germany), PartnerFactory(country=japan)],
            )

    def fresh_login():
        # A new user object each time, so no request benefits from a standing cached by an earlier one.
        api.force_authenticate(type(people.leadership).objects.get(pk=people.leadership.pk))

    add(3)
    fresh_login()
    with CaptureQueriesContext(connection) as few:
        assert api.get(LIST).status_code == 200
    add(27)
    fresh_login()
    with CaptureQueriesContext(connection) as many:
        response = api.get(LIST)
    assert response.json()["count"] == 30
    assert len(many) == len(few), [q["sql"][:150] for q in many.captured_queries]


def test_list_uses_the_agreement_filter_and_visibility(api, people, make_agreement, org, other_partner):
    mine = make_agreement(partners=[other_partner], channels=["cultural"])
    make_agreement(channels=["research"])
    make_agreement(unit=org.humanities, partners=[other_partner], channels=["cultural"])
    api.force_authenticate(people.staff)
    rows = api.get(LIST, {"channel": "cultural"}).json()["results"]
    assert [r["number"] for r in rows] == [mine.number]
    assert rows[0]["partners"][0]["country"] == "JP"
    api.force_authenticate(people.student)
    assert api.get(LIST).json()["count"] == 0


def test_retrieve_lists_documents_with_download_urls(api, people, make_agreement):
    agreement = make_agreement()
    document = services.document_upload(
        agreement=agreement, actor=None, uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()), kind="signed"
    )
    api.force_authenticate(people.coordinator)
    data = api.get(f"{LIST}{agreement.pk}/").json()
    assert data["documents"][0]["sha256"] == document.sha256
    assert data["documents"][0]["download_url"].endswith(
        f"/agreements/{agreement.pk}/documents/{document.pk}/"
    )
    assert data["allowed_actions"] == ["submit"]
    api.force_authenticate(people.other_coordinator)
    response = api.get(f"{LIST}{agreement.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_create_and_update_with_version(api, people, org, partner):
    api.force_authenticate(people.coordinator)
    payload = {
        "title_en": "Research cooperation",
        "kind": "research",
        "partners": [partner.pk],
        "channels": ["research"],
        "responsible_unit": org.computing.pk,
        "start_date": "2026-01-01",
        "end_date": "2029-12-31",
        "signatories": [{"side": "partner", "partner": partner.pk, "name": "Dr. Weber", "title": "Rector"}],
    }
    created = api.post(LIST, payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["number"] == "2026-RC-0001" and body["version"] == 1
    assert body["signatories"][0]["name"] == "Dr. Weber"
    url = f"{LIST}{body['id']}/"
    ok = api.patch(url, {"title_en": "Renamed", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.patch(url, {"title_en": "Lost update", "version": 1}, format="json")
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "stale_edit"
    assert error["details"]["current_version"] == 2
    assert [c["field"] for c in error["details"]["changes"]] == ["title_en"]
    assert Agreement.objects.get().title_en == "Renamed"


def test_create_validation_error_shape(api, people, org, partner):
    api.force_authenticate(people.officer)
    response = api.post(
        LIST,
        {
            "title_en": "X",
            "kind": "mou",
            "partners": [partner.pk],
            "responsible_unit": org.computing.pk,
            "start_date": "2026-01-01",
            "end_date": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "end_date" in response.json()["error"]["details"]


def test_transition_endpoint(api, people, make_agreement):
    agreement = make_agreement()
    api.force_authenticate(people.coordinator)
    response = api.post(
        f"{LIST}{agreement.pk}/transition/", {"action": "submit", "comment": "Go"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "under_review"
    assert response.json()["transitions"][0]["comment"] == "Go"
    forbidden = api.post(f"{LIST}{agreement.pk}/transition/", {"action": "approve"}, format="json")
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "permission_denied"
    api.force_authenticate(people.officer)
    illegal = api.post(f"{LIST}{agreement.pk}/transition/", {"action": "activate"}, format="json")
    assert illegal.status_code == 400
    assert illegal.json()["error"] == {
        "code": "illegal_transition",
        "message": f"Cannot activate: agreement {agreement.number} is “Under review”, and this is "
        "possible only when it is “Approved”.",
        "details": {},
    }


def test_renew_endpoint(api, people, make_agreement):
    agreement = make_agreement(
        state="active", start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2026, 12, 31)
    )
    api.force_authenticate(people.officer)
    response = api.post(f"{LIST}{agreement.pk}/renew/", {"comment": "Continue"}, format="json")
    assert response.status_code == 201
    assert response.json()["renews"] == agreement.pk
    assert response.json()["start_date"] == "2027-01-01"
    again = api.post(f"{LIST}{agreement.pk}/renew/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "illegal_transition"


def test_openapi_document_includes_agreement_actions(api, people):
    api.force_authenticate(people.officer)
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/agreements/{id}/transition/" in text
    assert "/api/v1/agreements/{id}/renew/" in text


def test_representations_carry_state_and_the_page_url(api, people, make_agreement):
    agreement = make_agreement(state="approved")
    api.force_authenticate(people.officer)
    row = api.get(LIST).json()["results"][0]
    assert (row["state"], row["state_label"], row["case_type"]) == ("approved", "Approved", "agreement")
    assert row["url"] == f"http://testserver/agreements/{agreement.pk}/"
    # A tool can follow the url to the page the people use.
    api.force_login(people.officer)
    assert api.get(row["url"]).status_code == 200


def test_moves_list_explains_unavailable_moves(api, people, make_agreement):
    agreement = make_agreement(state="approved", start_date=None, number="2026-SE-0300")
    api.force_authenticate(people.officer)
    moves = {m["name"]: m for m in api.get(f"{LIST}{agreement.pk}/moves/").json()}
    assert set(moves) == {"activate", "terminate"}
    assert moves["activate"]["available"] is False
    assert moves["activate"]["reasons"] == [
        "Agreement 2026-SE-0300 needs a start date before it can be activated."
    ]
    assert moves["activate"]["inputs"] == ["start_date"]
    api.force_authenticate(people.staff)
    assert api.get(f"{LIST}{agreement.pk}/moves/").json() == []


def test_moves_endpoint_takes_a_move_with_its_data(api, people, make_agreement):
    agreement = make_agreement(state="approved", start_date=None)
    api.force_authenticate(people.officer)
    blocked = api.post(f"{LIST}{agreement.pk}/moves/activate/", {}, format="json")
    assert blocked.status_code == 400
    assert "needs a start date" in blocked.json()["error"]["message"]
    response = api.post(
        f"{LIST}{agreement.pk}/moves/activate/",
        {"comment": "Signed", "data": {"start_date": "2026-09-01"}},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["start_date"]) == ("active", "2026-09-01")
    renewed = api.post(
        f"{LIST}{agreement.pk}/moves/renew/", {"data": {"start_date": "2031-01-01"}}, format="json"
    )
    assert renewed.status_code == 201
    assert (renewed.json()["state"], renewed.json()["start_date"]) == ("draft", "2031-01-01")
    history = api.get(f"{LIST}{agreement.pk}/history/").json()
    assert [e["action"] for e in history] == ["renew", "activate"]
    assert history[1]["comment"] == "Signed"


def test_documents_endpoint_lists_uploaded_versions(api, people, make_agreement):
    agreement = make_agreement()
    services.document_upload(
        agreement=agreement, actor=None, uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()), kind="draft"
    )
    api.force_authenticate(people.staff)
    documents = api.get(f"{LIST}{agreement.pk}/documents/").json()
    assert [(d["kind"], d["version"]) for d in documents] == [("draft", 1)]
    api.force_authenticate(people.other_coordinator)
    assert api.get(f"{LIST}{agreement.pk}/documents/").status_code == 404


def test_a_partner_contact_reads_the_agreement_but_not_the_internal_review(
    api, people, org, make_agreement, partner
):
    from meridian.partners.models import PartnerContact
    from meridian.workflow.testing import partner_contact_user

    agreement = make_agreement()
    services.agreement_submit(
        agreement=agreement, actor=people.coordinator, comment="Dean please check clause 4"
    )
    contact = partner_contact_user(org)
    PartnerContact.objects.create(partner=partner, name="Anna Becker", user=contact)
    api.force_authenticate(contact)
    detail = api.get(f"{LIST}{agreement.pk}/")
    assert detail.status_code == 200
    assert "transitions" not in detail.json()
    assert "clause 4" not in detail.content.decode()
    assert api.get(f"{LIST}{agreement.pk}/history/").status_code == 404
    api.force_authenticate(people.officer)
    assert "transitions" in api.get(f"{LIST}{agreement.pk}/").json()
    assert "clause 4" in api.get(f"{LIST}{agreement.pk}/history/").content.decode()
