"""Visit pages: who sees and does what (role × page), the list's filters, filing and editing through the form,
the visit page (moves, panels, files, the visit note) and the office's referral."""

from __future__ import annotations

import datetime
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.people.tests.factories import IdentityDocumentFactory
from meridian.visitors.choices import VisitState
from meridian.visitors.deadlines import registration_clock_sync
from meridian.visitors.models import Visit, VisitFile
from meridian.visitors.selectors import visits as selectors
from meridian.visitors.services import visits as services
from meridian.visitors.tests.factories import FUTURE, germany, make_guest, make_visit
from meridian.visitors.tests.factories_arrivals import open_registration
from meridian.visitors.views import visits as views
from meridian.workflow.testing import assert_flat_queries, partner_contact_user

DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def other_staff(org):
    user = user_create(username="colleague", email="colleague@meridian.example", password="x-colleague")
    membership_grant(user=user, unit=org.computing, role=Role.STAFF)
    return user


@pytest.fixture
def visit(org, people):
    return make_visit(
        host_unit=org.computing, host=people.staff, title="Heidelberg lectures", guest_organisation="Uni HD"
    )


@pytest.fixture
def humanities_visit(org, people):
    return make_visit(host_unit=org.humanities, host=people.other_coordinator, title="Poetry delegation")


def _user(role: str, org, people, other_staff):
    if role == "anonymous":
        return None
    if role == "partner_contact":
        return partner_contact_user(org)
    if role == "other_staff":
        return other_staff
    if role == "host":
        return people.staff
    return getattr(people, role)


def _client(client, role, org, people, other_staff):
    user = _user(role, org, people, other_staff)
    if user is not None:
        client.force_login(user)
    return client


# --- role × page -----------------------------------------------------------------------------------------

MATRIX = [
    # role, list, sees the computing visit in the list, detail, edit (draft), create
    ("admin", 200, True, 200, 200, 200),
    ("officer", 200, True, 200, 200, 200),
    ("leadership", 200, True, 200, 302, 200),
    ("coordinator", 200, True, 200, 200, 200),
    ("other_coordinator", 200, False, 404, 404, 200),
    ("host", 200, True, 200, 200, 200),
    ("other_staff", 200, False, 404, 404, 200),
    ("student", 403, False, 404, 404, 403),
    ("outsider", 403, False, 404, 404, 403),
    ("partner_contact", 403, False, 404, 404, 403),
    ("anonymous", 302, False, 302, 302, 302),
]


@pytest.mark.parametrize(("role", "listed", "sees", "detail", "edit", "create"), MATRIX)
def test_role_matrix(client, org, people, other_staff, visit, role, listed, sees, detail, edit, create):
    c = _client(client, role, org, people, other_staff)
    response = c.get(reverse("visitors:visit_list"))
    assert response.status_code == listed
    assert (visit.number in response.content.decode()) is sees
    assert c.get(reverse("visitors:visit_detail", args=[visit.pk])).status_code == detail
    edit_response = c.get(reverse("visitors:visit_edit", args=[visit.pk]))
    assert edit_response.status_code == edit
    if role == "leadership":  # sees the visit, may not change it: back to the visit page with a message
        assert edit_response["Location"] == visit.get_absolute_url()
    assert c.get(reverse("visitors:visit_create")).status_code == create


NOTE_MATRIX = [
    ("officer", 200),
    ("coordinator", 200),
    ("host", 200),
    ("leadership", 403),
    ("other_staff", 404),
    ("student", 404),
    ("partner_contact", 404),
]


@pytest.mark.parametrize(("role", "status"), NOTE_MATRIX)
def test_visit_note_page_matrix(client, org, people, other_staff, role, status):
    hosted = make_visit(host_unit=org.computing, host=people.staff, state=VisitState.HOSTED)
    c = _client(client, role, org, people, other_staff)
    assert c.get(reverse("visitors:visit_note", args=[hosted.pk])).status_code == status


# --- the list --------------------------------------------------------------------------------------------


class TestList:
    def test_filters_narrow_the_list(self, client, org, people, visit, humanities_visit):
        client.force_login(people.officer)
        url = reverse("visitors:visit_list")
        body = client.get(url, {"host_unit": org.humanities.pk}).content.decode()
        assert humanities_visit.number in body and visit.number not in body
        body = client.get(url, {"q": "Uni HD"}).content.decode()
        assert visit.number in body and humanities_visit.number not in body
        body = client.get(url, {"q": humanities_visit.number}).content.decode()
        assert humanities_visit.number in body and visit.number not in body
        Visit.objects.filter(pk=visit.pk).update(state=VisitState.APPROVED, category="negotiation")
        body = client.get(url, {"state": "approved"}).content.decode()
        assert visit.number in body and humanities_visit.number not in body
        body = client.get(url, {"category": "visiting_scholar"}).content.decode()
        assert humanities_visit.number in body and visit.number not in body

    def test_date_range_filters_and_mine(self, client, org, people, visit):
        later = make_visit(
            host_unit=org.computing,
            host=people.coordinator,
            arrive_on=FUTURE + 30 * DAY,
            depart_on=FUTURE + 32 * DAY,
        )
        client.force_login(people.coordinator)
        url = reverse("visitors:visit_list")
        body = client.get(url, {"arrive_from": (FUTURE + 10 * DAY).isoformat()}).content.decode()
        assert later.number in body and visit.number not in body
        body = client.get(url, {"mine": "1"}).content.decode()
        assert later.number in body and visit.number not in body

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            (
                {"arrive_from": "2027-05-10", "arrive_to": "2027-05-01"},
                "The end of the range lies before its start.",
            ),
            ({"arrive_from": "2027-13-45"}, "Enter a valid date."),
            ({"state": "flying"}, "Select a valid choice."),
        ],
    )
    def test_invalid_filters_show_an_error_and_no_rows(self, client, people, visit, params, message):
        client.force_login(people.officer)
        response = client.get(reverse("visitors:visit_list"), params)
        body = response.content.decode()
        assert response.status_code == 200
        assert 'id="filter-errors"' in body and message in body
        assert visit.number not in body

    def test_pages_hold_page_size_rows(self, client, org, people, monkeypatch):
        monkeypatch.setattr(views, "PAGE_SIZE", 2)
        for _ in range(3):
            make_visit(host_unit=org.computing, host=people.staff, guests=0)
        client.force_login(people.officer)
        body = client.get(reverse("visitors:visit_list")).content.decode()
        assert body.count("data-visit=") == 2 and "Page 1 of 2" in body

    def test_list_queries_do_not_grow(self, client, org, people):
        client.force_login(people.officer)
        url = reverse("visitors:visit_list")

        def add(n):
            for _ in range(n):
                make_visit(host_unit=org.computing, host=people.staff, guests=2)

        assert_flat_queries(fetch=lambda: client.get(url), add_rows=add)

    def test_export_lists_only_visible_visits(self, client, people, visit, humanities_visit):
        client.force_login(people.coordinator)
        response = client.get(reverse("visitors:visit_export"), {"format": "csv"})
        body = response.content.decode("utf-8-sig")
        assert response.status_code == 200
        assert visit.number in body and humanities_visit.number not in body
        assert client.get(reverse("visitors:visit_export"), {"format": "pdf"}).status_code == 400


# --- filing and editing ----------------------------------------------------------------------------------


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(org, people, **extra) -> dict[str, str]:
    data = {
        "title": "Visiting scholar from Heidelberg",
        "category": "visiting_scholar",
        "host_unit": str(org.computing.pk),
        "host": str(people.staff.pk),
        "purpose": "Two lectures.",
        "arrive_on": FUTURE.isoformat(),
        "depart_on": (FUTURE + 2 * DAY).isoformat(),
        "guest_organisation": "Heidelberg University",
        "reception_level": "host",
        "invitation_kind": "none",
        "accommodation": "hotel",
        **_management("guests", 2),
        "guests-0-family_name": "Schmidt",
        "guests-0-given_name": "Anna",
        "guests-0-nationality": germany().pk,
        "guests-0-rank": "professor",
        "guests-0-position": "Professor",
        **_management("programme", 2),
        "programme-0-day": FUTURE.isoformat(),
        "programme-0-kind": "lecture",
        "programme-0-title": "Lecture on grids",
        **_management("budget", 2),
        "budget-0-kind": "accommodation",
        "budget-0-amount": "600",
        "budget-0-days": "2",
    }
    data.update(extra)
    return data


class TestForm:
    def test_host_files_a_visit_through_the_form(self, client, org, people):
        client.force_login(people.staff)
        response = client.post(reverse("visitors:visit_create"), form_data(org, people))
        visit = Visit.objects.get()
        assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
        assert visit.guests.get().person.family_name == "Schmidt"
        assert visit.programme.count() == 1 and visit.budget_lines.get().persons == 1

    def test_bad_input_keeps_what_was_typed(self, client, org, people):
        client.force_login(people.staff)
        data = form_data(org, people, depart_on=(FUTURE - DAY).isoformat())
        response = client.post(reverse("visitors:visit_create"), data)
        body = response.content.decode()
        assert response.status_code == 200 and not Visit.objects.exists()
        assert "The departure date lies before the arrival date." in body
        assert 'value="Visiting scholar from Heidelberg"' in body and 'value="Schmidt"' in body

    def test_service_errors_land_on_their_section(self, client, org, people):
        client.force_login(people.staff)
        data = form_data(org, people, **{"programme-0-day": (FUTURE + 9 * DAY).isoformat()})
        body = client.post(reverse("visitors:visit_create"), data).content.decode()
        assert "lies outside the visit&#x27;s dates" in body and not Visit.objects.exists()

    def test_a_guest_row_with_a_person_and_a_new_name_is_refused(self, client, org, people, visit):
        client.force_login(people.staff)
        existing = visit.guests.first().person
        data = form_data(org, people, **{"guests-0-person": existing.pk})
        body = client.post(reverse("visitors:visit_create"), data).content.decode()
        assert "not both" in body

    def test_add_a_row_without_javascript(self, client, org, people):
        client.force_login(people.staff)
        response = client.post(reverse("visitors:visit_create"), form_data(org, people, add_row="guests"))
        body = response.content.decode()
        assert response.status_code == 200 and not Visit.objects.exists()
        assert 'name="guests-TOTAL_FORMS" value="3"' in body and 'name="guests-2-family_name"' in body
        assert "field-errors" not in body

    def test_edit_keeps_unchanged_rows(self, client, org, people, visit):
        client.force_login(people.staff)
        page = client.get(reverse("visitors:visit_edit", args=[visit.pk]))
        form = page.context["form"]
        data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
        data.update({"title": "Renamed", "version": str(visit.version), "guest_organisation": "Uni HD"})
        for name in ("host_unit", "host"):
            data[name] = str(getattr(visit, f"{name}_id"))
        data["agreements"] = []
        for formset_name in ("guests", "programme", "budget"):
            formset = page.context[formset_name]
            data.update(_management(formset_name, len(formset.forms), formset.initial_form_count()))
            for sub in formset.forms[: formset.initial_form_count()]:
                for key, value in sub.initial.items():
                    data[f"{sub.prefix}-{key}"] = (
                        "on" if value is True else ("" if value in (None, False) else str(value))
                    )
        data["arrive_on"], data["depart_on"] = visit.arrive_on.isoformat(), visit.depart_on.isoformat()
        response = client.post(reverse("visitors:visit_edit", args=[visit.pk]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        visit.refresh_from_db()
        assert (
            visit.title == "Renamed" and visit.guests.count() == 1 and visit.programme.count() == visit.days
        )

    def test_a_stale_edit_shows_what_changed_and_saves_nothing(self, client, org, people, visit):
        services.visit_update(visit=visit, actor=people.coordinator, title="Changed meanwhile")
        client.force_login(people.staff)
        data = form_data(org, people, version=str(visit.version), title="Mine")
        data["guests-0-family_name"] = "Weber"  # not the visit's guest Schmidt Anna (a duplicate)
        response = client.post(reverse("visitors:visit_edit", args=[visit.pk]), data)
        body = response.content.decode()
        assert response.status_code == 200 and "Someone else saved this record" in body
        assert Visit.objects.get(pk=visit.pk).title == "Changed meanwhile"

    def test_a_submitted_visit_is_not_edited(self, client, people, visit):
        Visit.objects.filter(pk=visit.pk).update(state=VisitState.UNDER_REVIEW)
        client.force_login(people.staff)
        response = client.post(reverse("visitors:visit_edit", args=[visit.pk]), {"title": "Late"})
        assert response.status_code == 302 and Visit.objects.get(pk=visit.pk).title == "Heidelberg lectures"

    def test_people_search_lists_only_people_one_may_name(self, client, org, people, visit, humanities_visit):
        client.force_login(people.staff)
        body = client.get(reverse("visitors:visit_people"), {"q": "Schmidt"}).content.decode()
        mine = visit.guests.first().person
        theirs = humanities_visit.guests.first().person
        assert f'value="{mine.pk}"' in body and f'value="{theirs.pk}"' not in body


# --- the visit page --------------------------------------------------------------------------------------


class TestDetail:
    def test_page_shows_the_visit_moves_and_history_but_no_passport(self, client, people, visit):
        guest = visit.guests.first()
        IdentityDocumentFactory(person=guest.person, issuing_country=germany(), number="C01X00T47")
        client.force_login(people.staff)
        body = client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
        assert "Heidelberg lectures" in body and "SCHMIDT" in body.upper()
        assert 'data-move="submit"' in body and 'id="history"' in body
        assert "C01X00T47" not in body

    def test_registered_panels_render_in_order(self, client, people, visit):
        from meridian.visitors import panels

        saved = dict(panels._panels)
        try:
            panels.register_visit_panel(
                panels.VisitPanel(
                    "zz_test", 1, "visitors/visits/_people_options.html", lambda r, v: {"people": []}
                )
            )
            panels.register_visit_panel(
                panels.VisitPanel("zz_hidden", 2, "visitors/visits/_people_options.html", lambda r, v: None)
            )
            client.force_login(people.staff)
            body = client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
            assert "Nobody found." in body
        finally:
            panels._panels.clear()
            panels._panels.update(saved)

    def test_leadership_sees_no_moves_of_the_host(self, client, people, visit):
        client.force_login(people.leadership)
        body = client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
        assert 'data-move="submit"' not in body

    def test_files_are_added_downloaded_and_hidden_from_others(self, client, people, other_staff, visit):
        client.force_login(people.staff)
        upload = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
        client.post(reverse("visitors:visit_file_add", args=[visit.pk]), {"kind": "request", "file": upload})
        record = VisitFile.objects.get()
        url = reverse("visitors:visit_file", args=[visit.pk, record.pk])
        response = client.get(url)
        assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        client.force_login(other_staff)
        assert client.get(url).status_code == 404

    def test_a_refused_upload_is_reported(self, client, people, visit):
        client.force_login(people.staff)
        upload = SimpleUploadedFile("evil.pdf", b"MZ not a pdf", content_type="application/pdf")
        response = client.post(
            reverse("visitors:visit_file_add", args=[visit.pk]),
            {"kind": "request", "file": upload},
            follow=True,
        )
        assert "is not a PDF" in response.content.decode() and not VisitFile.objects.exists()

    def test_the_visit_note_form_keeps_input_on_error(self, client, org, people):
        hosted = make_visit(host_unit=org.computing, host=people.staff, state=VisitState.HOSTED)
        client.force_login(people.staff)
        url = reverse("visitors:visit_note", args=[hosted.pk])
        bad = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        response = client.post(url, {"outcomes": "A joint lab.", "follow_up": "MoU draft", "photos": [bad]})
        body = response.content.decode()
        assert response.status_code == 200 and "not a photo" in body and "A joint lab." in body
        photo = SimpleUploadedFile("lab.png", PNG, content_type="image/png")
        response = client.post(url, {"outcomes": "A joint lab.", "photos": [photo]})
        assert response.status_code == 302
        hosted.refresh_from_db()
        assert hosted.note_submitted_at is not None and hosted.files.get().kind == "photo"
        page = client.get(reverse("visitors:visit_detail", args=[hosted.pk])).content.decode()
        assert "A joint lab." in page and "?inline=1" in page

    def test_note_is_refused_before_the_guests_left(self, client, people, visit):
        client.force_login(people.staff)
        body = client.post(
            reverse("visitors:visit_note", args=[visit.pk]), {"outcomes": "x"}
        ).content.decode()
        assert (
            "after the guests have left" in body and Visit.objects.get(pk=visit.pk).note_submitted_at is None
        )

    def test_office_refers_the_visit_to_a_leader(self, client, people, visit):
        url = reverse("visitors:visit_escalate", args=[visit.pk])
        client.force_login(people.staff)
        assert client.post(url, {"escalated": "on"}).status_code == 403
        client.force_login(people.officer)
        assert client.post(url, {"escalated": "on", "comment": "Minister"}).status_code == 302
        assert Visit.objects.get(pk=visit.pk).escalated
        assert client.get(url).status_code == 405


# --- the whole visit page: unique ids, the deadlines of the visit and of its parts --------------------------


class _Ids(HTMLParser):
    """Collects every ``id`` attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.ids.extend(value or "" for name, value in attrs if name == "id")

    handle_startendtag = handle_starttag


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(i for i, n in Counter(parser.ids).items() if n > 1)


@pytest.fixture
def full_visit(org, people):
    """An arrived delegation with every panel showing for the officer: locked guests with passports, open
    accommodation registrations, a lecture whose outline is under review (its clock open), a document."""
    from meridian.clocks.services import clocks_sync
    from meridian.visitors import documents as visit_documents
    from meridian.visitors.deadlines_lectures import REVIEW_RULE
    from meridian.visitors.services import lectures as lecture_services
    from meridian.visitors.tests.factories_documents import document_visit
    from meridian.visitors.tests.factories_lectures import at, file_lecture
    from meridian.workflow.services import case_move

    today = timezone.localdate()
    visit = document_visit(
        org,
        people,
        state=VisitState.VISA_CONFIRMED,
        invitation_number="INV-2027-0042",
        arrive_on=today,
        depart_on=today + 12 * DAY,
        accommodation="on_campus",
        accommodation_address="Guest house, Room 305",
    )
    case_move(case=visit, actor=people.officer, move="arrive")
    lecture = file_lecture(org, people, days=10, visit=visit, starts_at=at(10), ends_at=at(10, 16))
    lecture_services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)
    clocks_sync(rule=REVIEW_RULE)
    visit_documents.visit_document_generate(
        visit=visit, template_code=visit_documents.RECEPTION_PLAN, actor=people.officer, language="zh"
    )
    visit.refresh_from_db()
    return visit


class TestWholePage:
    def test_every_panel_shows_and_no_id_is_used_twice(self, client, people, full_visit):
        client.force_login(people.officer)
        body = client.get(reverse("visitors:visit_detail", args=[full_visit.pk])).content.decode()
        for panel in ('id="rule-results"', 'id="guests"', 'id="arrivals"', 'id="visit-documents"'):
            assert panel in body
        assert 'id="lectures"' in body and "Power systems in transition" in body
        assert duplicate_ids(body) == []

    def test_the_deadlines_of_registrations_and_lecture_reviews_are_listed(self, client, people, full_visit):
        client.force_login(people.officer)
        body = client.get(reverse("visitors:visit_detail", args=[full_visit.pk])).content.decode()
        section = body[body.index('id="clocks"') :]
        section = section[: section.index("</section>")]
        assert "No open deadlines" not in section
        assert section.count("with the police (accommodation registration)") == 2
        assert "Decide on the outline of the lecture" in section
        assert "Responsible" in section and str(people.staff) in section
        registration = full_visit.guests.first().registrations.get()
        assert timezone.localtime(registration.due_at).strftime("%Y-%m-%d %H:%M") in section

    def test_in_chinese_the_deadlines_are_titled_in_chinese(self, client, people, full_visit):
        client.force_login(people.officer)
        with translation.override("zh-hans"):
            url = reverse("visitors:visit_detail", args=[full_visit.pk])
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        section = body[body.index('id="clocks"') :]
        section = section[: section.index("</section>")]
        assert "未办结的期限" in section and "没有未办结的期限" not in section
        assert section.count("向公安机关办理住宿登记") == 2 and "责任人" in section
        assert duplicate_ids(body) == []

    def test_a_closed_registration_leaves_the_list(self, people, full_visit):
        from meridian.visitors.services.arrivals import registration_mark_done

        registration = full_visit.guests.first().registrations.get()
        registration_mark_done(registration=registration, registered_at=timezone.now(), actor=people.officer)
        rows = selectors.visit_obligations(full_visit)
        titles = [o.title for o in rows]
        assert sum("accommodation registration" in t for t in titles) == 1
        assert [o.due_at for o in rows] == sorted(o.due_at for o in rows)

    def test_another_visit_s_deadlines_are_not_listed(self, org, people, full_visit, visit):
        other = open_registration(visit.guests.get())
        registration_clock_sync(other)
        assert [o.object_id for o in selectors.visit_obligations(visit)] == [other.pk]
        assert len(selectors.visit_obligations(full_visit)) == 3

    def test_one_query_whatever_the_number_of_guests_and_lectures(self, org, people, full_visit):
        with CaptureQueriesContext(connection) as few:
            selectors.visit_obligations(full_visit)
        for _ in range(3):
            registration_clock_sync(open_registration(make_guest(full_visit, family_name="Weber")))
        with CaptureQueriesContext(connection) as many:
            rows = selectors.visit_obligations(full_visit)
            [(o.responsible, o.unit) for o in rows]
        assert len(rows) == 6 and len(few) == len(many) == 1
