"""The travel API: trips (list, retrieve, create, update with versions, moves, rules), plans and the passport
register, each as the roles see them; and the OpenAPI document generating without warnings."""

import datetime
import io
from decimal import Decimal
from typing import cast

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from meridian.people.choices import AccessAction, DocumentType, PersonKind
from meridian.people.models import AccessLog, IdentityDocument
from meridian.people.tests.factories import IdentityDocumentFactory, make_person
from meridian.travel.choices import CustodyState, MemberRole, PlanState
from meridian.travel.models import CustodyItem, Trip, TripPlan, TripPlanLine
from meridian.travel.tests.factories import germany, make_trip

TRIPS = "/api/v1/travel/trips/"
PLANS = "/api/v1/travel/plans/"
PASSPORTS = "/api/v1/travel/passports/"
FUTURE = datetime.date.today() + datetime.timedelta(days=150)


@pytest.fixture
def api():
    return APIClient()


def _as(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def trips(org, people):
    """An engineering trip filed by the staff member (computing) and a humanities trip."""
    return {
        "computing": make_trip(unit=org.computing, applicant=people.staff, title="Grid conference"),
        "humanities": make_trip(
            unit=org.humanities, applicant=people.other_coordinator, title="Archive visit"
        ),
    }


def _payload(unit, leader, **extra):
    de = germany()
    return {
        "title": "Conference in Heidelberg",
        "unit": unit.pk,
        "purpose": "conference",
        "task": "Present a paper.",
        "paper_title": "Power grids",
        "depart_on": FUTURE.isoformat(),
        "return_on": (FUTURE + datetime.timedelta(days=2)).isoformat(),
        "inviter_name": "Heidelberg University",
        "funding_source": "unit_budget",
        "members": [{"person": leader.pk, "role": MemberRole.LEADER, "post": "Professor"}],
        "itinerary": [
            {"day": (FUTURE + datetime.timedelta(days=i)).isoformat(), "country": de.pk, "city": "Heidelberg"}
            for i in range(3)
        ],
        "budget": [
            {"kind": "travel", "amount": "8000.00"},
            {"kind": "meals", "amount": "120", "currency": "eur"},
        ],
        **extra,
    }


class TestTripList:
    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("admin", {"Grid conference", "Archive visit"}),
            ("officer", {"Grid conference", "Archive visit"}),
            ("leadership", {"Grid conference", "Archive visit"}),
            ("coordinator", {"Grid conference"}),
            ("other_coordinator", {"Archive visit"}),
            ("staff", {"Grid conference"}),
            ("student", set()),
            ("outsider", set()),
        ],
    )
    def test_each_role_sees_only_its_trips(self, api, people, trips, role, expected):
        response = _as(api, getattr(people, role)).get(TRIPS)
        assert response.status_code == 200
        assert {row["title"] for row in response.json()["results"]} == expected

    def test_uses_the_trip_filter(self, api, people, trips, org):
        _as(api, people.officer)
        rows = api.get(TRIPS, {"q": "archive"}).json()["results"]
        assert [r["number"] for r in rows] == [trips["humanities"].number]
        rows = api.get(TRIPS, {"unit": org.engineering.pk}).json()["results"]
        assert [r["number"] for r in rows] == [trips["computing"].number]
        assert api.get(TRIPS, {"state": "abroad"}).json()["count"] == 0

    def test_anonymous_is_refused(self, api, trips):
        assert api.get(TRIPS).status_code in (401, 403)


class TestTripDetail:
    def test_nested_members_itinerary_and_budget(self, api, people, trips):
        trip = trips["computing"]
        data = _as(api, people.coordinator).get(f"{TRIPS}{trip.pk}/").json()
        assert data["number"] == trip.number
        assert data["state"] == "draft" and data["case_type"] == "trip"
        assert data["members"][0]["role"] == "leader"
        assert data["members"][0]["name"]
        assert len(data["itinerary"]) == trip.days
        assert data["itinerary"][0]["country"] == "DE"
        assert data["budget"][0]["amount"] == "9000.00"
        assert data["days"] == 5

    def test_invisible_trip_is_404(self, api, people, trips):
        for user in (people.other_coordinator, people.student, people.outsider):
            response = _as(api, user).get(f"{TRIPS}{trips['computing'].pk}/")
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"
            assert _as(api, user).get(f"{TRIPS}{trips['computing'].pk}/moves/").status_code == 404

    def test_rules_endpoint_lists_rule_results(self, api, people, trips):
        response = _as(api, people.staff).get(f"{TRIPS}{trips['computing'].pk}/rules/")
        assert response.status_code == 200
        for row in response.json():
            assert {"code", "label", "severity", "outcome"} <= set(row)
        assert (
            _as(api, people.other_coordinator).get(f"{TRIPS}{trips['computing'].pk}/rules/").status_code
            == 404
        )


class TestTripWrite:
    def test_staff_files_a_trip_for_themselves(self, api, org, people):
        leader = make_person(kind=PersonKind.STAFF, unit=org.computing, user=people.staff, family_name="Sun")
        response = _as(api, people.staff).post(TRIPS, _payload(org.computing, leader), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["number"].startswith(f"TRV-{FUTURE.year}-")
        assert body["state"] == "draft" and body["version"] == 1
        assert body["applicant"] == people.staff.pk
        assert [m["person"] for m in body["members"]] == [leader.pk]
        assert len(body["itinerary"]) == 3
        assert {(b["kind"], b["currency"]) for b in body["budget"]} == {("travel", "CNY"), ("meals", "EUR")}

    def test_person_the_user_cannot_see_is_refused(self, api, org, people):
        stranger = make_person(kind=PersonKind.STAFF, unit=org.humanities, family_name="Hidden")
        response = _as(api, people.staff).post(TRIPS, _payload(org.computing, stranger), format="json")
        assert response.status_code == 400
        assert "members" in response.json()["error"]["details"]
        assert not Trip.objects.exists()

    def test_filing_for_another_unit_is_forbidden(self, api, org, people):
        leader = make_person(kind=PersonKind.STAFF, unit=org.humanities, family_name="Tang")
        payload = _payload(org.humanities, leader, applicant=people.other_coordinator.pk)
        response = _as(api, people.coordinator).post(TRIPS, payload, format="json")
        assert response.status_code in (400, 403)
        assert not Trip.objects.exists()

    def test_update_needs_the_version_and_refuses_a_stale_one(self, api, people, trips):
        trip = trips["computing"]
        url = f"{TRIPS}{trip.pk}/"
        _as(api, people.coordinator)
        missing = api.patch(url, {"title": "No version"}, format="json")
        assert missing.status_code == 428
        assert missing.json()["error"]["code"] == "version_required"
        ok = api.patch(url, {"title": "Renamed", "version": trip.version}, format="json")
        assert ok.status_code == 200, ok.json()
        assert ok.json()["title"] == "Renamed" and ok.json()["version"] == trip.version + 1
        stale = api.patch(url, {"title": "Lost update", "version": trip.version}, format="json")
        assert stale.status_code == 409
        assert stale.json()["error"]["code"] == "stale_edit"
        assert Trip.objects.get(pk=trip.pk).title == "Renamed"

    def test_update_replaces_the_itinerary_only_when_given(self, api, people, trips):
        trip = trips["computing"]
        de = germany()
        items = [{"day": trip.depart_on.isoformat(), "country": de.pk, "city": "Berlin"}]
        response = _as(api, people.staff).patch(
            f"{TRIPS}{trip.pk}/", {"itinerary": items, "version": trip.version}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert [i["city"] for i in response.json()["itinerary"]] == ["Berlin"]
        assert len(response.json()["budget"]) == 1  # left as it was

    def test_other_unit_cannot_update(self, api, people, trips):
        trip = trips["computing"]
        response = _as(api, people.other_coordinator).patch(
            f"{TRIPS}{trip.pk}/", {"title": "X", "version": trip.version}, format="json"
        )
        assert response.status_code == 404

    def test_leadership_reads_but_cannot_edit(self, api, people, trips):
        trip = trips["computing"]
        response = _as(api, people.leadership).patch(
            f"{TRIPS}{trip.pk}/", {"title": "X", "version": trip.version}, format="json"
        )
        assert response.status_code == 403
        assert Trip.objects.get(pk=trip.pk).title == "Grid conference"


class TestTripMoves:
    def test_moves_list_reasons(self, api, people, trips):
        rows = _as(api, people.staff).get(f"{TRIPS}{trips['computing'].pk}/moves/").json()
        by_name = {row["name"]: row for row in rows}
        assert "start_publicity" in by_name and "cancel" in by_name
        assert by_name["cancel"]["comment_required"] is True

    def test_applicant_cancels_with_a_comment(self, api, people, trips):
        trip = trips["computing"]
        _as(api, people.staff)
        refused = api.post(f"{TRIPS}{trip.pk}/moves/cancel/", {}, format="json")
        assert refused.status_code == 400
        assert Trip.objects.get(pk=trip.pk).state == "draft"
        response = api.post(
            f"{TRIPS}{trip.pk}/moves/cancel/", {"comment": "Conference cancelled"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == "cancelled"
        history = api.get(f"{TRIPS}{trip.pk}/history/").json()
        assert history[0]["action"] == "cancel" and history[0]["comment"] == "Conference cancelled"

    def test_office_only_move_is_forbidden_for_the_applicant(self, api, people, org):
        trip = make_trip(unit=org.computing, applicant=people.staff, state="under_review")
        response = _as(api, people.staff).post(f"{TRIPS}{trip.pk}/moves/approve/", {}, format="json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert Trip.objects.get(pk=trip.pk).state == "under_review"

    def test_invisible_trip_cannot_be_moved(self, api, people, trips):
        trip = trips["computing"]
        response = _as(api, people.other_coordinator).post(
            f"{TRIPS}{trip.pk}/moves/cancel/", {"comment": "x"}, format="json"
        )
        assert response.status_code == 404
        assert Trip.objects.get(pk=trip.pk).state == "draft"


class TestPlans:
    @pytest.fixture
    def plans(self, org):
        eng = TripPlan.objects.create(unit=org.engineering, year=FUTURE.year, state=PlanState.DRAFT)
        TripPlanLine.objects.create(
            plan=eng,
            category="academic",
            purpose="conference",
            description="Conferences in Europe",
            trip_count=4,
        )
        hum = TripPlan.objects.create(unit=org.humanities, year=FUTURE.year)
        return {"engineering": eng, "humanities": hum}

    def test_visibility(self, api, people, plans):
        seen = {r["id"] for r in _as(api, people.coordinator).get(PLANS).json()["results"]}
        assert seen == {plans["engineering"].pk}
        seen = {r["id"] for r in _as(api, people.officer).get(PLANS).json()["results"]}
        assert seen == {plans["engineering"].pk, plans["humanities"].pk}
        assert _as(api, people.other_coordinator).get(f"{PLANS}{plans['engineering'].pk}/").status_code == 404
        detail = _as(api, people.coordinator).get(f"{PLANS}{plans['engineering'].pk}/").json()
        assert [line["description"] for line in detail["lines"]] == ["Conferences in Europe"]

    def test_coordinator_creates_a_plan_and_adds_lines_with_the_version(self, api, org, people):
        _as(api, people.coordinator)
        created = api.post(
            PLANS,
            {
                "unit": org.computing.pk,
                "year": FUTURE.year,
                "kind": "hk_macao",
                "lines": [
                    {"category": "academic", "purpose": "lecture", "description": "Lectures in Hong Kong"}
                ],
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        plan = created.json()
        assert plan["kind"] == "hk_macao" and len(plan["lines"]) == 1
        missing = api.post(
            f"{PLANS}{plan['id']}/lines/", {"category": "academic", "purpose": "research", "description": "X"}
        )
        assert missing.status_code == 428
        added = api.post(
            f"{PLANS}{plan['id']}/lines/?version={plan['version']}",
            {"category": "academic", "purpose": "research", "description": "Research stays"},
            format="json",
        )
        assert added.status_code == 201, added.json()
        assert TripPlan.objects.get(pk=plan["id"]).lines.count() == 2

    def test_other_coordinator_cannot_create_for_engineering(self, api, org, people):
        response = _as(api, people.other_coordinator).post(
            PLANS, {"unit": org.engineering.pk, "year": FUTURE.year}, format="json"
        )
        assert response.status_code == 403
        assert not TripPlan.objects.exists()


class TestPassports:
    @pytest.fixture
    def register(self, org):
        cn = germany()  # any country serves as issuing country in tests
        today = datetime.date.today()

        def item(unit, name, state=CustodyState.IN_CUSTODY, due=None):
            person = make_person(kind=PersonKind.STAFF, unit=unit, family_name=name)
            document = cast(
                IdentityDocument,
                IdentityDocumentFactory(
                    person=person,
                    issuing_country=cn,
                    kind=DocumentType.OFFICIAL_PASSPORT,
                    number="SE1234567",
                    expiry_date=today + datetime.timedelta(days=2000),
                ),
            )
            return CustodyItem.objects.create(
                document=document, holder=person, unit=unit, state=state, due_back_on=due
            )

        return {
            "kept": item(org.computing, "Kept"),
            "late": item(org.computing, "Late", CustodyState.ISSUED, today - datetime.timedelta(days=20)),
            "humanities": item(org.humanities, "Other"),
        }

    def test_numbers_masked_and_reads_logged(self, api, people, register):
        response = _as(api, people.officer).get(PASSPORTS)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) == 3
        assert all("SE1234567" not in str(row) for row in rows)
        assert rows[0]["document_number"].startswith("SE1") and "*" in rows[0]["document_number"]
        assert AccessLog.objects.filter(user=people.officer, action=AccessAction.VIEW).count() == 3

    def test_leadership_gets_no_numbers_and_no_access_log(self, api, people, register):
        """As on the HTML register (``people.permissions.can_view_documents``): leadership sees every row
        without a number, and nothing is written to the access log for them."""
        response = _as(api, people.leadership).get(PASSPORTS)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) == 3
        assert all(row["document_number"] is None for row in rows)
        assert all("SE1" not in str(row) for row in rows)
        detail = _as(api, people.leadership).get(f"{PASSPORTS}{register['kept'].pk}/")
        assert detail.status_code == 200 and detail.json()["document_number"] is None
        assert not AccessLog.objects.filter(user=people.leadership).exists()

    def test_a_coordinator_gets_the_numbers_of_their_units_people_logged(self, api, people, register):
        rows = _as(api, people.coordinator).get(PASSPORTS).json()["results"]
        assert len(rows) == 2 and all(row["document_number"].startswith("SE1") for row in rows)
        logged = AccessLog.objects.filter(user=people.coordinator, action=AccessAction.VIEW)
        assert sorted(ref or 0 for ref in logged.values_list("person_ref", flat=True)) == sorted(
            [register["kept"].holder_id, register["late"].holder_id]
        )

    def test_a_move_answer_shows_the_number_and_logs_it(self, api, people, register):
        response = _as(api, people.officer).post(
            f"{PASSPORTS}{register['late'].pk}/return/", {}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["document_number"].startswith("SE1")
        assert AccessLog.objects.filter(
            user=people.officer, document_ref=register["late"].document_id
        ).exists()

    def test_filters_and_visibility(self, api, org, people, register):
        _as(api, people.officer)
        overdue = api.get(PASSPORTS, {"overdue": "true"}).json()["results"]
        assert [r["holder"] for r in overdue] == [register["late"].holder_id]
        assert overdue[0]["overdue"] is True
        assert api.get(PASSPORTS, {"state": "in_custody", "unit": org.humanities.pk}).json()["count"] == 1
        names = {r["holder_name"] for r in _as(api, people.coordinator).get(PASSPORTS).json()["results"]}
        assert names == {str(register["kept"].holder), str(register["late"].holder)}
        assert _as(api, people.coordinator).get(f"{PASSPORTS}{register['humanities'].pk}/").status_code == 404
        assert _as(api, people.staff).get(PASSPORTS).json()["count"] == 0

    def test_only_the_office_moves_documents(self, api, people, register):
        response = _as(api, people.coordinator).post(
            f"{PASSPORTS}{register['late'].pk}/return/", {"note": ""}, format="json"
        )
        assert response.status_code == 403
        assert CustodyItem.objects.get(pk=register["late"].pk).state == CustodyState.ISSUED
        response = _as(api, people.officer).post(
            f"{PASSPORTS}{register['late'].pk}/return/", {}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == CustodyState.IN_CUSTODY
        assert response.json()["movements"][0]["action"] == "return"


class TestSchema:
    def test_openapi_document_lists_the_travel_endpoints(self, api, people):
        response = _as(api, people.officer).get("/api/v1/openapi.json")
        assert response.status_code == 200
        paths = response.json()["paths"]
        assert {"get", "post"} <= set(paths["/api/v1/travel/trips/"])
        assert {"get", "put", "patch"} <= set(paths["/api/v1/travel/trips/{id}/"])
        assert "post" in paths["/api/v1/travel/trips/{id}/moves/{move}/"]
        assert "get" in paths["/api/v1/travel/trips/{id}/rules/"]
        assert "get" in paths["/api/v1/travel/passports/"]
        params = {p["name"] for p in paths["/api/v1/travel/trips/"]["get"]["parameters"]}
        assert {"q", "state", "unit"} <= params
        params = {p["name"] for p in paths["/api/v1/travel/passports/"]["get"]["parameters"]}
        assert {"state", "unit", "overdue"} <= params

    def test_schema_generates_without_warnings(self, tmp_path):
        target = tmp_path / "schema.json"
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=io.StringIO()
        )
        assert target.stat().st_size > 1000


def test_amounts_are_decimal_strings(api, people, trips):
    data = _as(api, people.officer).get(f"{TRIPS}{trips['computing'].pk}/").json()
    assert Decimal(data["budget"][0]["amount"]) == Decimal("9000")
