"""Optimistic locking through the API, for every versioned resource: an ETag on reads, 428 for an update that
names no version, 409 with what changed for a stale one, 200 with If-Match or a body version (and the new
ETag); the OpenAPI document says so."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.api_versioning import record_etag
from meridian.mobility.tests.factories import (
    exchange_world,
    make_call,
    make_learning_agreement,
    make_mobility,
)
from meridian.partners.tests.factories import PartnerFactory
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.travel.choices import PlanState
from meridian.travel.models import TripPlan, TripPlanLine
from meridian.travel.tests.factories import make_trip
from meridian.visitors.tests.factories import make_hiring, make_lecture, make_visit

FUTURE_YEAR = datetime.date.today().year + 1


@dataclass
class Resource:
    """One versioned record, who may change it, and a field to change (with two different values)."""

    url: str
    kind: str
    user: Any
    record: Any
    field: str
    first: Any
    second: Any
    history: bool  # the model keeps history, so a stale edit lists the changes


def _partner(org, people) -> Resource:
    partner = PartnerFactory(city="Heidelberg")
    return Resource(
        f"/api/v1/partners/{partner.pk}/",
        "partner",
        people.officer,
        partner,
        "city",
        "Mannheim",
        "Bonn",
        True,
    )


def _agreement(org, people) -> Resource:
    agreement = AgreementFactory(responsible_unit=org.computing, partners=[PartnerFactory()])
    return Resource(
        f"/api/v1/agreements/{agreement.pk}/",
        "agreement",
        people.officer,
        agreement,
        "title_en",
        "Renamed",
        "Lost update",
        True,
    )


def _condition(org, people) -> Resource:
    condition = exchange_world(org, people).incoming
    return Resource(
        f"/api/v1/mobility/conditions/{condition.pk}/",
        "cooperationcondition",
        people.officer,
        condition,
        "places",
        4,
        7,
        False,
    )


def _trip(org, people) -> Resource:
    trip = make_trip(unit=org.computing, applicant=people.staff, title="Grid conference")
    return Resource(
        f"/api/v1/travel/trips/{trip.pk}/",
        "trip",
        people.coordinator,
        trip,
        "title",
        "Renamed",
        "Lost update",
        True,
    )


def _plan(org, people) -> Resource:
    plan = TripPlan.objects.create(unit=org.engineering, year=FUTURE_YEAR, state=PlanState.DRAFT)
    return Resource(
        f"/api/v1/travel/plans/{plan.pk}/",
        "tripplan",
        people.coordinator,
        plan,
        "note",
        "Four conferences",
        "Lost update",
        True,
    )


def _visit(org, people) -> Resource:
    visit = make_visit(host_unit=org.computing, host=people.staff, title="Grid lectures")
    return Resource(
        f"/api/v1/visitors/visits/{visit.pk}/",
        "visit",
        people.coordinator,
        visit,
        "title",
        "Renamed",
        "Lost update",
        True,
    )


UPDATABLE: dict[str, Callable[..., Resource]] = {
    "partner": _partner,
    "agreement": _agreement,
    "condition": _condition,
    "trip": _trip,
    "plan": _plan,
    "visit": _visit,
}


@pytest.fixture(params=list(UPDATABLE))
def resource(request, org, people) -> Resource:
    return UPDATABLE[request.param](org, people)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _stored(resource: Resource) -> Any:
    resource.record.refresh_from_db()
    return getattr(resource.record, resource.field)


def _stored_version(resource: Resource) -> int:
    resource.record.refresh_from_db()
    return resource.record.version


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


def test_a_read_carries_the_etag_and_the_version(resource):
    response = _client(resource.user).get(resource.url)
    assert response.status_code == 200
    version = resource.record.version
    assert response.json()["version"] == version
    assert response["ETag"] == f'W/"{resource.kind}-{resource.record.pk}-v{version}"'


def test_an_update_without_a_version_is_428_and_changes_nothing(resource):
    before = _stored(resource)
    client = _client(resource.user)
    missing = client.patch(resource.url, {resource.field: resource.first}, format="json")
    assert missing.status_code == 428
    error = _error(missing)
    assert error["code"] == "version_required"
    assert "If-Match" in error["message"] and "version" in error["message"]
    anything = client.patch(resource.url, {resource.field: resource.first}, format="json", HTTP_IF_MATCH="*")
    assert anything.status_code == 428 and _error(anything)["code"] == "version_required"
    assert _stored(resource) == before
    assert _stored_version(resource) == 1


def test_an_update_with_if_match_succeeds_and_answers_the_new_etag(resource):
    client = _client(resource.user)
    etag = client.get(resource.url)["ETag"]
    response = client.patch(resource.url, {resource.field: resource.first}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()[resource.field] == resource.first
    new_version = response.json()["version"]
    assert new_version == 2 == _stored_version(resource)
    assert response["ETag"] == record_etag(resource.kind, resource.record.pk, new_version)
    # The strong form of the same tag names the same version.
    strong = response["ETag"].removeprefix("W/")
    again = client.patch(resource.url, {resource.field: resource.second}, format="json", HTTP_IF_MATCH=strong)
    assert again.status_code == 200 and again.json()["version"] == 3


def test_an_update_with_the_version_in_the_body_succeeds(resource):
    response = _client(resource.user).patch(
        resource.url, {resource.field: resource.first, "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert _stored(resource) == resource.first
    assert response["ETag"] == record_etag(resource.kind, resource.record.pk, 2)


def test_a_stale_update_is_409_with_what_changed_and_overwrites_nothing(resource):
    client = _client(resource.user)
    etag = client.get(resource.url)["ETag"]
    first = client.patch(resource.url, {resource.field: resource.first}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.json()
    stale = client.patch(resource.url, {resource.field: resource.second}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    error = _error(stale)
    assert error["code"] == "stale_edit" and "Nothing was overwritten" in error["message"]
    details = error["details"]
    assert details["current_version"] == 2
    assert set(details) == {"current_version", "changed_by", "changes"}
    if resource.history:
        change = next(c for c in details["changes"] if c["field"] == resource.field)
        assert set(change) == {"field", "label", "before", "after"}
        assert change["after"] == str(resource.first) and change["label"]
    assert _stored(resource) == resource.first


def test_a_put_needs_the_version_too(people):
    partner = PartnerFactory(name="Universität Heidelberg", city="Heidelberg")
    url = f"/api/v1/partners/{partner.pk}/"
    body = {"name": "Universität Heidelberg", "country": partner.country_id, "status": "dormant"}
    client = _client(people.officer)
    assert client.put(url, body, format="json").status_code == 428
    response = client.put(url, body, format="json", HTTP_IF_MATCH=record_etag("partner", partner.pk, 1))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "dormant" and response["ETag"] == record_etag(
        "partner", partner.pk, 2
    )


@pytest.mark.parametrize(
    ("if_match", "body_version", "field"),
    [
        ('W/"agreement-{pk}-v1"', None, "If-Match"),  # another kind of record
        ('W/"partner-999999-v1"', None, "If-Match"),  # another record
        ("v1", None, "If-Match"),  # not an ETag
        ('W/"partner-{pk}-v1", W/"partner-{pk}-v2"', None, "If-Match"),  # two versions
        ('W/"partner-{pk}-v1"', 2, "version"),  # header and body disagree
    ],
)
def test_an_if_match_that_is_not_this_records_version_is_400(people, if_match, body_version, field):
    partner = PartnerFactory(city="Heidelberg")
    body: dict[str, Any] = {"city": "Bonn"}
    if body_version is not None:
        body["version"] = body_version
    response = _client(people.officer).patch(
        f"/api/v1/partners/{partner.pk}/", body, format="json", HTTP_IF_MATCH=if_match.format(pk=partner.pk)
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid" and field in error["details"]
    partner.refresh_from_db()
    assert partner.city == "Heidelberg" and partner.version == 1


def test_a_version_that_is_not_a_number_is_400(org, people):
    condition = exchange_world(org, people).incoming
    response = _client(people.officer).patch(
        f"/api/v1/mobility/conditions/{condition.pk}/", {"places": 5, "version": "one"}, format="json"
    )
    assert response.status_code == 400 and "version" in _error(response)["details"]


def test_plan_lines_take_if_match_and_answer_the_plans_new_etag(org, people):
    plan = TripPlan.objects.create(unit=org.engineering, year=FUTURE_YEAR, state=PlanState.DRAFT)
    client = _client(people.coordinator)
    url = f"/api/v1/travel/plans/{plan.pk}/lines/"
    line = {"category": "academic", "purpose": "research", "description": "Research stays"}
    assert client.post(url, line, format="json").status_code == 428
    added = client.post(url, line, format="json", HTTP_IF_MATCH=record_etag("tripplan", plan.pk, 1))
    assert added.status_code == 201, added.json()
    assert added["ETag"] == record_etag("tripplan", plan.pk, 2)
    line_url = f"{url}{added.json()['id']}/"
    stale = client.patch(
        line_url, {"description": "Lost"}, format="json", HTTP_IF_MATCH=record_etag("tripplan", plan.pk, 1)
    )
    assert stale.status_code == 409 and _error(stale)["code"] == "stale_edit"
    changed = client.patch(
        line_url, {"description": "Research stays in Europe"}, format="json", HTTP_IF_MATCH=added["ETag"]
    )
    assert changed.status_code == 200 and changed["ETag"] == record_etag("tripplan", plan.pk, 3)
    assert TripPlanLine.objects.get(pk=added.json()["id"]).description == "Research stays in Europe"


# --- read-only versioned records: the ETag on reads --------------------------------------------------------


def _call(org, people, world) -> tuple[str, str, Any]:
    call = make_call(unit=org.engineering)
    return f"/api/v1/mobility/calls/{call.pk}/", "call", call


def _mobility(org, people, world) -> tuple[str, str, Any]:
    person = make_person(kind=PersonKind.STUDENT, unit=org.computing, family_name="Li")
    mobility = make_mobility(partner=world.partner, home_unit=org.computing, person=person)
    return f"/api/v1/mobility/mobilities/{mobility.pk}/", "mobility", mobility


def _learning_agreement(org, people, world) -> tuple[str, str, Any]:
    person = make_person(kind=PersonKind.STUDENT, unit=org.computing, family_name="Wang")
    mobility = make_mobility(partner=world.partner, home_unit=org.computing, person=person)
    la = make_learning_agreement(mobility)
    return f"/api/v1/mobility/learning-agreements/{la.pk}/", "learningagreement", la


def _hiring(org, people, world) -> tuple[str, str, Any]:
    hiring = make_hiring(host_unit=org.computing)
    return f"/api/v1/visitors/experts/{hiring.pk}/", "experthiring", hiring


def _lecture(org, people, world) -> tuple[str, str, Any]:
    lecture = make_lecture(unit=org.computing)
    return f"/api/v1/visitors/lectures/{lecture.pk}/", "lecture", lecture


@pytest.mark.parametrize("make", [_call, _mobility, _learning_agreement, _hiring, _lecture])
def test_read_only_versioned_records_carry_their_etag(org, people, make):
    url, kind, record = make(org, people, exchange_world(org, people))
    response = _client(people.officer).get(url)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == record.version
    assert response["ETag"] == record_etag(kind, record.pk, record.version)


def test_lists_carry_no_etag(people):
    PartnerFactory()
    response = _client(people.officer).get("/api/v1/partners/")
    assert response.status_code == 200 and not response.has_header("ETag")


# --- the OpenAPI document ----------------------------------------------------------------------------------


def test_the_openapi_document_describes_if_match_etag_409_and_428(tmp_path):
    target = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(target),
        "--format",
        "openapi-json",
        stdout=io.StringIO(),
    )
    paths = json.loads(target.read_text())["paths"]
    updates = [
        ("/api/v1/partners/{id}/", ("put", "patch")),
        ("/api/v1/agreements/{id}/", ("put", "patch")),
        ("/api/v1/mobility/conditions/{id}/", ("put", "patch")),
        ("/api/v1/travel/trips/{id}/", ("put", "patch")),
        ("/api/v1/travel/plans/{id}/", ("patch",)),
        ("/api/v1/travel/plans/{id}/lines/{line_id}/", ("patch",)),
        ("/api/v1/visitors/visits/{id}/", ("put", "patch")),
    ]
    for path, methods in updates:
        for method in methods:
            operation = paths[path][method]
            headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert "If-Match" in headers, (path, method)
            assert {"409", "428"} <= set(operation["responses"]), (path, method)
    for path in [p for p, _methods in updates if "lines" not in p] + [
        "/api/v1/mobility/calls/{id}/",
        "/api/v1/mobility/mobilities/{id}/",
        "/api/v1/visitors/lectures/{id}/",
        "/api/v1/travel/passports/{id}/",
    ]:
        assert "ETag" in paths[path]["get"]["responses"]["200"].get("headers", {}), path
