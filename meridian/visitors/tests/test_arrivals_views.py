"""Pages of arrivals and registrations: the role × page matrix, the registrations list (overdue, filters,
flat queries), the guest's arrival page (bad input keeps what was typed), recording a registration, the
police sheet (logged, masked from everyone else) and the visit page's panel."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.people.models import AccessLog
from meridian.visitors.choices import AccommodationKind
from meridian.visitors.models import AccommodationRegistration
from meridian.visitors.tests.factories import make_visit
from meridian.visitors.tests.factories_arrivals import open_registration, passport_of
from meridian.visitors.views.arrivals import arrivals_panel
from meridian.workflow.testing import ROLES, role_users

PASSPORT = "C01X00T47"
VISA = "V99887766"


@pytest.fixture
def host(org):
    """The visit's host: a lecturer of Computing (the matrix's ``staff`` is another lecturer)."""
    user = user_create(username="host", email="host@meridian.example", password="x-host-password")
    membership_grant(user=user, unit=org.computing, role=Role.STAFF)
    return user


@pytest.fixture
def visit(org, host):
    today = timezone.localdate()
    return make_visit(
        host_unit=org.computing,
        host=host,
        state="arrived",
        arrive_on=today - datetime.timedelta(days=1),
        depart_on=today + datetime.timedelta(days=3),
        accommodation=AccommodationKind.ON_CAMPUS,
        accommodation_address="Guest house, Room 305",
    )


@pytest.fixture
def guest(visit):
    guest = visit.guests.get()
    guest.arrived_at = timezone.now() - datetime.timedelta(hours=2)
    guest.save()
    return guest


@pytest.fixture
def registration(guest):
    return open_registration(guest)


# Expected answer per page and role: "ok" (200, or 302 after a POST), 403 (sees the visit, may not act),
# 404 (may not know it exists).
MATRIX: dict[str, dict[str, object]] = {
    "registrations": {
        "administrator": "ok",
        "officer": "ok",
        "coordinator": "ok",
        "staff": 403,
        "student": 403,
        "leadership": "ok",
        "partner_contact": 403,
        "outsider": 403,
    },
    "guest_arrival": {
        "administrator": "ok",
        "officer": "ok",
        "coordinator": "ok",
        "staff": 404,
        "student": 404,
        "leadership": 403,
        "partner_contact": 404,
        "outsider": 404,
    },
    "registration_done": {
        "administrator": "ok",
        "officer": "ok",
        "coordinator": "ok",
        "staff": 404,
        "student": 404,
        "leadership": 403,
        "partner_contact": 404,
        "outsider": 404,
    },
    "police_sheet": {
        "administrator": "ok",
        "officer": "ok",
        "coordinator": "ok",
        "staff": 404,
        "student": 404,
        "leadership": 403,
        "partner_contact": 404,
        "outsider": 404,
    },
}


def test_the_matrix_covers_every_role():
    for table in MATRIX.values():
        assert set(table) == set(ROLES)


def request_page(client, page, registration):
    guest = registration.guest
    if page == "registrations":
        return client.get(reverse("visitors:registrations"))
    if page == "guest_arrival":
        return client.get(reverse("visitors:guest_arrival", args=[guest.visit_id, guest.pk]))
    if page == "registration_done":
        local = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        return client.post(
            reverse("visitors:registration_done", args=[registration.pk]),
            {"registered_at": local, "receipt_number": "R-1"},
        )
    return client.get(reverse("visitors:police_sheet", args=[registration.pk]))


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        pytest.param(role, page, expected, id=f"{role}-{page}")
        for page, table in MATRIX.items()
        for role, expected in table.items()
    ],
)
def test_role_page_matrix(client, org, people, registration, role, page, expected):
    passport_of(registration.guest, PASSPORT)
    user = role_users(org, people)[role]
    client.force_login(user)
    response = request_page(client, page, registration)
    if expected == "ok":
        assert response.status_code == (302 if page == "registration_done" else 200)
    else:
        assert response.status_code == expected
    registration.refresh_from_db()
    assert registration.state == (
        "registered" if page == "registration_done" and expected == "ok" else "open"
    )
    revealed = AccessLog.objects.filter(action="unmask", user=user).exists()
    assert revealed == (page == "police_sheet" and expected == "ok")
    if expected != "ok":
        assert PASSPORT not in response.content.decode()


@pytest.mark.parametrize("page", ["guest_arrival", "registration_done", "police_sheet"])
def test_the_host_may_use_every_page_of_their_visit(client, host, registration, page):
    passport_of(registration.guest, PASSPORT)
    client.force_login(host)
    response = request_page(client, page, registration)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("page", list(MATRIX))
def test_anonymous_visitors_are_sent_to_sign_in(client, registration, page):
    response = request_page(client, page, registration)
    assert response.status_code == 302 and "login" in response["Location"]


class TestList:
    def test_overdue_registrations_are_marked_and_filtered(self, client, people, guest):
        late = open_registration(guest, hours_ago=30, due_in=-6)
        fine = open_registration(guest, hours_ago=1, due_in=23)
        client.force_login(people.coordinator)
        text = client.get(reverse("visitors:registrations")).content.decode()
        assert f'data-registration="{late.pk}" data-overdue="1"' in text
        assert f'data-registration="{fine.pk}">' in text
        assert text.count("badge overdue") == 1
        only = client.get(reverse("visitors:registrations"), {"overdue": "on"}).content.decode()
        assert f'data-registration="{late.pk}"' in only and f'data-registration="{fine.pk}"' not in only

    def test_a_secretary_sees_only_their_units_and_the_state_filter_works(
        self, client, org, people, registration
    ):
        other_visit = make_visit(host_unit=org.humanities, host=people.other_coordinator, state="arrived")
        theirs = open_registration(other_visit.guests.get())
        done = open_registration(registration.guest)
        AccommodationRegistration.objects.filter(pk=done.pk).update(state="registered")
        client.force_login(people.coordinator)
        text = client.get(reverse("visitors:registrations")).content.decode()
        assert f'data-registration="{registration.pk}"' in text
        assert f'data-registration="{theirs.pk}"' not in text
        filtered = client.get(reverse("visitors:registrations"), {"state": "registered"}).content.decode()
        assert f'data-registration="{done.pk}"' in filtered
        assert f'data-registration="{registration.pk}"' not in filtered
        client.force_login(people.officer)
        units = client.get(reverse("visitors:registrations"), {"unit": org.humanities.pk}).content.decode()
        assert (
            f'data-registration="{theirs.pk}"' in units
            and f'data-registration="{registration.pk}"' not in units
        )

    def test_an_invalid_filter_lists_nothing_and_says_so(self, client, people, registration):
        client.force_login(people.officer)
        response = client.get(reverse("visitors:registrations"), {"state": "lost"})
        text = response.content.decode()
        assert 'id="filter-errors"' in text and f'data-registration="{registration.pk}"' not in text

    def test_a_secretary_may_not_filter_on_another_unit(self, client, org, people, registration):
        client.force_login(people.coordinator)
        text = client.get(reverse("visitors:registrations"), {"unit": org.humanities.pk}).content.decode()
        assert 'id="filter-errors"' in text

    def test_leadership_reads_the_list_without_buttons(self, client, people, registration):
        client.force_login(people.leadership)
        text = client.get(reverse("visitors:registrations")).content.decode()
        assert f'data-registration="{registration.pk}"' in text
        assert reverse("visitors:registration_done", args=[registration.pk]) not in text
        assert reverse("visitors:police_sheet", args=[registration.pk]) not in text

    def test_queries_do_not_grow_with_rows(self, client, people, guest):
        from meridian.workflow.testing import assert_flat_queries

        def add_rows(n: int) -> None:
            for _ in range(n):
                open_registration(guest)

        client.force_login(people.coordinator)
        assert_flat_queries(fetch=lambda: client.get(reverse("visitors:registrations")), add_rows=add_rows)


class TestGuestPage:
    def url(self, guest):
        return reverse("visitors:guest_arrival", args=[guest.visit_id, guest.pk])

    def test_bad_input_redisplays_what_was_typed_and_stores_nothing(self, client, host, guest):
        client.force_login(host)
        before = guest.arrived_at
        response = client.post(
            self.url(guest),
            {
                "action": "arrival",
                "arrived_at": "2020-13-45T99:00",
                "accommodation": "private",
                "address": "7 Elm St",
            },
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "7 Elm St" in text and 'id="arrival-arrived_at"' in text
        guest.refresh_from_db()
        assert guest.arrived_at == before and not guest.registrations.exists()

    def test_a_private_residence_needs_an_address(self, client, host, guest):
        client.force_login(host)
        local = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        response = client.post(
            self.url(guest),
            {"action": "arrival", "arrived_at": local, "accommodation": "private", "address": ""},
        )
        assert response.status_code == 400
        assert "Give the address where the guest stays." in response.content.decode()

    def test_recording_a_new_document_opens_a_registration(self, client, host, guest):
        client.force_login(host)
        response = client.post(
            self.url(guest), {"action": "document", "occurred_on": timezone.localdate().isoformat()}
        )
        assert response.status_code == 302
        assert guest.registrations.get().reason == "new_document"

    def test_a_move_and_the_arrival_form(self, client, host, guest):
        client.force_login(host)
        local = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        response = client.post(
            self.url(guest),
            {"action": "move", "occurred_at": local, "accommodation": "private", "address": "8 Lotus Lane"},
        )
        assert response.status_code == 302
        registration = guest.registrations.get()
        assert (registration.reason, registration.address) == ("address_change", "8 Lotus Lane")
        page = client.get(self.url(guest)).content.decode()
        assert "8 Lotus Lane" in page and "Change of address" in page

    def test_an_unknown_action_changes_nothing(self, client, host, guest):
        client.force_login(host)
        response = client.post(self.url(guest), {"action": "teleport"})
        assert response.status_code == 302 and not guest.registrations.exists()

    def test_a_guest_of_another_visit_is_not_found(self, client, org, people, host, guest):
        other = make_visit(host_unit=org.computing, host=host, state="arrived")
        client.force_login(host)
        url = reverse("visitors:guest_arrival", args=[other.pk, guest.pk])
        assert client.get(url).status_code == 404

    def test_recording_the_registration_with_bad_input_keeps_it_open(self, client, host, registration):
        client.force_login(host)
        future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        response = client.post(
            reverse("visitors:registration_done", args=[registration.pk]),
            {"registered_at": future, "receipt_number": "R-77"},
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "R-77" in text and "This lies in the future" in text
        registration.refresh_from_db()
        assert registration.state == "open"

    def test_waiving_is_for_the_unit_not_the_host(self, client, host, people, registration):
        url = reverse("visitors:registration_waive", args=[registration.pk])
        client.force_login(host)
        assert client.post(url, {"reason": "Left the same day"}).status_code == 403
        client.force_login(people.coordinator)
        assert client.post(url, {"reason": ""}).status_code == 400
        assert client.post(url, {"reason": "Left the same day"}).status_code == 302
        registration.refresh_from_db()
        assert registration.state == "waived"

    def test_next_may_not_lead_off_site(self, client, host, registration):
        client.force_login(host)
        local = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        response = client.post(
            reverse("visitors:registration_done", args=[registration.pk]),
            {"registered_at": local, "next": "https://evil.example/"},
        )
        assert response.status_code == 302 and "evil" not in response["Location"]


class TestPoliceSheet:
    def test_the_sheet_shows_the_numbers_and_logs_each_read_with_its_purpose(
        self, client, host, registration
    ):
        guest = registration.guest
        passport = passport_of(guest, PASSPORT)
        visa = passport_of(guest, VISA, kind="visa", expiry_date=datetime.date(2030, 6, 1))
        client.force_login(host)
        response = client.get(reverse("visitors:police_sheet", args=[registration.pk]))
        text = response.content.decode()
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        assert PASSPORT in text and VISA in text and "SCHMIDT" in text and "2031-01-09" in text
        assert "Guest house, Room 305" in text and registration.guest.visit.number in text
        assert 'lang="zh-hans"' in text  # labels also in Chinese, as in the police app
        logs = AccessLog.objects.filter(user=host, action="unmask").order_by("document_ref")
        assert [log.document_ref for log in logs] == sorted([passport.pk, visa.pk])
        assert all(guest.visit.number in log.purpose for log in logs)

    def test_the_office_reveals_through_the_people_service(self, client, people, registration):
        passport_of(registration.guest, PASSPORT)
        client.force_login(people.officer)
        assert (
            PASSPORT in client.get(reverse("visitors:police_sheet", args=[registration.pk])).content.decode()
        )
        assert AccessLog.objects.filter(user=people.officer, action="unmask").count() == 1

    def test_without_documents_the_lines_are_left_blank(self, client, host, registration):
        client.force_login(host)
        response = client.get(reverse("visitors:police_sheet", args=[registration.pk]))
        assert response.status_code == 200 and 'class="blank"' in response.content.decode()
        assert not AccessLog.objects.exists()


class TestPanel:
    def panel(self, visit, user):
        request = RequestFactory().get("/")
        request.user = user
        return arrivals_panel(request, visit)

    @pytest.mark.parametrize("state", ["draft", "under_review", "rejected", "cancelled"])
    def test_hidden_before_approval(self, org, host, state):
        visit = make_visit(host_unit=org.computing, host=host, state=state)
        assert self.panel(visit, host) is None

    def test_shows_each_guest_with_due_time_state_and_buttons(self, host, people, registration):
        visit = registration.guest.visit
        context = self.panel(visit, host)
        assert context is not None and context["arrivals_can_handle"] and context["arrivals_can_sheet"]
        html = render_to_string("visitors/arrivals/_panel.html", context)
        assert f'data-registration="{registration.pk}"' in html and "To register" in html
        assert reverse("visitors:guest_arrival", args=[visit.pk, registration.guest_id]) in html
        leader = self.panel(visit, people.leadership)
        assert leader is not None and not leader["arrivals_can_handle"] and not leader["arrivals_can_sheet"]
        html = render_to_string("visitors/arrivals/_panel.html", leader)
        assert "Guest house" not in html and "police-sheet" not in html

    def test_warns_when_the_expected_arrival_passed(self, org, host):
        today = timezone.localdate()
        visit = make_visit(
            host_unit=org.computing,
            host=host,
            state="approved",
            arrive_on=today - datetime.timedelta(days=1),
            depart_on=today + datetime.timedelta(days=2),
        )
        context = self.panel(visit, host)
        assert context is not None and context["arrivals_expected_passed"]
