"""The office side of guests' data: the role × action matrix of the guest page, link, lock and files; masked
passport numbers and the logged reveal; the lock's checks; the visit page's guests panel."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.people.choices import AccessAction
from meridian.people.models import AccessLog
from meridian.visitors.models import GuestFile, VisitGuest
from meridian.visitors.panels import visit_panels
from meridian.visitors.services.guests import guest_link_issue, guest_lock, guest_unlock
from meridian.visitors.tests.factories_guests import JPEG_BYTES, cv_rows, form_data, guest_visit, issue
from meridian.workflow.testing import partner_contact_user

ANONYMOUS = "anonymous"
# Expected answer per role: the visit is Computing's, hosted by the staff member of Computing ("host");
# "coordinator" is the secretary of Engineering above it; leadership sees the visit but not the passports.
SEES = {"admin": 200, "officer": 200, "coordinator": 200, "host": 200, "leadership": 403}
MATRIX = {
    "detail": SEES,
    "file": SEES,
    "link": {"admin": 200, "officer": 200, "coordinator": 200, "host": 403, "leadership": 403},
    "lock": {"admin": 302, "officer": 302, "coordinator": 403, "host": 403, "leadership": 403},
}
OUTSIDERS = ("other_staff", "other_coordinator", "student", "partner_contact", "outsider")


@pytest.fixture
def visit(org, people):
    return guest_visit(org, people)


@pytest.fixture
def guest(visit, people):
    """A guest who entered everything (passport, CV, itinerary, photo) through their link."""
    guest = visit.guests.get()
    path = issue(guest, people.officer)
    data = form_data(guest, photo=SimpleUploadedFile("me.jpg", JPEG_BYTES))
    response = Client().post(path, data)
    assert response.status_code == 302
    return VisitGuest.objects.select_related("person", "visit").get(pk=guest.pk)


def _users(org, people) -> dict:
    other_staff = user_create(username="historian", email="historian@meridian.example", password="x-secret-1")
    membership_grant(user=other_staff, unit=org.humanities, role=Role.STAFF)
    return {
        "admin": people.admin,
        "officer": people.officer,
        "coordinator": people.coordinator,
        "host": people.staff,
        "leadership": people.leadership,
        "other_staff": other_staff,
        "other_coordinator": people.other_coordinator,
        "student": people.student,
        "partner_contact": partner_contact_user(org),
        "outsider": people.outsider,
    }


def _attempt(client: Client, action: str, guest: VisitGuest):
    visit = guest.visit
    if action == "detail":
        return client.get(reverse("visitors:guest_detail", args=[visit.pk, guest.pk]))
    if action == "file":
        record = GuestFile.objects.get(guest=guest)
        return client.get(reverse("visitors:guest_file", args=[visit.pk, guest.pk, record.pk]))
    if action == "link":
        return client.post(reverse("visitors:guest_link", args=[visit.pk, guest.pk]), {"action": "issue"})
    return client.post(
        reverse("visitors:guest_lock", args=[visit.pk, guest.pk]), {"action": "lock", "confirm_failing": "1"}
    )


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_role_action_matrix(client, org, people, guest, action):
    users = _users(org, people)
    for role, user in users.items():
        client.force_login(user)
        expected = MATRIX[action].get(role, 404)
        response = _attempt(client, action, guest)
        assert response.status_code == expected, (role, action, response.status_code)
        if action == "lock" and expected == 302:
            assert VisitGuest.objects.get(pk=guest.pk).locked_at is not None, role
            guest_unlock(guest=guest, actor=people.officer)
        if action == "lock" and expected != 302:
            assert VisitGuest.objects.get(pk=guest.pk).locked_at is None, role
        client.logout()
    response = _attempt(client, action, guest)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], ANONYMOUS


def test_links_answer_post_only(client, people, guest):
    client.force_login(people.officer)
    for name in ("guest_link", "guest_lock"):
        url = reverse(f"visitors:{name}", args=[guest.visit_id, guest.pk])
        assert client.get(url).status_code == 405


def test_guest_of_another_visit_is_not_found(client, org, people, guest):
    other_visit = guest_visit(org, people, title="Another visit")
    client.force_login(people.officer)
    url = reverse("visitors:guest_detail", args=[other_visit.pk, guest.pk])
    assert client.get(url).status_code == 404


class TestDetail:
    def test_page_masks_the_passport_and_logs_the_view(self, client, people, guest):
        client.force_login(people.coordinator)
        text = client.get(reverse("visitors:guest_detail", args=[guest.visit_id, guest.pk])).content.decode()
        assert "C01*****47" in text and "C01X00T47" not in text
        assert "TU Munich" in text and "LH 722" in text and "Vegetarian" in text
        log = AccessLog.objects.get(action=AccessAction.VIEW, user=people.coordinator)
        assert log.person_ref == guest.person_id
        # The coordinator sees the masked number only; people's rules keep the reveal for the office.
        assert "reveal" not in text

    def test_officer_reveals_with_a_purpose_and_it_is_logged(self, client, people, guest):
        document = guest.person.documents.get()
        url = reverse("visitors:guest_reveal", args=[guest.visit_id, guest.pk, document.pk])
        client.force_login(people.officer)
        assert (
            url
            in client.get(reverse("visitors:guest_detail", args=[guest.visit_id, guest.pk])).content.decode()
        )
        refused = client.post(url, {"purpose": ""})
        assert (
            refused.status_code == 302 and not AccessLog.objects.filter(action=AccessAction.UNMASK).exists()
        )
        response = client.post(url, {"purpose": "Invitation letter"})
        assert response.status_code == 200 and "C01X00T47" in response.content.decode()
        log = AccessLog.objects.get(action=AccessAction.UNMASK)
        assert (log.user, log.purpose, log.document_ref) == (people.officer, "Invitation letter", document.pk)

    def test_those_without_document_rights_cannot_reveal(self, client, people, guest):
        document = guest.person.documents.get()
        url = reverse("visitors:guest_reveal", args=[guest.visit_id, guest.pk, document.pk])
        client.force_login(people.coordinator)
        assert client.post(url, {"purpose": "Curious"}).status_code == 403
        client.force_login(people.leadership)
        assert client.post(url, {"purpose": "Curious"}).status_code == 403
        assert not AccessLog.objects.filter(action=AccessAction.UNMASK).exists()

    def test_file_download_is_logged_and_not_cached(self, client, people, guest):
        record = GuestFile.objects.get(guest=guest)
        client.force_login(people.staff)
        response = client.get(reverse("visitors:guest_file", args=[guest.visit_id, guest.pk, record.pk]))
        assert b"".join(response.streaming_content) == JPEG_BYTES
        assert response["Content-Type"] == "image/jpeg" and response["Cache-Control"] == "private, no-store"
        assert AccessLog.objects.filter(action=AccessAction.DOWNLOAD, user=people.staff).count() == 1


class TestLinkAndLock:
    def test_issuing_shows_the_link_to_copy(self, client, people, visit):
        guest = visit.guests.get()
        client.force_login(people.coordinator)
        response = client.post(reverse("visitors:guest_link", args=[visit.pk, guest.pk]), {"action": "issue"})
        text = response.content.decode()
        assert "http://testserver/visitors/guest/" in text and "e-mail address is not known" in text
        assert VisitGuest.objects.get(pk=guest.pk).link_sent_at is not None

    def test_revoking_voids_the_link(self, client, people, visit):
        guest = visit.guests.get()
        path = issue(guest, people.officer)
        client.force_login(people.coordinator)
        client.post(reverse("visitors:guest_link", args=[visit.pk, guest.pk]), {"action": "revoke"})
        client.logout()
        assert client.get(path).status_code == 404

    def test_host_may_not_issue_through_the_service(self, people, visit):
        with pytest.raises(PermissionDeniedError):
            guest_link_issue(guest=visit.guests.get(), actor=people.staff)

    def test_lock_refused_before_entry(self, people, visit):
        with pytest.raises(DomainError):
            guest_lock(guest=visit.guests.get(), actor=people.officer)

    def test_lock_with_failing_checks_needs_confirmation(self, client, people, guest):
        VisitGuest.objects.filter(pk=guest.pk).update(cv=cv_rows(gap=True))
        guest.refresh_from_db()
        with pytest.raises(DomainError) as refused:
            guest_lock(guest=guest, actor=people.officer)
        assert refused.value.code == "checks_failing"
        assert VisitGuest.objects.get(pk=guest.pk).locked_at is None
        guest_lock(guest=guest, actor=people.officer, confirm_failing=True)
        assert VisitGuest.objects.get(pk=guest.pk).locked_by == people.officer

    def test_lock_passes_when_checks_pass(self, people, guest):
        results = guest_lock(guest=guest, actor=people.officer)
        assert results and all(r["outcome"] != "fail" for r in results)
        assert VisitGuest.objects.get(pk=guest.pk).locked_at is not None

    def test_only_the_office_locks(self, people, guest):
        with pytest.raises(PermissionDeniedError):
            guest_lock(guest=guest, actor=people.coordinator)


class TestPanel:
    def _render(self, user, visit):
        request = RequestFactory().get("/")
        request.user = user
        panels = {p["key"]: p for p in visit_panels(request, visit)}
        panel = panels["guests"]
        return render_to_string(panel["template"], {"visit": visit, **panel["context"]}, request=request)

    def test_panel_for_the_office_has_checks_and_buttons(self, people, guest):
        html = self._render(people.officer, guest.visit)
        assert "Schmidt" in html.title() or "SCHMIDT" in html
        assert reverse("visitors:guest_detail", args=[guest.visit_id, guest.pk]) in html
        assert reverse("visitors:guest_lock", args=[guest.visit_id, guest.pk]) in html
        assert "all passed" in html

    def test_panel_for_leadership_shows_names_only(self, people, guest):
        html = self._render(people.leadership, guest.visit)
        assert "SCHMIDT" in html
        assert f"visitors/{guest.visit_id}/guests/" not in html
        assert "Checks" not in html and "C01" not in html

    def test_the_visit_page_shows_the_panel(self, client, people, guest):
        client.force_login(people.coordinator)
        text = client.get(reverse("visitors:visit_detail", args=[guest.visit_id])).content.decode()
        assert 'id="guests"' in text
        # One card "Guests" is the visit's own list; this one is named for what it holds.
        heading = html.unescape(text.split('id="guests"', 1)[1].split("</h2>", 1)[0])
        assert "Guests' data and links" in heading
        assert reverse("visitors:guest_link", args=[guest.visit_id, guest.pk]) in text
        assert reverse("visitors:guest_lock", args=[guest.visit_id, guest.pk]) not in text  # office only


# --- the panel checks every guest at once ---------------------------------------------------------------


def _entered_visit(org, people, guests: int):
    """An approved invitation visit whose ``guests`` guests entered a passport valid long enough, a full CV
    and their itinerary (the first guest's CV leaves out two years)."""
    import datetime

    from meridian.people.tests.factories import IdentityDocumentFactory
    from meridian.visitors.models import Visit
    from meridian.visitors.tests.factories import germany

    visit = guest_visit(org, people, guests=guests)
    for number, guest in enumerate(visit.guests.select_related("person").order_by("order", "pk")):
        IdentityDocumentFactory(
            person=guest.person,
            issuing_country=germany(),
            expiry_date=visit.depart_on + datetime.timedelta(days=3 * 365),
        )
        guest.cv = cv_rows(gap=number == 0)
        guest.arrival_date, guest.departure_date = visit.arrive_on, visit.depart_on
        guest.exit_port = "Beijing Capital Airport"
        guest.save()
    return Visit.objects.select_related("host_unit").get(pk=visit.pk)


def _panel(user, visit) -> tuple[str, list]:
    """The guests panel as ``user`` sees it: its HTML and its rows."""
    from meridian.visitors.views.guests import panel_context

    request = RequestFactory().get("/")
    request.user = user
    context = panel_context(request, visit)
    assert context is not None
    html = render_to_string("visitors/guests/_panel.html", {"visit": visit, **context}, request=request)
    return html, context["guest_rows"]


def test_the_panel_runs_as_many_queries_for_five_guests_as_for_one(org, people):
    from meridian.workflow.testing import count_queries

    one, five = _entered_visit(org, people, 1), _entered_visit(org, people, 5)
    _panel(people.officer, one)  # warm the rule set and content-type caches
    assert count_queries(lambda: _panel(people.officer, one)) == count_queries(
        lambda: _panel(people.officer, five)
    )


def test_the_panel_shows_each_guests_own_checks(org, people):
    """The checks run for the whole visit at once give each guest what checking that guest alone gives."""
    from meridian.visitors.services.guests import guest_checks

    visit = _entered_visit(org, people, 3)
    html, rows = _panel(people.officer, visit)
    assert html.count("1 check failing") == 1 and html.count("all passed") == 2
    by_guest = {row["guest"].pk: row for row in rows}
    for guest in visit.guests.all():
        alone = [r["code"] for r in guest_checks(guest) if r["outcome"] == "fail"]
        assert [r["code"] for r in by_guest[guest.pk]["checks_failing"]] == alone
    assert any(by_guest[g.pk]["checks_failing"] for g in visit.guests.all())
