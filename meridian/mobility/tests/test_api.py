"""The student-exchange API: every role × endpoint (what each lists, opens and may change), conditions
written through the services with their messages (nothing stored on a refusal), versions on updates, moves,
what is hidden from students and partner contacts, the balance, both languages and the OpenAPI document."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import cast

import pytest
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from meridian.mobility.choices import ApplicationState, CallState, Direction, MobilityState, MobilityType
from meridian.mobility.models import CooperationCondition, Mobility
from meridian.mobility.tests.factories import (
    YEAR,
    make_application,
    make_call,
    make_learning_agreement,
    make_mobility,
    student_user,
)

BASE = "/api/v1/mobility"
ROLES = (
    "admin",
    "officer",
    "leadership",
    "coordinator",
    "other_coordinator",
    "staff",
    "student",
    "contact",
    "viewer",
    "other_contact",
    "outsider",
)


@pytest.fixture
def data(world, org, people):
    """Two calls (one open, one engineering draft), a computing student's application and outgoing
    mobility to the world's partner with a learning agreement, and a humanities mobility with the other
    partner."""
    student = student_user(org.computing, "api-student")
    call = make_call(unit=org.intl_office, destinations=[(world.partner, 2, world.outgoing)])
    draft = make_call(unit=org.engineering, state=CallState.DRAFT)
    application = make_application(
        call, student, state=ApplicationState.SUBMITTED, score=Decimal("81.5"), rank=3
    )
    mine = make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=student.person,
        student=student,
        agreement=world.agreement,
        condition=world.outgoing,
        student_email="student@stu.example",
    )
    other = make_mobility(
        partner=world.other_partner,
        home_unit=org.humanities,
        person=student_user(org.humanities, "api-other").person,
        direction=Direction.INCOMING,
        agreement=world.other_agreement,
    )
    la = make_learning_agreement(mine)
    return {
        "student": student,
        "call": call,
        "draft": draft,
        "application": application,
        "mine": mine,
        "other": other,
        "la": la,
    }


@pytest.fixture
def users(world, people, data):
    found = {name: getattr(people, name) for name in ROLES if hasattr(people, name)}
    found["student"] = data["student"]
    found.update(contact=world.contact, viewer=world.viewer, other_contact=world.other_contact)
    return found


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- what each role lists -----------------------------------------------------------------------------------


def expected_lists(world, data) -> dict[str, dict[str, set[int]]]:
    conditions_all = {world.outgoing.pk, world.incoming.pk, world.other_outgoing.pk}
    own_conditions = {world.outgoing.pk, world.incoming.pk}
    calls_all = {data["call"].pk, data["draft"].pk}
    opened = {data["call"].pk}
    app = {data["application"].pk}
    mine, other = data["mine"].pk, data["other"].pk
    la = {data["la"].pk}
    everything = {
        "conditions": conditions_all,
        "calls": calls_all,
        "applications": app,
        "mobilities": {mine, other},
        "learning-agreements": la,
    }
    nothing = {"conditions": set(), "calls": opened, "applications": set(), "mobilities": set(),
               "learning-agreements": set()}  # fmt: skip
    return {
        "admin": everything,
        "officer": everything,
        "leadership": everything,
        # Engineering: its agreements (both partners'), its draft call, computing's students.
        "coordinator": {**everything, "mobilities": {mine}},
        "other_coordinator": {**nothing, "mobilities": {other}},
        "staff": nothing,
        "student": {**nothing, "applications": app, "mobilities": {mine}, "learning-agreements": la},
        "contact": {**nothing, "conditions": own_conditions, "mobilities": {mine}, "learning-agreements": la},
        "viewer": {**nothing, "conditions": own_conditions, "mobilities": {mine}, "learning-agreements": la},
        "other_contact": {**nothing, "conditions": {world.other_outgoing.pk}, "mobilities": {other}},
        "outsider": nothing,
    }


ENDPOINTS = ("conditions", "calls", "applications", "mobilities", "learning-agreements")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_and_opens_only_what_it_may_see(world, data, users, role, endpoint):
    client = client_for(users[role])
    expected = expected_lists(world, data)[role][endpoint]
    assert ids(client.get(f"{BASE}/{endpoint}/")) == expected
    every = expected_lists(world, data)["admin"][endpoint]
    for pk in every:
        status = client.get(f"{BASE}/{endpoint}/{pk}/").status_code
        assert status == (200 if pk in expected else 404), (pk, status)


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "balance"])
def test_anonymous_gets_nothing(db, endpoint):
    assert APIClient().get(f"{BASE}/{endpoint}/").status_code in (401, 403)


BALANCE_READERS = {"admin", "officer", "leadership", "coordinator", "other_coordinator"}


@pytest.mark.parametrize("role", ROLES)
def test_balance_for_the_office_leadership_and_schools(world, data, users, role):
    response = client_for(users[role]).get(f"{BASE}/balance/", {"year": YEAR})
    if role not in BALANCE_READERS:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        return
    assert response.status_code == 200
    partners = {g["partner"] for g in response.json()["groups"]}
    if role in {"admin", "officer", "leadership"}:
        assert partners == {world.partner.pk, world.other_partner.pk}


# --- conditions: writes through the services ----------------------------------------------------------------

WRITERS = {"admin", "officer", "coordinator"}  # the office, and the agreement's responsible unit


def new_condition(world) -> dict:
    return {
        "agreement": world.agreement.pk,
        "direction": "incoming",
        "mobility_type": "full_year",
        "places": 3,
        "total_months": "30",
        "academic_year": 2027,  # within the agreement's period (2025–2030)
        "languages": [{"language": "de", "cefr_level": "B1"}],
        "subject_areas": [],
    }


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_update_and_delete_conditions(world, data, users, role):
    client = client_for(users[role])
    before = CooperationCondition.objects.count()
    created = client.post(f"{BASE}/conditions/", new_condition(world), format="json")
    allowed = role in WRITERS
    if not allowed:
        assert created.status_code in (400, 403), created.content
        assert CooperationCondition.objects.count() == before
    else:
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["direction"], body["places"], body["academic_year"]) == ("incoming", 3, 2027)
        assert body["languages"] == [{"language": "de", "cefr_level": "B1"}]

    condition = world.incoming
    patched = client.patch(
        f"{BASE}/conditions/{condition.pk}/", {"version": condition.version, "places": 4}, format="json"
    )
    condition.refresh_from_db()
    if allowed:
        assert patched.status_code == 200 and patched.json()["places"] == 4 and condition.places == 4
    else:
        assert patched.status_code in (403, 404) and condition.places == 2

    deleted = client.delete(f"{BASE}/conditions/{world.other_outgoing.pk}/")
    exists = CooperationCondition.objects.filter(pk=world.other_outgoing.pk).exists()
    assert deleted.status_code == (204 if allowed else deleted.status_code)
    assert exists is not allowed
    if not allowed:
        assert deleted.status_code in (403, 404)


class TestConditionWrites:
    def test_invalid_values_answer_the_services_messages_and_store_nothing(self, world, people):
        from meridian.mobility.services.conditions import MAX_PLACES, MIN_PLACES

        before = CooperationCondition.objects.count()
        body = {
            **new_condition(world),
            "places": 0,
            "direction": "sideways",
            "eqf_levels": [4],
            "colour": "red",
        }
        response = client_for(people.officer).post(f"{BASE}/conditions/", body, format="json")
        assert response.status_code == 400
        details = response.json()["error"]["details"]
        assert details["places"] == [
            f"Places are persons per year: a whole number from {MIN_PLACES} to {MAX_PLACES}."
        ]
        assert details["direction"] == ["Choose the direction."]
        assert "eqf_levels" in details and CooperationCondition.objects.count() == before

    def test_an_agreement_the_writer_may_not_see_is_refused(self, world, org, people):
        from meridian.agreements.models import Agreement
        from meridian.agreements.tests.factories import AgreementFactory

        hidden = cast(
            Agreement,
            AgreementFactory(responsible_unit=org.humanities, partners=[world.partner], state="active"),
        )
        body = {**new_condition(world), "agreement": hidden.pk}
        response = client_for(people.coordinator).post(f"{BASE}/conditions/", body, format="json")
        assert response.status_code == 400 and "agreement" in response.json()["error"]["details"]
        response = client_for(people.coordinator).post(
            f"{BASE}/conditions/", {**body, "agreement": "x"}, format="json"
        )
        assert response.status_code == 400

    def test_updates_need_the_version_read(self, world, people):
        client = client_for(people.officer)
        url = f"{BASE}/conditions/{world.incoming.pk}/"
        assert client.patch(url, {"places": 5}, format="json").status_code == 428
        stale = client.patch(url, {"places": 5, "version": world.incoming.version - 1}, format="json")
        assert stale.status_code == 409
        world.incoming.refresh_from_db()
        assert world.incoming.places == 2
        moved = client.patch(
            url, {"places": 5, "version": world.incoming.version, "agreement": 0}, format="json"
        )
        assert moved.status_code == 400

    def test_a_condition_in_use_is_not_deleted(self, world, data, people):
        response = client_for(people.officer).delete(f"{BASE}/conditions/{world.outgoing.pk}/")
        assert response.status_code == 400 and "cannot be deleted" in response.json()["error"]["message"]
        assert CooperationCondition.objects.filter(pk=world.outgoing.pk).exists()

    def test_internal_notes_stay_inside(self, world, people):
        world.outgoing.internal_note = "Negotiating two more places"
        world.outgoing.save()
        url = f"{BASE}/conditions/{world.outgoing.pk}/"
        assert client_for(people.officer).get(url).json()["internal_note"] == "Negotiating two more places"
        assert client_for(world.contact).get(url).json()["internal_note"] is None


# --- what is hidden from whom -------------------------------------------------------------------------------


class TestHidden:
    def test_students_never_read_scores_or_the_internal_history(self, data, people):
        url = f"{BASE}/applications/{data['application'].pk}/"
        mine = client_for(data["student"]).get(url).json()
        assert (mine["score"], mine["rank"], mine["eligibility"], mine["school_note"]) == (
            None,
            None,
            None,
            None,
        )
        staff = client_for(people.officer).get(url).json()
        assert (staff["score"], staff["rank"]) == ("81.50", 3)
        assert client_for(data["student"]).get(f"{url}history/").status_code == 404
        assert client_for(people.officer).get(f"{url}history/").status_code == 200

    def test_personal_data_only_for_those_who_may_see_it(self, world, data, people):
        url = f"{BASE}/mobilities/{data['mine'].pk}/"
        for user, email in (
            (people.officer, "student@stu.example"),
            (data["student"], "student@stu.example"),
            (world.contact, "student@stu.example"),  # the partner's coordinator admits the student
            (world.viewer, None),
            (people.leadership, None),
        ):
            assert client_for(user).get(url).json()["student_email"] == email
        assert client_for(world.contact).get(f"{url}history/").status_code == 404


# --- moves --------------------------------------------------------------------------------------------------


class TestMoves:
    def test_the_partner_coordinator_accepts_our_nomination(self, world, data):
        url = f"{BASE}/mobilities/{data['mine'].pk}/moves/"
        options = {m["name"]: m for m in client_for(world.contact).get(url).json()}
        assert options["accept"]["available"]
        response = client_for(world.contact).post(f"{url}accept/", {"comment": ""}, format="json")
        assert response.status_code == 200 and response.json()["state"] == MobilityState.ACCEPTED
        assert Mobility.objects.get(pk=data["mine"].pk).state == MobilityState.ACCEPTED

    def test_a_viewer_contact_may_not(self, world, data):
        url = f"{BASE}/mobilities/{data['mine'].pk}/moves/accept/"
        assert client_for(world.viewer).post(url, {}, format="json").status_code == 403
        assert client_for(world.other_contact).post(url, {}, format="json").status_code == 404
        assert Mobility.objects.get(pk=data["mine"].pk).state == MobilityState.NOMINATED

    def test_the_student_withdraws_their_application(self, data, people):
        url = f"{BASE}/applications/{data['application'].pk}/moves/withdraw/"
        assert client_for(people.coordinator).post(url, {}, format="json").status_code == 403
        response = client_for(data["student"]).post(url, {}, format="json")
        assert response.status_code == 200 and response.json()["state"] == ApplicationState.WITHDRAWN


# --- the balance --------------------------------------------------------------------------------------------


class TestBalance:
    def test_figures_and_filters(self, settings, world, data, org, people):
        settings.MOBILITY_BALANCE_GAP = 1
        settings.MOBILITY_BALANCE_RATIO = 2.0
        client = client_for(people.officer)
        body = client.get(f"{BASE}/balance/", {"year": YEAR, "partner": world.partner.pk}).json()
        assert body["gap"] == 1 and body["alert_count"] == 1
        (group,) = body["groups"]
        assert group["outgoing"]["planned"] == 1 and group["outgoing"]["places"] == 2
        assert group["outgoing"]["months"] == "5.0" and group["incoming"]["persons"] == 0
        assert group["ratio"] is None and group["ratio_infinite"] and group["alerts"] == ["imbalance"]
        assert group["agreements"][0]["agreement_number"] == world.agreement.number
        alerts = client.get(f"{BASE}/balance/", {"year": str(YEAR), "alerts": "true"}).json()
        assert {g["partner"] for g in alerts["groups"]} == {world.partner.pk, world.other_partner.pk}

    @pytest.mark.parametrize("params", [{"year": "soon"}, {"partner": "0"}, {"direction": "up"}])
    def test_invalid_filters_answer_400(self, data, people, params: dict[str, str]):
        response = client_for(people.officer).get(f"{BASE}/balance/", params)
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


# --- languages and the schema -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_labels_in_the_readers_language(world, data, people, language):
    client = client_for(people.officer)
    row = client.get(f"{BASE}/mobilities/{data['mine'].pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
    with translation.override(language):
        assert row["direction_label"] == str(Direction.OUTGOING.label)
        assert row["mobility_type_label"] == str(MobilityType.SEMESTER.label)
    error = client_for(people.staff).get(f"{BASE}/balance/", HTTP_ACCEPT_LANGUAGE=language).json()
    with translation.override(language):
        expected = translation.gettext(
            "The exchange balance is for the office, leadership and schools' coordinators."
        )
    assert error["error"]["message"] == expected


class TestSchema:
    def test_openapi_document_lists_the_mobility_endpoints(self, people):
        response = client_for(people.officer).get("/api/v1/openapi.json")
        assert response.status_code == 200
        paths = response.json()["paths"]
        assert {"get", "post"} <= set(paths[f"{BASE}/conditions/"])
        assert {"get", "put", "patch", "delete"} <= set(paths[f"{BASE}/conditions/{{id}}/"])
        for endpoint in ("calls", "applications", "mobilities", "learning-agreements"):
            assert "get" in paths[f"{BASE}/{endpoint}/"]
            for tail in ("moves/", "moves/{move}/", "history/", "documents/"):
                assert f"{BASE}/{endpoint}/{{id}}/{tail}" in paths
        params = {p["name"] for p in paths[f"{BASE}/balance/"]["get"]["parameters"]}
        assert {"year", "partner", "direction", "alerts"} <= params
        params = {p["name"] for p in paths[f"{BASE}/mobilities/"]["get"]["parameters"]}
        assert {"direction", "state", "partner", "academic_year"} <= params

    def test_schema_generates_without_warnings(self, tmp_path):
        target = tmp_path / "schema.json"
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=io.StringIO()
        )
        assert f"{BASE}/balance/".encode() in target.read_bytes()


# --- no duplicate rows ------------------------------------------------------------------------------------


def test_a_reviewer_sees_each_call_once(world, data, org, people):
    """Visibility through the committee must not repeat a call once per committee member (list and count)."""
    from meridian.mobility.models import Call
    from meridian.mobility.tests.factories_selection import committee_member

    reviewer = committee_member(org.engineering, "api-reviewer", call=data["call"])
    committee_member(org.engineering, "api-reviewer-2", call=data["call"])
    committee_member(org.engineering, "api-reviewer-3", call=data["draft"])
    second = make_call(unit=org.intl_office, state=CallState.CLOSED)
    for call in (data["draft"], second):
        call.reviewers.create(user=reviewer)
    expected = {data["call"].pk, data["draft"].pk, second.pk}
    body = client_for(reviewer).get(f"{BASE}/calls/").json()
    listed = [row["id"] for row in body["results"]]
    assert sorted(listed) == sorted(expected) and body["count"] == len(expected)
    assert Call.objects.visible_to(reviewer).count() == len(expected)
