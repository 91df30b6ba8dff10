"""The visitors API: visits (list, filters, retrieve, create, update with versions, moves, rules, guests),
foreign experts, lectures and accommodation registrations, each as every role sees it; guests' personal data
only for those who may see it and passport numbers never; invalid filters answered 400 in the shared error
shape; and the OpenAPI document generating without warnings."""

from __future__ import annotations

import datetime
import io
from typing import cast

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import IdentityDocumentFactory, make_person
from meridian.visitors.choices import ExpertState, LectureState, RegistrationState, VisitState
from meridian.visitors.forms_experts import ExpertFilter
from meridian.visitors.models import AccommodationRegistration, ExpertHiring, Visit
from meridian.visitors.tests.factories import FUTURE, germany, make_hiring, make_lecture, make_visit
from meridian.workflow.testing import partner_contact_user

VISITS = "/api/v1/visitors/visits/"
EXPERTS = "/api/v1/visitors/experts/"
LECTURES = "/api/v1/visitors/lectures/"
REGISTRATIONS = "/api/v1/visitors/registrations/"
PASSPORT = "C99887766"
TODAY = datetime.date.today()


@pytest.fixture
def api():
    return APIClient()


def _as(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def users(org, people):
    """Every role of the matrix: the shared people, the host (staff), another member of staff of the same
    unit who hosts nothing, and a partner contact."""
    other = user_create(
        username="other-staff", email="other-staff@meridian.example", password="x-other-staff"
    )
    membership_grant(user=other, unit=org.computing, role=Role.STAFF)
    return {
        "admin": people.admin,
        "officer": people.officer,
        "leadership": people.leadership,
        "coordinator": people.coordinator,
        "other_coordinator": people.other_coordinator,
        "host": people.staff,
        "other_staff": other,
        "student": people.student,
        "partner_contact": partner_contact_user(org),
        "outsider": people.outsider,
    }


@pytest.fixture
def visits(org, people):
    """A computing visit hosted by the staff member (two guests, one with a passport on record and dietary
    needs) and a humanities visit."""
    computing = make_visit(host_unit=org.computing, host=people.staff, title="Grid lectures", guests=2)
    guest = computing.guests.all()[0]
    guest.dietary_needs = "Vegetarian"
    guest.save()
    IdentityDocumentFactory(person=guest.person, issuing_country=germany(), number=PASSPORT)
    humanities = make_visit(host_unit=org.humanities, host=people.other_coordinator, title="Archive visit")
    return {"computing": computing, "humanities": humanities}


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"]), body
    return body["error"]


# --- visits: reading ----------------------------------------------------------------------------------------


VISIT_READERS = {
    "admin": {"Grid lectures", "Archive visit"},
    "officer": {"Grid lectures", "Archive visit"},
    "leadership": {"Grid lectures", "Archive visit"},
    "coordinator": {"Grid lectures"},
    "other_coordinator": {"Archive visit"},
    "host": {"Grid lectures"},
    "other_staff": set(),
    "student": set(),
    "partner_contact": set(),
    "outsider": set(),
}


class TestVisitRead:
    @pytest.mark.parametrize(("role", "expected"), list(VISIT_READERS.items()))
    def test_each_role_sees_only_its_visits(self, api, users, visits, role, expected):
        response = _as(api, users[role]).get(VISITS)
        assert response.status_code == 200
        assert {row["title"] for row in response.json()["results"]} == expected
        detail = api.get(f"{VISITS}{visits['computing'].pk}/")
        assert detail.status_code == (200 if "Grid lectures" in expected else 404)
        if detail.status_code == 404:
            assert _error(detail)["code"] == "not_found"

    def test_anonymous_is_refused_in_the_error_shape(self, api, visits):
        response = api.get(VISITS)
        assert response.status_code in (401, 403)
        assert _error(response)["code"] == "not_authenticated"
        assert api.get(f"{VISITS}{visits['computing'].pk}/").status_code in (401, 403)

    def test_detail_has_guests_programme_budget_and_rules(self, api, people, visits):
        visit = visits["computing"]
        data = _as(api, people.staff).get(f"{VISITS}{visit.pk}/").json()
        assert data["number"] == visit.number and data["case_type"] == "visit" and data["state"] == "draft"
        assert data["guest_count"] == 2 and data["days"] == 5
        assert [g["name"] for g in data["guests"]] == [str(g.person) for g in visit.guests.all()]
        assert data["guests"][0]["is_head"] is True
        assert len(data["programme"]) == 5
        assert data["budget_total"] == "1700.00"  # 4 nights × 300 + 5 days × 100 (the factory's budget)
        assert isinstance(data["rule_results"], list)

    def test_guest_data_only_for_those_who_handle_the_visit(self, api, people, visits):
        url = f"{VISITS}{visits['computing'].pk}/"
        for user in (people.staff, people.coordinator, people.officer):
            data = _as(api, user).get(url).json()
            assert data["guest_data"] is True
            assert data["guests"][0]["dietary_needs"] == "Vegetarian"
            assert data["guests"][0]["nationality"] == "DE"
        data = _as(api, people.leadership).get(url).json()
        assert data["guest_data"] is False
        assert data["guests"][0]["name"]  # names only
        assert data["guests"][0]["dietary_needs"] is None and data["guests"][0]["nationality"] is None
        guests = _as(api, people.leadership).get(f"{url}guests/").json()
        assert guests[0]["dietary_needs"] is None and guests[0]["name"]
        guests = _as(api, people.staff).get(f"{url}guests/").json()
        assert guests[0]["dietary_needs"] == "Vegetarian"

    def test_passport_numbers_are_never_given(self, api, users, visits):
        visit = visits["computing"]
        for role in ("admin", "officer", "leadership", "coordinator", "host"):
            _as(api, users[role])
            for url in (VISITS, f"{VISITS}{visit.pk}/", f"{VISITS}{visit.pk}/guests/"):
                response = api.get(url)
                assert response.status_code == 200
                assert PASSPORT not in response.content.decode(), (role, url)

    def test_rules_endpoint(self, api, people, visits):
        response = _as(api, people.staff).get(f"{VISITS}{visits['computing'].pk}/rules/")
        assert response.status_code == 200
        assert isinstance(response.json(), list)
        for row in response.json():
            assert {"code", "label", "severity", "outcome"} <= set(row)
        assert (
            _as(api, people.other_coordinator).get(f"{VISITS}{visits['computing'].pk}/rules/").status_code
            == 404
        )


def test_list_queries_do_not_grow_with_rows(api, org, people):
    from meridian.workflow.testing import assert_flat_queries

    _as(api, people.coordinator)

    def add(n):
        for _ in range(n):
            make_visit(host_unit=org.computing, host=people.staff, guests=2)

    def add_lectures(n):
        for _ in range(n):
            make_lecture(unit=org.computing, state=LectureState.PUBLISHED)

    assert_flat_queries(fetch=lambda: api.get(VISITS), add_rows=add)
    assert_flat_queries(fetch=lambda: api.get(LECTURES), add_rows=add_lectures)


class TestVisitFilters:
    def test_filters(self, api, org, people, visits):
        _as(api, people.officer)
        partner = cast(Partner, PartnerFactory())
        Visit.objects.filter(pk=visits["humanities"].pk).update(
            guest_partner=partner, state=VisitState.APPROVED, category="negotiation"
        )

        def numbers(params):
            response = api.get(VISITS, params)
            assert response.status_code == 200, response.json()
            return {row["number"] for row in response.json()["results"]}

        computing, humanities = visits["computing"].number, visits["humanities"].number
        assert numbers({"host_unit": org.engineering.pk}) == {computing}  # with its subunits
        assert numbers({"state": "approved"}) == {humanities}
        assert numbers({"state": ["approved", "draft"]}) == {computing, humanities}
        assert numbers({"category": "negotiation"}) == {humanities}
        assert numbers({"partner": partner.pk}) == {humanities}
        assert numbers({"arrive_from": FUTURE.isoformat(), "arrive_to": FUTURE.isoformat()}) == {
            computing,
            humanities,
        }
        assert numbers({"arrive_from": (FUTURE + datetime.timedelta(days=1)).isoformat()}) == set()

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"state": "flying"}, "state"),
            ({"category": "tourism"}, "category"),
            ({"host_unit": "999999"}, "host_unit"),
            ({"arrive_from": "next week"}, "arrive_from"),
            ({"arrive_from": "2030-05-02", "arrive_to": "2030-05-01"}, "arrive_to"),
            ({"partner": "abc"}, "partner"),
        ],
    )
    def test_invalid_filter_is_400_with_a_message(self, api, people, visits, params, field):
        response = _as(api, people.officer).get(VISITS, params)
        assert response.status_code == 400
        error = _error(response)
        assert error["code"] == "invalid"
        assert field in error["details"] and error["details"][field]


# --- visits: guests' data in every output, per role ---------------------------------------------------------

# Who reads what of a visit whose guest's passport and CV fail the rules: the guests' data (fields, what the
# failing guest rules say, visa copies) or the visit without it, or nothing (404).
GUEST_DATA_READERS = {"admin", "officer", "coordinator", "host"}
VISIT_ONLY_READERS = {"leadership", "approver", "filer"}
NON_READERS = {"other_coordinator", "student", "partner_contact", "outsider"}
VISIT_OUTPUTS = ("", "rules/", "history/", "guests/", "documents/")
# Texts that give the guests' data away: the failing passport and CV messages, and the visa copy's name.
LEAKS = ("expires on or before", "leaves out", "visa-schmidt.pdf")


@pytest.fixture
def checked_visit(org, people, users, monkeypatch):
    """An invitation visit of Computing hosted by the staff member and filed by another member of staff,
    submitted to an approval step held by a named member of Humanities; then the guest's passport turns out
    to expire five months after the departure and the CV to leave out two years, and the check is stored (in
    both languages); a letter and a visa copy among the visit's files."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meridian.visitors import rules
    from meridian.visitors.choices import InvitationKind
    from meridian.visitors.services.visits import visit_file_add
    from meridian.visitors.tests.factories_guests import PDF_BYTES, cv_rows
    from meridian.workflow import services as workflow
    from meridian.workflow.choices import AssigneeKind

    approver = user_create(username="approver", email="approver@meridian.example", password="x-approver")
    membership_grant(user=approver, unit=org.humanities, role=Role.STAFF)
    workflow.chain_create(
        actor=people.admin,
        case_type="visit",
        name="Visits",
        steps=[{"order": 1, "label": "Check", "assignee_kind": AssigneeKind.PERSON, "person": approver}],
    )
    visit = make_visit(host_unit=org.computing, host=people.staff, invitation_kind=InvitationKind.LETTER)
    Visit.objects.filter(pk=visit.pk).update(created_by=users["other_staff"])
    with monkeypatch.context() as patched:  # the rules are tested in test_rules.py; here only their output
        patched.setattr(rules, "blocking_messages", lambda visit: [])
        workflow.case_move(case=visit, actor=people.staff, move="submit")
    visit.refresh_from_db()
    guest = visit.guests.get()
    guest.cv = cv_rows(gap=True)
    guest.dietary_needs = "Halal"
    guest.save()
    IdentityDocumentFactory(
        person=guest.person,
        issuing_country=germany(),
        number=PASSPORT,
        expiry_date=visit.depart_on + datetime.timedelta(days=150),
    )
    rules.visit_check(visit=visit, save=True)
    for name, kind in (("letter.pdf", "request"), ("visa-schmidt.pdf", "visa")):
        uploaded = SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
        visit_file_add(visit=visit, actor=people.officer, kind=kind, uploaded=uploaded)
    return {"visit": visit, "users": {**users, "approver": approver, "filer": users["other_staff"]}}


class TestGuestDataInEveryOutput:
    @pytest.mark.parametrize("role", sorted(GUEST_DATA_READERS | VISIT_ONLY_READERS | NON_READERS))
    def test_each_role(self, api, checked_visit, role):
        from meridian.visitors.rules import PRIVATE_MESSAGE

        visit = checked_visit["visit"]
        _as(api, checked_visit["users"][role])
        url = f"{VISITS}{visit.pk}/"
        listed = api.get(VISITS)
        assert listed.status_code == 200
        if role in NON_READERS:
            assert visit.number not in listed.content.decode()
            assert all(api.get(f"{url}{tail}").status_code == 404 for tail in VISIT_OUTPUTS)
            return
        sees = role in GUEST_DATA_READERS
        answers = {tail: api.get(f"{url}{tail}") for tail in VISIT_OUTPUTS}
        assert {tail: r.status_code for tail, r in answers.items()} == dict.fromkeys(VISIT_OUTPUTS, 200)
        text = listed.content.decode() + "".join(r.content.decode() for r in answers.values())
        assert visit.number in text and PASSPORT not in text
        assert {leak: leak in text for leak in LEAKS} == dict.fromkeys(LEAKS, sees)
        stored = {r["code"]: r for r in answers[""].json()["rule_results"]}
        live = {r["code"]: r for r in answers["rules/"].json()}
        for results in (stored, live):
            assert all("i18n" not in r for r in results.values())  # no copy in another language
            for code in ("passport_validity", "cv_ten_years"):
                assert results[code]["outcome"] == "fail"
                assert (results[code]["message"] == str(PRIVATE_MESSAGE)) is not sees
            assert results["lead_time"]["message"] != str(PRIVATE_MESSAGE)  # rules on the visit itself
        guest = answers["guests/"].json()[0]
        assert (
            guest["name"]
            and (guest["cv"] is not None) is sees
            and (guest["dietary_needs"] == "Halal") is sees
        )
        assert answers[""].json()["guest_data"] is sees
        names = {d["name"] for d in answers["documents/"].json()}
        assert "letter.pdf" in names and ("visa-schmidt.pdf" in names) is sees

    def test_the_private_message_is_in_the_readers_language(self, api, checked_visit):
        from django.utils import translation

        from meridian.visitors.rules import PRIVATE_MESSAGE

        visit = checked_visit["visit"]
        _as(api, checked_visit["users"]["leadership"])
        rows = api.get(f"{VISITS}{visit.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["rule_results"]
        with translation.override("zh-hans"):
            expected = str(PRIVATE_MESSAGE)
        assert {r["message"] for r in rows if r["code"] == "passport_validity"} == {expected}


# --- visits: writing ----------------------------------------------------------------------------------------


def _payload(unit, **extra):
    germany()  # the guests' nationality, by ISO code
    return {
        "title": "Visiting scholar from Heidelberg",
        "category": "visiting_scholar",
        "purpose": "Two lectures on power systems.",
        "host_unit": unit.pk,
        "arrive_on": FUTURE.isoformat(),
        "depart_on": (FUTURE + datetime.timedelta(days=2)).isoformat(),
        "guest_organisation": "Heidelberg University",
        "guests": [{"new_person": {"family_name": "Weber", "given_name": "Jonas", "nationality": "DE"}}],
        "programme": [
            {"day": FUTURE.isoformat(), "kind": "lecture", "title": "Lecture on grids", "place": "Room 1"}
        ],
        "budget": [{"kind": "accommodation", "amount": "600.00", "persons": 1, "days": 2}],
        **extra,
    }


class TestVisitWrite:
    def test_host_files_a_visit(self, api, org, people):
        response = _as(api, people.staff).post(VISITS, _payload(org.computing), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["number"].startswith(f"VIS-{FUTURE.year}-")
        assert body["state"] == "draft" and body["version"] == 1
        assert body["host"] == people.staff.pk
        assert [g["name"] for g in body["guests"]] == ["WEBER Jonas"]
        assert [p["title"] for p in body["programme"]] == ["Lecture on grids"]
        assert body["budget_total"] == "600.00"

    def test_a_returning_guest_is_not_duplicated_without_confirmation(self, api, org, people):
        api = _as(api, people.staff)
        assert api.post(VISITS, _payload(org.computing), format="json").status_code == 201
        again = api.post(VISITS, _payload(org.computing), format="json")
        assert again.status_code == 400 and Visit.objects.count() == 1
        confirmed = _payload(org.computing)
        confirmed["guests"][0]["new_person"]["allow_duplicate"] = True
        assert api.post(VISITS, confirmed, format="json").status_code == 201
        assert Visit.objects.count() == 2

    @pytest.mark.parametrize("role", ["student", "partner_contact", "outsider"])
    def test_those_who_may_not_file_are_refused(self, api, org, users, role):
        response = _as(api, users[role]).post(VISITS, _payload(org.computing), format="json")
        assert response.status_code == 403
        assert _error(response)["code"] == "permission_denied"
        assert not Visit.objects.exists()

    def test_filing_for_another_units_host_is_forbidden(self, api, org, people):
        payload = _payload(org.humanities, host=people.other_coordinator.pk)
        response = _as(api, people.coordinator).post(VISITS, payload, format="json")
        assert response.status_code == 403
        assert not Visit.objects.exists()

    def test_bad_input_stores_nothing(self, api, org, people):
        payload = _payload(org.computing, depart_on=(FUTURE - datetime.timedelta(days=3)).isoformat())
        response = _as(api, people.staff).post(VISITS, payload, format="json")
        assert response.status_code == 400
        assert "depart_on" in _error(response)["details"]
        stranger = make_person(kind=PersonKind.GUEST, family_name="Hidden")
        response = api.post(VISITS, _payload(org.computing, guests=[{"person": stranger.pk}]), format="json")
        assert response.status_code == 400 and "guests" in _error(response)["details"]
        assert not Visit.objects.exists()

    def test_update_needs_the_version_and_refuses_a_stale_one(self, api, people, visits):
        visit = visits["computing"]
        url = f"{VISITS}{visit.pk}/"
        _as(api, people.coordinator)
        missing = api.patch(url, {"title": "No version"}, format="json")
        assert missing.status_code == 428
        assert _error(missing)["code"] == "version_required"
        ok = api.patch(url, {"title": "Renamed", "version": visit.version}, format="json")
        assert ok.status_code == 200, ok.json()
        assert ok.json()["title"] == "Renamed" and ok.json()["version"] == visit.version + 1
        assert len(ok.json()["guests"]) == 2  # lists left out are left as they are
        stale = api.patch(url, {"title": "Lost update", "version": visit.version}, format="json")
        assert stale.status_code == 409
        assert _error(stale)["code"] == "stale_edit"
        assert Visit.objects.get(pk=visit.pk).title == "Renamed"

    @pytest.mark.parametrize(
        ("role", "status"),
        [("leadership", 403), ("other_coordinator", 404), ("other_staff", 404), ("student", 404)],
    )
    def test_who_may_not_edit(self, api, users, visits, role, status):
        visit = visits["computing"]
        response = _as(api, users[role]).patch(
            f"{VISITS}{visit.pk}/", {"title": "X", "version": visit.version}, format="json"
        )
        assert response.status_code == status
        assert Visit.objects.get(pk=visit.pk).title == "Grid lectures"


class TestVisitMoves:
    def test_moves_list_and_cancel_with_a_comment(self, api, people, visits):
        visit = visits["computing"]
        _as(api, people.staff)
        moves = {m["name"]: m for m in api.get(f"{VISITS}{visit.pk}/moves/").json()}
        assert "submit" in moves and moves["cancel"]["comment_required"] is True
        refused = api.post(f"{VISITS}{visit.pk}/moves/cancel/", {}, format="json")
        assert refused.status_code == 400
        _error(refused)
        response = api.post(f"{VISITS}{visit.pk}/moves/cancel/", {"comment": "Guest fell ill"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == "cancelled"
        history = api.get(f"{VISITS}{visit.pk}/history/").json()
        assert history[0]["action"] == "cancel" and history[0]["comment"] == "Guest fell ill"

    def test_office_only_move_is_forbidden_to_the_host(self, api, org, people):
        visit = make_visit(host_unit=org.computing, host=people.staff, state=VisitState.UNDER_REVIEW)
        response = _as(api, people.staff).post(f"{VISITS}{visit.pk}/moves/approve/", {}, format="json")
        assert response.status_code == 403
        assert _error(response)["code"] == "permission_denied"
        assert Visit.objects.get(pk=visit.pk).state == VisitState.UNDER_REVIEW

    def test_invisible_visit_cannot_be_moved(self, api, people, visits):
        visit = visits["computing"]
        response = _as(api, people.other_coordinator).post(
            f"{VISITS}{visit.pk}/moves/cancel/", {"comment": "x"}, format="json"
        )
        assert response.status_code == 404
        assert Visit.objects.get(pk=visit.pk).state == VisitState.DRAFT


# --- experts, lectures, registrations -----------------------------------------------------------------------


@pytest.fixture
def hirings(org, people):
    soon = TODAY + datetime.timedelta(days=40)
    return {
        "computing": make_hiring(
            host_unit=org.computing, state=ExpertState.EMPLOYED, permit_category="A", permit_expires_on=soon
        ),
        "humanities": make_hiring(host_unit=org.humanities, state=ExpertState.NEED, candidate=False),
    }


EXPERT_READERS = {
    "officer": {"computing", "humanities"},
    "leadership": {"computing", "humanities"},
    "coordinator": {"computing"},
    "other_coordinator": {"humanities"},
    "host": set(),
    "student": set(),
    "partner_contact": set(),
}


class TestExperts:
    @pytest.mark.parametrize(("role", "expected"), list(EXPERT_READERS.items()))
    def test_visibility(self, api, users, hirings, role, expected):
        response = _as(api, users[role]).get(EXPERTS)
        assert response.status_code == 200
        numbers = {row["number"] for row in response.json()["results"]}
        assert numbers == {hirings[key].number for key in expected}
        status = 200 if "computing" in expected else 404
        assert api.get(f"{EXPERTS}{hirings['computing'].pk}/").status_code == status

    def test_the_expert_and_the_supervisor_see_their_own(self, api, people, hirings):
        hiring = hirings["computing"]
        hiring.supervisor = people.staff
        hiring.save()
        assert _as(api, people.staff).get(f"{EXPERTS}{hiring.pk}/").status_code == 200
        expert = user_create(username="expert", email="expert@meridian.example", password="x-expert")
        hiring.person.user = expert
        hiring.person.save()
        rows = _as(api, expert).get(EXPERTS).json()["results"]
        assert [r["number"] for r in rows] == [hiring.number]

    def test_filters(self, api, org, people, hirings):
        _as(api, people.officer)
        assert api.get(EXPERTS, {"expiring": 60}).json()["count"] == 1
        assert api.get(EXPERTS, {"expiring": 30}).json()["count"] == 0
        assert api.get(EXPERTS, {"category": "A", "unit": org.engineering.pk}).json()["count"] == 1
        assert api.get(EXPERTS, {"category": "A"}).json()["count"] == 1
        assert api.get(EXPERTS, {"category": "C"}).json()["count"] == 0
        assert api.get(EXPERTS, {"kind": "expert", "q": hirings["computing"].number}).json()["count"] == 1
        assert (
            api.get(EXPERTS, {"state": "need"}).json()["results"][0]["name"] == hirings["humanities"].position
        )

    @pytest.mark.parametrize(
        "params",
        [
            {"expiring": "soon"},
            {"expiring": "0"},
            {"expiring": "4000"},
            {"expiring": "1.5"},
            {"state": "hired"},
            {"category": "Z"},
            {"kind": "astronaut"},
        ],
    )
    def test_invalid_filters_are_400(self, api, people, hirings, params):
        response = _as(api, people.officer).get(EXPERTS, params)
        assert response.status_code == 400
        assert set(params) <= set(_error(response)["details"])

    @pytest.mark.parametrize(
        "params",
        [{"expiring": "0"}, {"state": "hired"}, {"category": "Z"}, {"unit": "999999"}, {"kind": "x"}],
    )
    def test_the_page_and_the_api_use_one_filter(self, api, client, people, hirings, params):
        """The same parameters, refused with the same messages: 400 on the API, the message on the page."""
        response = _as(api, people.officer).get(EXPERTS, params)
        assert response.status_code == 400
        details = _error(response)["details"]
        page_filter = ExpertFilter(params, queryset=ExpertHiring.objects.all())
        assert not page_filter.is_valid()
        assert details == {name: [str(m) for m in errors] for name, errors in page_filter.form.errors.items()}
        client.force_login(people.officer)
        text = client.get(reverse("visitors:expert_list"), params).content.decode()
        assert all(escape(message) in text for messages in details.values() for message in messages)
        assert hirings["computing"].number not in text  # nothing listed, as on the API

    def test_detail_has_no_passport_data(self, api, people, hirings):
        hiring = hirings["computing"]
        IdentityDocumentFactory(person=hiring.person, issuing_country=germany(), number=PASSPORT)
        response = _as(api, people.officer).get(f"{EXPERTS}{hiring.pk}/")
        assert response.status_code == 200
        assert response.json()["permit_category"] == "A" and response.json()["nationality"] == "DE"
        assert PASSPORT not in response.content.decode()


class TestLectures:
    @pytest.fixture
    def lectures(self, org, people, visits):
        return {
            "public": make_lecture(
                unit=org.computing,
                visit=visits["computing"],
                state=LectureState.PUBLISHED,
                title_en="Open talk",
            ),
            "draft": make_lecture(unit=org.computing, title_en="Draft talk"),
        }

    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("officer", {"Open talk", "Draft talk"}),
            ("coordinator", {"Open talk", "Draft talk"}),
            ("other_coordinator", {"Open talk"}),
            ("student", {"Open talk"}),
            ("partner_contact", {"Open talk"}),
        ],
    )
    def test_visibility(self, api, users, lectures, role, expected):
        response = _as(api, users[role]).get(LECTURES)
        assert response.status_code == 200
        assert {row["title_en"] for row in response.json()["results"]} == expected
        status = 200 if "Draft talk" in expected else 404
        assert api.get(f"{LECTURES}{lectures['draft'].pk}/").status_code == status

    def test_the_visit_is_named_only_to_those_who_see_it(self, api, people, lectures, visits):
        url = f"{LECTURES}{lectures['public'].pk}/"
        assert _as(api, people.student).get(url).json()["visit"] is None
        assert _as(api, people.coordinator).get(url).json()["visit"] == visits["computing"].pk

    def test_anonymous_and_invalid_filters(self, api, people, lectures):
        assert api.get(LECTURES).status_code in (401, 403)
        _as(api, people.officer)
        assert api.get(LECTURES, {"is_public": "true", "state": "published"}).json()["count"] == 1
        for params in ({"is_public": "perhaps"}, {"state": "live"}, {"starts_from": "x"}):
            response = api.get(LECTURES, params)
            assert response.status_code == 400, params
            assert set(params) <= set(_error(response)["details"])


class TestRegistrations:
    @pytest.fixture
    def registrations(self, visits):
        now = timezone.now()

        def make(visit, hours_left, address):
            return AccommodationRegistration.objects.create(
                guest=visit.guests.first(),
                reason="arrival",
                occurred_at=now - datetime.timedelta(hours=24 - hours_left),
                due_at=now + datetime.timedelta(hours=hours_left),
                accommodation="on_campus",
                address=address,
                receipt_number="R-1",
            )

        return {
            "late": make(visits["computing"], -2, "Guest house, room 3"),
            "other": make(visits["humanities"], 10, ""),
        }

    def test_office_sees_all_with_addresses(self, api, people, registrations):
        rows = _as(api, people.officer).get(REGISTRATIONS).json()["results"]
        assert len(rows) == 2
        late = next(r for r in rows if r["id"] == registrations["late"].pk)
        assert late["overdue"] is True and late["address"] == "Guest house, room 3"
        assert PASSPORT not in str(rows)

    def test_leadership_gets_no_addresses(self, api, people, registrations):
        rows = _as(api, people.leadership).get(REGISTRATIONS).json()["results"]
        assert len(rows) == 2 and all(r["address"] is None and r["receipt_number"] is None for r in rows)

    def test_unit_secretaries_see_their_units(self, api, people, registrations):
        rows = _as(api, people.coordinator).get(REGISTRATIONS).json()["results"]
        assert [r["id"] for r in rows] == [registrations["late"].pk]

    @pytest.mark.parametrize("role", ["host", "other_staff", "student", "partner_contact", "outsider"])
    def test_others_are_refused(self, api, users, registrations, role):
        response = _as(api, users[role]).get(REGISTRATIONS)
        assert response.status_code == 403
        assert _error(response)["code"] == "permission_denied"

    def test_filters(self, api, org, people, registrations):
        """The registrations page's filter: overdue only, state, host unit (with its subunits)."""
        _as(api, people.officer)
        rows = api.get(REGISTRATIONS, {"overdue": "true"}).json()["results"]
        assert [r["id"] for r in rows] == [registrations["late"].pk]
        assert api.get(REGISTRATIONS, {"overdue": "false"}).json()["count"] == 2  # not "overdue only"
        assert api.get(REGISTRATIONS, {"state": RegistrationState.REGISTERED}).json()["count"] == 0
        rows = api.get(REGISTRATIONS, {"unit": org.engineering.pk}).json()["results"]
        assert [r["id"] for r in rows] == [registrations["late"].pk]
        response = api.get(REGISTRATIONS, {"state": "lost"})
        assert response.status_code == 400 and "state" in _error(response)["details"]

    def test_a_unit_the_reader_may_not_choose_is_refused_as_on_the_page(self, api, client, org, people):
        from meridian.visitors.selectors.arrivals import RegistrationFilter

        params = {"unit": str(org.humanities.pk)}
        response = _as(api, people.coordinator).get(REGISTRATIONS, params)
        assert response.status_code == 400
        page = RegistrationFilter(
            params, queryset=AccommodationRegistration.objects.all(), user=people.coordinator
        )
        assert not page.is_valid()
        assert _error(response)["details"]["unit"] == [str(m) for m in page.form.errors["unit"]]
        client.force_login(people.coordinator)
        text = client.get(reverse("visitors:registrations"), params).content.decode()
        assert escape(str(page.form.errors["unit"][0])) in text


# --- schema -------------------------------------------------------------------------------------------------


class TestSchema:
    def test_openapi_document_lists_the_visitors_endpoints(self, api, people):
        response = _as(api, people.officer).get("/api/v1/openapi.json")
        assert response.status_code == 200
        paths = response.json()["paths"]
        assert {"get", "post"} <= set(paths["/api/v1/visitors/visits/"])
        assert {"get", "put", "patch"} <= set(paths["/api/v1/visitors/visits/{id}/"])
        for tail in ("moves/{move}/", "rules/", "guests/", "history/", "documents/"):
            assert f"/api/v1/visitors/visits/{{id}}/{tail}" in paths
        for endpoint in ("experts/", "experts/{id}/", "lectures/", "lectures/{id}/", "registrations/"):
            assert f"/api/v1/visitors/{endpoint}" in paths
        params = {p["name"] for p in paths["/api/v1/visitors/visits/"]["get"]["parameters"]}
        assert {"state", "category", "host_unit", "arrive_from", "arrive_to", "partner"} <= params
        params = {p["name"] for p in paths["/api/v1/visitors/experts/"]["get"]["parameters"]}
        assert params >= {"q", "state", "kind", "category", "unit", "expiring"}  # the list page's filter
        assert "permit_category" not in params
        params = {p["name"] for p in paths["/api/v1/visitors/registrations/"]["get"]["parameters"]}
        assert {"state", "unit", "overdue"} <= params
        guest = response.json()["components"]["schemas"]["Guest"]["properties"]
        assert not any("passport" in name or "document" in name for name in guest)

    def test_schema_generates_without_warnings(self, tmp_path):
        target = tmp_path / "schema.json"
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=io.StringIO()
        )
        assert b"/api/v1/visitors/visits/" in target.read_bytes()
