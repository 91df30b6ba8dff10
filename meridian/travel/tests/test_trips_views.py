"""Trip application pages: who sees what, filing (also on someone's behalf), the live check, moves, files."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.travel.models import Trip
from meridian.travel.services import trips as trip_services
from meridian.travel.tests.factories import germany, make_trip
from meridian.workflow.models import TransitionLog
from meridian.workflow.testing import partner_contact_user

FUTURE = datetime.date.today() + datetime.timedelta(days=90)


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def staff_person(org, people):
    return make_person(
        kind=PersonKind.STAFF, unit=org.computing, family_name="Wang", given_name="Wu", user=people.staff
    )


@pytest.fixture
def computing_trip(org, people, staff_person):
    return make_trip(
        unit=org.computing,
        applicant=people.staff,
        leader=staff_person,
        title="Heidelberg conference",
        depart_on=FUTURE,
        return_on=FUTURE + datetime.timedelta(days=4),
    )


@pytest.fixture
def humanities_trip(org, people):
    return make_trip(unit=org.humanities, applicant=people.other_coordinator, title="Humanities visit")


def _user(people, org, role: str):
    if role == "partner_contact":
        return partner_contact_user(org)
    return getattr(people, role)


# --- who sees what --------------------------------------------------------------------------------

LIST_MATRIX = [
    # role, list status, sees the computing trip, sees the humanities trip
    ("admin", 200, True, True),
    ("officer", 200, True, True),
    ("leadership", 200, True, True),
    ("coordinator", 200, True, False),
    ("other_coordinator", 200, False, True),
    ("staff", 200, True, False),
    ("student", 200, False, False),
    ("outsider", 403, False, False),
    ("partner_contact", 403, False, False),
]


@pytest.mark.parametrize(("role", "status", "sees_computing", "sees_humanities"), LIST_MATRIX)
def test_list_shows_only_visible_trips(
    client, org, people, computing_trip, humanities_trip, role, status, sees_computing, sees_humanities
):
    client.force_login(_user(people, org, role))
    response = client.get(reverse("travel:trip_list"))
    assert response.status_code == status
    body = response.content.decode()
    assert (computing_trip.number in body) is sees_computing
    assert (humanities_trip.number in body) is sees_humanities


DETAIL_MATRIX = [
    ("admin", 200),
    ("officer", 200),
    ("leadership", 200),
    ("coordinator", 200),
    ("other_coordinator", 404),
    ("staff", 200),
    ("student", 404),
    ("outsider", 404),
    ("partner_contact", 404),
]


@pytest.mark.parametrize(("role", "status"), DETAIL_MATRIX)
def test_detail_is_404_for_those_who_may_not_see_the_trip(client, org, people, computing_trip, role, status):
    client.force_login(_user(people, org, role))
    response = client.get(reverse("travel:trip_detail", args=[computing_trip.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Heidelberg conference" in body
        assert "WANG WU" in body.upper()  # the leader


def test_detail_shows_budget_totals_per_currency_and_panels(client, people, computing_trip):
    from decimal import Decimal

    from meridian.travel.models import BudgetLine

    BudgetLine.objects.create(trip=computing_trip, kind="meals", amount=Decimal("120.50"), currency="EUR")
    BudgetLine.objects.create(trip=computing_trip, kind="incidentals", amount=Decimal("30"), currency="EUR")
    client.force_login(people.staff)
    body = client.get(reverse("travel:trip_detail", args=[computing_trip.pk])).content.decode()
    assert "Total in CNY" in body and "9000.00 CNY" in body
    assert "Total in EUR" in body and "150.50 EUR" in body
    assert 'id="lifecycle"' in body


def test_leadership_reads_but_has_no_moves_and_cannot_edit(client, people, computing_trip):
    client.force_login(people.leadership)
    body = client.get(reverse("travel:trip_detail", args=[computing_trip.pk])).content.decode()
    assert "data-move=" not in body
    assert reverse("travel:trip_edit", args=[computing_trip.pk]) not in body
    response = client.get(reverse("travel:trip_edit", args=[computing_trip.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("travel:trip_move", args=[computing_trip.pk, "cancel"]), {"comment": "no"}, follow=True
    )
    computing_trip.refresh_from_db()
    assert computing_trip.state == "draft"
    assert "Done." not in response.content.decode()


def test_applicant_sees_moves_with_reasons_and_a_labelled_comment(client, people, computing_trip):
    client.force_login(people.staff)
    body = client.get(reverse("travel:trip_detail", args=[computing_trip.pk])).content.decode()
    assert 'data-move="start_publicity"' in body
    # No invitation letter yet: the move is offered but blocked, with the reason.
    assert "Invitation letter" in body
    assert '<label for="comment-cancel">' in body


def test_coordinator_moves_on_behalf_of_the_applicant(client, people, computing_trip):
    client.force_login(people.coordinator)
    url = reverse("travel:trip_move", args=[computing_trip.pk, "cancel"])
    response = client.post(url, {"comment": "The conference was called off."}, follow=True)
    computing_trip.refresh_from_db()
    assert computing_trip.state == "cancelled"
    assert "Cancelled" in response.content.decode()
    entry = TransitionLog.objects.filter(object_id=computing_trip.pk, action="cancel").get()
    assert entry.actor_id == people.coordinator.pk
    assert entry.on_behalf_of_id == people.staff.pk


def test_move_without_required_comment_is_refused_with_a_message(client, people, computing_trip):
    client.force_login(people.staff)
    url = reverse("travel:trip_move", args=[computing_trip.pk, "cancel"])
    response = client.post(url, {"comment": ""}, follow=True)
    computing_trip.refresh_from_db()
    assert computing_trip.state == "draft"
    assert 'class="message error"' in response.content.decode()


def test_other_coordinator_cannot_move_or_download(client, people, computing_trip):
    record = trip_services.trip_file_add(
        trip=computing_trip,
        actor=people.staff,
        kind="invitation",
        uploaded=SimpleUploadedFile("invitation.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    client.force_login(people.other_coordinator)
    move = client.post(reverse("travel:trip_move", args=[computing_trip.pk, "cancel"]), {"comment": "x"})
    assert move.status_code == 404
    download = client.get(reverse("travel:trip_file", args=[computing_trip.pk, record.pk]))
    assert download.status_code == 404


def test_file_download_is_an_attachment_with_nosniff(client, people, computing_trip, humanities_trip):
    record = trip_services.trip_file_add(
        trip=computing_trip,
        actor=people.staff,
        kind="invitation",
        uploaded=SimpleUploadedFile("invitation.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    client.force_login(people.coordinator)
    response = client.get(reverse("travel:trip_file", args=[computing_trip.pk, record.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The file id under another trip's address is not found.
    client.force_login(people.officer)
    wrong = client.get(reverse("travel:trip_file", args=[humanities_trip.pk, record.pk]))
    assert wrong.status_code == 404


# --- filing ---------------------------------------------------------------------------------------


def _form_data(*, unit, applicant, person, **overrides) -> dict:
    de = germany()
    data = {
        "title": "Lecture tour in Germany",
        "applicant": applicant.pk,
        "unit": unit.pk,
        "region": "abroad",
        "delegation_kind": "academic",
        "purpose": "lecture",
        "task": "Give three lectures.",
        "depart_on": FUTURE.isoformat(),
        "return_on": (FUTURE + datetime.timedelta(days=2)).isoformat(),
        "inviter_name": "TU Munich",
        "inviter_is_counterpart": "on",
        "funding_source": "unit_budget",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-person": person.pk,
        "members-0-role": "leader",
        "members-0-post": "Professor",
        "itinerary-TOTAL_FORMS": "2",
        "itinerary-INITIAL_FORMS": "0",
        "itinerary-0-day": FUTURE.isoformat(),
        "itinerary-0-country": de.pk,
        "itinerary-0-city": "Munich",
        "itinerary-0-activity": "Lecture",
        "itinerary-1-day": (FUTURE + datetime.timedelta(days=2)).isoformat(),
        "itinerary-1-country": de.pk,
        "itinerary-1-city": "Munich",
        "budget-TOTAL_FORMS": "1",
        "budget-INITIAL_FORMS": "0",
        "budget-0-kind": "travel",
        "budget-0-currency": "cny",
        "budget-0-amount": "8000",
        "budget-0-persons": "1",
        "budget-0-days": "1",
    }
    data.update(overrides)
    return data


def test_staff_files_for_themselves(client, org, people, staff_person):
    client.force_login(people.staff)
    page = client.get(reverse("travel:trip_create"))
    assert page.status_code == 200
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    data["invitation"] = SimpleUploadedFile("invitation.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(reverse("travel:trip_create"), data)
    trip = Trip.objects.get(title="Lecture tour in Germany")
    assert response.status_code == 302 and response["Location"] == trip.get_absolute_url()
    assert trip.applicant == people.staff and trip.created_by == people.staff
    assert trip.members.get().role == "leader"
    assert trip.itinerary.count() == 2
    assert trip.budget_lines.get().currency == "CNY"
    assert trip.files.get().kind == "invitation"


def _stored(trip: Trip, code: str) -> str:
    trip.refresh_from_db()
    return next(r["outcome"] for r in trip.rule_results if r["code"] == code)


def test_a_trip_filed_with_its_invitation_letter_does_not_show_it_missing(client, org, people, staff_person):
    """The page attaches the letter after the create service stored the check: adding it checks again."""
    client.force_login(people.staff)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    data["invitation"] = SimpleUploadedFile("invitation.pdf", pdf_bytes(), content_type="application/pdf")
    client.post(reverse("travel:trip_create"), data)
    trip = Trip.objects.get(title="Lecture tour in Germany")
    assert _stored(trip, "counterpart_invitation") == "pass"
    page = client.get(trip.get_absolute_url()).content.decode()
    assert "Upload the invitation letter of the inviting organisation." not in page


def test_adding_and_removing_a_file_runs_the_stored_rule_check_again(people, computing_trip):
    from meridian.travel.rules import trip_check

    trip_check(trip=computing_trip, save=True)
    assert _stored(computing_trip, "counterpart_invitation") == "fail"
    record = trip_services.trip_file_add(
        trip=computing_trip,
        actor=people.staff,
        kind="invitation",
        uploaded=SimpleUploadedFile("invitation.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    assert _stored(computing_trip, "counterpart_invitation") == "pass"
    trip_services.trip_file_delete(file=record, actor=people.staff)
    assert _stored(computing_trip, "counterpart_invitation") == "fail"


def test_secretary_files_on_behalf_of_a_person_of_the_unit(client, org, people, staff_person):
    client.force_login(people.coordinator)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    response = client.post(reverse("travel:trip_create"), data)
    assert response.status_code == 302
    trip = Trip.objects.get(title="Lecture tour in Germany")
    assert trip.applicant == people.staff
    assert trip.created_by == people.coordinator
    # The applicant finds it under "My trips".
    client.force_login(people.staff)
    mine = client.get(reverse("travel:trip_list"), {"mine": "1"}).content.decode()
    assert trip.number in mine


def test_staff_cannot_file_for_someone_else(client, org, people, staff_person):
    client.force_login(people.staff)
    data = _form_data(unit=org.computing, applicant=people.student, person=staff_person)
    response = client.post(reverse("travel:trip_create"), data)
    assert response.status_code == 200
    assert not Trip.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_other_coordinator_cannot_file_for_another_unit(client, org, people, staff_person):
    client.force_login(people.other_coordinator)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    response = client.post(reverse("travel:trip_create"), data)
    assert response.status_code == 200
    assert not Trip.objects.exists()


def test_outsider_and_partner_contact_cannot_file(client, org, people):
    client.force_login(people.outsider)
    assert client.get(reverse("travel:trip_create")).status_code == 403
    client.force_login(partner_contact_user(org))
    assert client.get(reverse("travel:trip_create")).status_code == 403


def test_errors_keep_everything_typed(client, org, people, staff_person):
    client.force_login(people.staff)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person, task="")
    data["return_on"] = (FUTURE - datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("travel:trip_create"), data)
    body = response.content.decode()
    assert response.status_code == 200 and not Trip.objects.exists()
    assert "The return date lies before the departure date." in body
    assert 'value="Lecture tour in Germany"' in body
    assert 'value="Munich"' in body
    assert 'value="8000"' in body


def test_itinerary_outside_the_dates_is_shown_in_its_section(client, org, people, staff_person):
    client.force_login(people.staff)
    late = (FUTURE + datetime.timedelta(days=10)).isoformat()
    data = _form_data(
        unit=org.computing, applicant=people.staff, person=staff_person, **{"itinerary-1-day": late}
    )
    response = client.post(reverse("travel:trip_create"), data)
    assert not Trip.objects.exists()
    assert "lies outside the trip" in response.content.decode()


def test_add_a_row_without_javascript(client, org, people, staff_person):
    client.force_login(people.staff)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person, task="")
    data["add_row"] = "members"
    response = client.post(reverse("travel:trip_create"), data)
    body = response.content.decode()
    assert not Trip.objects.exists()
    assert 'name="members-TOTAL_FORMS" value="2"' in body
    assert 'name="members-1-person"' in body
    assert "This field is required" not in body  # adding a row does not complain about unfinished fields
    assert 'value="Lecture tour in Germany"' in body


def test_edit_a_draft_and_stale_edit_shows_what_changed(client, org, people, computing_trip, staff_person):
    client.force_login(people.staff)
    url = reverse("travel:trip_edit", args=[computing_trip.pk])
    page = client.get(url).content.decode()
    assert 'value="Heidelberg conference"' in page
    stale_version = computing_trip.version
    trip_services.trip_update(trip=computing_trip, actor=people.coordinator, title="Renamed by the secretary")
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person, title="My new title")
    data["version"] = stale_version
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Renamed by the secretary" in body  # what changed meanwhile
    assert 'value="My new title"' in body  # what the user typed is kept
    computing_trip.refresh_from_db()
    assert computing_trip.title == "Renamed by the secretary"


def test_edit_saves_and_keeps_members_the_applicant_cannot_otherwise_see(
    client, org, people, computing_trip, staff_person
):
    colleague = make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Chen", given_name="Liu")
    trip_services.trip_update(
        trip=computing_trip,
        actor=people.coordinator,
        members=[{"person": staff_person, "role": "leader"}, {"person": colleague, "role": "member"}],
    )
    computing_trip.refresh_from_db()
    client.force_login(people.staff)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person, title="Edited")
    data.update(
        {
            "version": computing_trip.version,
            "members-TOTAL_FORMS": "2",
            "members-1-person": colleague.pk,
            "members-1-role": "member",
        }
    )
    response = client.post(reverse("travel:trip_edit", args=[computing_trip.pk]), data)
    assert response.status_code == 302
    computing_trip.refresh_from_db()
    assert computing_trip.title == "Edited"
    assert set(computing_trip.members.values_list("person_id", flat=True)) == {staff_person.pk, colleague.pk}


def test_edit_of_a_trip_no_longer_draft_is_refused(client, org, people, staff_person):
    trip = make_trip(unit=org.computing, applicant=people.staff, leader=staff_person, state="under_review")
    client.force_login(people.staff)
    response = client.get(reverse("travel:trip_edit", args=[trip.pk]), follow=True)
    assert "can be edited only while it is a draft" in response.content.decode()


# --- the live check and the people search ---------------------------------------------------------


def test_live_check_renders_rule_results(client, org, people, staff_person, monkeypatch):
    from meridian.travel import rules

    seen: dict[str, Any] = {}

    def fake_check(*, fields, members, itinerary, budget, trip=None):
        seen.update(fields=fields, members=members, itinerary=itinerary, budget=budget, trip=trip)
        return [
            {
                "code": "annual_plan",
                "label": "Trip in the annual plan",
                "severity": "justify",
                "outcome": "fail",
                "message": "The trip is outside the plan.",
                "source": {"document": "Rules of the university", "article": "art. 3", "url": ""},
                "justification": "",
            }
        ]

    monkeypatch.setattr(rules, "check_data", fake_check, raising=False)
    client.force_login(people.staff)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    data["justification-annual_plan"] = "Invited at short notice."
    response = client.post(reverse("travel:trip_check"), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "The trip is outside the plan." in body
    assert 'name="justification-annual_plan"' in body
    assert "Invited at short notice." in body
    assert seen["members"][0]["person"] == staff_person
    assert len(seen["itinerary"]) == 2
    assert seen["fields"]["justifications"] == {"annual_plan": "Invited at short notice."}
    assert seen["trip"] is None


def test_live_check_without_rule_pack_returns_no_results(client, org, people, staff_person, monkeypatch):
    from meridian.travel import rules

    monkeypatch.delattr(rules, "check_data", raising=False)
    client.force_login(people.staff)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    response = client.post(reverse("travel:trip_check"), data)
    assert response.status_code == 200
    assert "data-outcome" not in response.content.decode()


def test_live_check_is_refused_for_a_trip_the_user_may_not_edit(
    client, org, people, computing_trip, staff_person
):
    client.force_login(people.other_coordinator)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    data["trip_id"] = computing_trip.pk
    assert client.post(reverse("travel:trip_check"), data).status_code == 404
    client.force_login(people.outsider)
    assert client.post(reverse("travel:trip_check"), data).status_code == 403


def test_live_check_requires_post(client, people):
    client.force_login(people.staff)
    assert client.get(reverse("travel:trip_check")).status_code == 405


def test_people_search_offers_only_visible_people(client, org, people, staff_person):
    make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Wangmu", given_name="A")
    make_person(kind=PersonKind.STAFF, unit=org.humanities, family_name="Wangxi", given_name="B")
    client.force_login(people.coordinator)
    body = client.get(reverse("travel:trip_people"), {"members-0-person_search": "wang"}).content.decode()
    assert "WANGMU A" in body and "WANG Wu" in body
    assert "WANGXI" not in body.upper()


def test_live_check_refreshes_the_plan_line_choices(client, org, people, staff_person, monkeypatch):
    from meridian.travel.models import TripPlan, TripPlanLine

    plan = TripPlan.objects.create(unit=org.computing, year=FUTURE.year, state="submitted")
    line = TripPlanLine.objects.create(
        plan=plan, category="academic", purpose="lecture", description="Lectures"
    )
    seen: dict[str, Any] = {}

    def lines_for(*, unit_id, year, region):
        seen.update(unit_id=unit_id, year=year, region=region)
        return TripPlanLine.objects.filter(plan__unit_id=unit_id, plan__year=year)

    monkeypatch.setattr("meridian.travel.selectors.plans.plan_lines_for", lines_for)
    client.force_login(people.staff)
    data = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    body = client.post(reverse("travel:trip_check"), data).content.decode()
    assert 'id="plan-line-field" hx-swap-oob="true"' in body
    assert f'<option value="{line.pk}">' in body
    assert seen == {"unit_id": org.computing.pk, "year": FUTURE.year, "region": "abroad"}


# --- untouched extra rows, posted as a browser posts them -----------------------------------------------


class _BrowserForm(HTMLParser):
    """What a browser submits for the form ``form_id`` of a page: every control as rendered (text inputs,
    hidden inputs, textareas), ticked boxes only, and for a select its selected option or, when none is
    marked selected, its first one. Contents of ``<template>`` are not part of the form."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.depth = 0  # > 0 inside the form
        self.in_template = 0
        self.pairs: list[tuple[str, str]] = []
        self.select: dict[str, Any] | None = None
        self.option: dict[str, Any] | None = None
        self.textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if self.depth or a.get("id") == self.form_id:
                self.depth += 1
            return
        if not self.depth:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((name, a.get("value") or "on"))
                return
            self.pairs.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select = {"name": name, "options": [], "multiple": "multiple" in a}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
            self.select["options"].append(self.option)
        elif tag == "textarea" and name:
            self.textarea = {"name": name, "text": ""}

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "template" and self.in_template:
            self.in_template -= 1
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self.select["multiple"]:
                chosen = options[:1]
            for o in chosen:
                value = o["value"] if o["value"] is not None else o["text"].strip()
                self.pairs.append((self.select["name"], value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.pairs.append((self.textarea["name"], self.textarea["text"].removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option["text"] += data
        elif self.textarea is not None:
            self.textarea["text"] += data


def browser_post_data(html: str, form_id: str, **changes: Any) -> dict[str, list[str]]:
    """The data a browser posts for form ``form_id`` of ``html`` left as rendered, with ``changes`` (name
    → value) typed in."""
    parser = _BrowserForm(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = [str(value)]
    return data


def cloned_row(html: str, kind: str, index: int) -> str:
    """The row the page's script adds for "add a row": the formset's empty form with its index."""
    template = re.search(rf'<template id="{kind}-template">(.*?)</template>', html, re.S)
    assert template is not None
    return template.group(1).replace("__prefix__", str(index))


def test_saving_the_edit_page_as_posted_ignores_the_untouched_extra_rows(client, people, computing_trip):
    client.force_login(people.staff)
    url = reverse("travel:trip_edit", args=[computing_trip.pk])
    page = client.get(url).content.decode()
    assert 'name="budget-1-kind"' in page and 'name="members-1-role"' in page  # the extra rows
    data = browser_post_data(page, "trip-form", title="Edited as posted")
    assert data["budget-1-kind"] == ["travel"] and data["budget-1-amount"] == [""]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    computing_trip.refresh_from_db()
    assert computing_trip.title == "Edited as posted"
    assert computing_trip.budget_lines.count() == 1
    assert computing_trip.members.count() == 1


def test_a_new_trip_with_added_rows_left_blank_is_filed(client, org, people, staff_person):
    """Rows added by the page's script (the empty form) and by the server ("add a row" without
    JavaScript) and left untouched are ignored when the page is saved."""
    client.force_login(people.staff)
    url = reverse("travel:trip_create")
    typed = _form_data(unit=org.computing, applicant=people.staff, person=staff_person)
    typed.update({"budget-TOTAL_FORMS": "2", "add_row": "budget"})
    # Without JavaScript: the server adds a third budget row and shows the page again.
    page = client.post(url, typed).content.decode()
    assert 'name="budget-TOTAL_FORMS" value="3"' in page
    data = browser_post_data(page, "trip-form")
    assert data["budget-2-kind"] == ["travel"] and data["budget-2-currency"] == ["CNY"]
    assert data["budget-2-persons"] == ["1"] and data["members-0-role"] == ["leader"]
    # With JavaScript: "Add a budget line" clones the empty row.
    data.update(browser_post_data(f'<form id="row">{cloned_row(page, "budget", 3)}</form>', "row"))
    data["budget-TOTAL_FORMS"] = ["4"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    trip = Trip.objects.get(title="Lecture tour in Germany")
    assert trip.budget_lines.count() == 1 and trip.members.count() == 1


# --- "nothing for you to do" --------------------------------------------------------------------------


NOTHING_TO_DO = "There is nothing for you to do on this trip now."


def test_an_approver_whose_step_is_open_is_not_told_there_is_nothing_to_do(client, org, people):
    from meridian.workflow.chains import approval_start, chain_create
    from meridian.workflow.registry import case_types

    chain_create(
        actor=people.admin,
        case_type="trip",
        name="Trips",
        steps=[{"label": "Vice-president", "assignee_kind": "person", "person": people.leadership}],
    )
    trip = make_trip(unit=org.computing, applicant=people.staff, state="under_review")
    approval_start(case=trip, case_type=case_types.get("trip"), actor=people.staff)
    url = reverse("travel:trip_detail", args=[trip.pk])
    client.force_login(people.leadership)
    response = client.get(url)
    page = response.content.decode()
    assert not response.context["moves"] and response.context["has_open_task"]
    assert 'data-step-action="approve"' in page  # their decision form
    assert NOTHING_TO_DO not in page
    # On a trip where they hold no step and have no move, they are still told.
    other = make_trip(unit=org.computing, applicant=people.staff, state="under_review")
    response = client.get(reverse("travel:trip_detail", args=[other.pk]))
    assert not response.context["moves"] and not response.context["has_open_task"]
    assert NOTHING_TO_DO in response.content.decode()


# --- adding and removing files on the trip page ----------------------------------------------------------


def _in_state(trip: Trip, state: str) -> Trip:
    Trip.objects.filter(pk=trip.pk).update(state=state)
    trip.refresh_from_db()
    return trip


def _kinds_offered(client, trip: Trip) -> list[str] | None:
    """The kinds in the trip page's upload form (None: no form)."""
    page = client.get(reverse("travel:trip_detail", args=[trip.pk])).content.decode()
    form = re.search(r'<form[^>]*id="file-add-form".*?</form>', page, re.S)
    if form is None:
        return None
    assert f'action="{reverse("travel:trip_file_add", args=[trip.pk])}"' in form.group(0)
    assert 'enctype="multipart/form-data"' in form.group(0) and "csrfmiddlewaretoken" in form.group(0)
    return re.findall(r'<option value="([a-z_]+)"', form.group(0))


def _upload(client, trip: Trip, kind: str, data: bytes | None = None, name: str = "scan.pdf", **extra):
    upload = SimpleUploadedFile(
        name, data if data is not None else pdf_bytes(), content_type="application/pdf"
    )
    return client.post(
        reverse("travel:trip_file_add", args=[trip.pk]), {"kind": kind, "file": upload}, **extra
    )


def _secretary(org):
    from meridian.accounts.choices import Role
    from meridian.accounts.services import membership_grant, user_create
    from meridian.workflow.choices import PostKind
    from meridian.workflow.models import UnitPost

    secretary = user_create(username="secretary", email="secretary@meridian.example", password="x-secret")
    membership_grant(user=secretary, unit=org.engineering, role=Role.STAFF)
    UnitPost.objects.create(unit=org.engineering, user=secretary, post=PostKind.SECRETARY)
    return secretary


ALL_KINDS = [
    "invitation",
    "invitation_translation",
    "conference_notice",
    "paper",
    "external_approval",
    "passport_stamps",
    "other",
]
DRAFT_KINDS = ["invitation", "invitation_translation", "conference_notice", "paper", "other"]
KINDS_MATRIX = [
    # role, state, kinds offered (None: no upload form)
    ("officer", "draft", ALL_KINDS),
    ("officer", "approved", ["external_approval", "passport_stamps"]),
    ("officer", "authorised", ["external_approval", "passport_stamps"]),
    ("officer", "closed", ["external_approval", "passport_stamps"]),
    ("staff", "draft", DRAFT_KINDS),
    ("staff", "authorised", None),
    ("staff", "abroad", ["passport_stamps"]),
    ("staff", "returned", ["passport_stamps"]),
    ("coordinator", "draft", DRAFT_KINDS),
    ("coordinator", "approved", None),
    ("coordinator", "returned", ["passport_stamps"]),
    ("secretary", "closed", ["passport_stamps"]),
    ("leadership", "returned", None),
]


@pytest.mark.parametrize(("role", "state", "kinds"), KINDS_MATRIX)
def test_the_upload_form_offers_the_kinds_the_user_may_add_now(
    client, org, people, computing_trip, role, state, kinds
):
    user = _secretary(org) if role == "secretary" else getattr(people, role)
    client.force_login(user)
    assert _kinds_offered(client, _in_state(computing_trip, state)) == kinds


def test_the_applicant_adds_passport_stamp_pages_after_the_return(client, people, computing_trip):
    trip = _in_state(computing_trip, "returned")
    client.force_login(people.staff)
    response = _upload(client, trip, "passport_stamps", name="stamps.pdf", follow=True)
    assert response.redirect_chain[-1][0] == reverse("travel:trip_detail", args=[trip.pk]) + "#files"
    assert "stamps.pdf is added to the trip" in response.content.decode()
    record = trip.files.get()
    assert (record.kind, record.uploaded_by) == ("passport_stamps", people.staff)
    assert reverse("travel:trip_file", args=[trip.pk, record.pk]) in response.content.decode()


@pytest.mark.parametrize(
    ("role", "state", "kind"),
    [
        ("staff", "authorised", "passport_stamps"),  # before departure
        ("staff", "returned", "external_approval"),
        ("staff", "returned", "invitation"),  # no longer a draft
        ("officer", "approved", "invitation"),
        ("leadership", "returned", "passport_stamps"),
    ],
)
def test_adding_a_file_the_user_may_not_add_now_is_403(client, people, computing_trip, role, state, kind):
    trip = _in_state(computing_trip, state)
    client.force_login(getattr(people, role))
    assert _upload(client, trip, kind).status_code == 403
    assert not trip.files.exists()


def test_adding_a_file_to_an_invisible_trip_is_404(client, people, computing_trip):
    trip = _in_state(computing_trip, "returned")
    for user in (people.other_coordinator, people.student):
        client.force_login(user)
        assert _upload(client, trip, "passport_stamps").status_code == 404
    client.logout()
    assert _upload(client, trip, "passport_stamps").status_code == 302  # to sign in
    assert not trip.files.exists()


def test_adding_a_file_is_a_post_with_csrf(people, computing_trip):
    from django.test import Client

    trip = _in_state(computing_trip, "returned")
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.staff)
    assert client.get(reverse("travel:trip_file_add", args=[trip.pk])).status_code == 405
    assert _upload(client, trip, "passport_stamps").status_code == 403
    assert not trip.files.exists()


def test_a_refused_file_is_shown_as_an_error_and_nothing_is_stored(client, people, computing_trip):
    trip = _in_state(computing_trip, "returned")
    client.force_login(people.staff)
    response = _upload(
        client, trip, "passport_stamps", data=b"MZ\x90\x00 not a pdf", name="stamps.pdf", follow=True
    )
    assert "The file stamps.pdf is not a PDF, Word, Excel, PNG or JPEG file." in response.content.decode()
    response = client.post(
        reverse("travel:trip_file_add", args=[trip.pk]), {"kind": "passport_stamps"}, follow=True
    )
    assert "File: This field is required." in response.content.decode()
    response = _upload(client, trip, "nonsense", follow=True)
    assert "Kind of document:" in response.content.decode()
    assert not trip.files.exists()


def _real_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_office_adds_the_missing_approval_scan_and_the_pack_is_made(client, org, people, computing_trip):
    """The approval document was recorded without a scan: the reimbursement pack says it is missing (409);
    the scan added on the trip page becomes the document's scan, and the pack is made."""
    from meridian.core.models import Activity
    from meridian.travel.models import ExternalApproval

    trip = _in_state(computing_trip, "returned")
    approval = ExternalApproval.objects.create(
        trip=trip,
        document_number="粤外办〔2026〕9号",
        issued_on=datetime.date.today(),
        authority="Provincial Foreign Affairs Office",
        approved_people=list(trip.members.values_list("person_id", flat=True)),
        approved_itinerary="Germany, Heidelberg",
    )
    pack = reverse("travel:reimbursement_pack", args=[trip.pk])
    client.force_login(people.staff)
    assert client.get(pack).status_code == 409
    client.force_login(people.officer)
    page = client.get(reverse("travel:trip_detail", args=[trip.pk])).content.decode()
    assert 'href="#file-add-form"' in page  # the panel points to the upload form
    response = _upload(client, trip, "external_approval", data=_real_pdf(), name="pijian.pdf", follow=True)
    assert "pijian.pdf is added as the scan of the approval document." in response.content.decode()
    approval.refresh_from_db()
    assert approval.scan is not None and approval.scan.original_name == "pijian.pdf"
    assert Activity.objects.filter(verb="external_approval_scan").exists()
    # A second scan is filed with the documents; the recorded scan stays.
    _upload(client, trip, "external_approval", name="pijian-2.pdf")
    approval.refresh_from_db()
    assert approval.scan.original_name == "pijian.pdf"
    client.force_login(people.staff)
    _upload(client, trip, "passport_stamps", data=_real_pdf(), name="stamps.pdf")
    response = client.get(pack)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_files_are_removed_by_those_who_may(client, people, computing_trip):
    invitation = trip_services.trip_file_add(
        trip=computing_trip,
        actor=people.staff,
        kind="invitation",
        uploaded=SimpleUploadedFile("invitation.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    delete = reverse("travel:trip_file_delete", args=[computing_trip.pk, invitation.pk])
    client.force_login(people.leadership)
    page = client.get(reverse("travel:trip_detail", args=[computing_trip.pk])).content.decode()
    assert delete not in page
    assert client.post(delete).status_code == 403
    client.force_login(people.other_coordinator)
    assert client.post(delete).status_code == 404
    client.force_login(people.staff)
    assert delete in client.get(reverse("travel:trip_detail", args=[computing_trip.pk])).content.decode()
    assert client.get(delete).status_code == 405
    response = client.post(delete, follow=True)
    assert "invitation.pdf is removed from the trip" in response.content.decode()
    assert not computing_trip.files.exists()


def test_after_the_draft_only_the_office_removes_its_scans(client, people, computing_trip):
    trip = _in_state(computing_trip, "returned")
    stamps = trip_services.trip_file_add(
        trip=trip,
        actor=people.staff,
        kind="passport_stamps",
        uploaded=SimpleUploadedFile("stamps.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    invitation = trip_services.trip_file_add(
        trip=trip,
        actor=people.officer,
        kind="invitation",
        uploaded=SimpleUploadedFile("invitation.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    client.force_login(people.staff)
    assert client.post(reverse("travel:trip_file_delete", args=[trip.pk, stamps.pk])).status_code == 403
    client.force_login(people.officer)
    assert client.post(reverse("travel:trip_file_delete", args=[trip.pk, invitation.pk])).status_code == 403
    assert client.post(reverse("travel:trip_file_delete", args=[trip.pk, stamps.pk])).status_code == 302
    assert list(trip.files.all()) == [invitation]
