"""Staff pages of calls per role: the office and the coordinators of the call's unit manage it; another
school's coordinator and staff read opened calls but may not change them (403); drafts are 404 to those who
may not see them; students and partner contacts are sent to the student portal or the public page. Also the
list's filters and query count, the edit page's parts (with and without partial page updates), moves, and
escaped output."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meridian.mobility.choices import CallState, Semester
from meridian.mobility.models import Call, CallCriterion, CallDestination, CallQuestion, CallReviewer
from meridian.mobility.tests.test_calls_services import draft, make_call, ready
from meridian.mobility.views.calls import routable

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"mobility:{name}", args=args)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def calls(org, people, world):
    """A draft and an open call of Engineering, and a draft of the International Office."""
    school_draft = draft(org, people.coordinator, unit=org.engineering, title_en="Engineering draft")
    school_open = make_call(
        unit=org.engineering, state=CallState.OPEN, destinations=[(world.partner, 1, world.outgoing)]
    )
    office_draft = draft(org, people.officer, title_en="Office draft")
    return {"school_draft": school_draft, "school_open": school_open, "office_draft": office_draft}


class TestRoles:
    def test_anonymous_visitors_are_sent_to_sign_in(self, calls):
        client = Client()
        for address in (url("call_list"), url("call_detail", calls["school_open"].pk), url("call_create")):
            response = client.get(address)
            assert response.status_code == 302 and "login" in response["Location"]

    def test_the_office_sees_and_manages_every_call(self, people, calls):
        client = login(people.officer)
        page = html(client.get(url("call_list")))
        for call in calls.values():
            assert call.number in page
        for call in calls.values():
            assert client.get(url("call_detail", call.pk)).status_code == 200
            assert client.get(url("call_edit", call.pk)).status_code == 200
        assert client.get(url("call_create")).status_code == 200

    def test_the_school_coordinator_manages_the_school_s_calls_only(self, people, calls):
        client = login(people.coordinator)
        page = html(client.get(url("call_list")))
        assert calls["school_draft"].number in page and calls["office_draft"].number not in page
        assert client.get(url("call_edit", calls["school_draft"].pk)).status_code == 200
        assert client.get(url("call_detail", calls["office_draft"].pk)).status_code == 404
        assert client.get(url("call_edit", calls["office_draft"].pk)).status_code == 404

    def test_another_school_reads_opened_calls_and_changes_nothing(self, people, calls):
        for user in (people.other_coordinator, people.staff):
            client = login(user)
            assert client.get(url("call_detail", calls["school_draft"].pk)).status_code == 404
            opened = calls["school_open"]
            page = client.get(url("call_detail", opened.pk))
            assert page.status_code == 200 and 'id="call-moves"' not in html(page)
            assert url("call_edit", opened.pk) not in html(page)
            assert client.get(url("call_edit", opened.pk)).status_code == 403
            response = client.post(url("call_move", opened.pk, "close"))
            assert response.status_code == 403
            assert Call.objects.get(pk=opened.pk).state == CallState.OPEN
            assert (
                client.post(url("call_reviewer_add", opened.pk), {"reviewer-new-user": "staff"}).status_code
                == 403
            )
        assert login(people.staff).get(url("call_create")).status_code == 403

    def test_leadership_reads_everything_and_changes_nothing(self, people, calls):
        client = login(people.leadership)
        assert client.get(url("call_detail", calls["office_draft"].pk)).status_code == 200
        assert client.get(url("call_edit", calls["office_draft"].pk)).status_code == 403
        assert client.get(url("call_create")).status_code == 403

    def test_students_see_only_opened_calls_and_outside_the_staff_pages(self, people, calls):
        client = login(people.student)
        assert client.get(url("call_detail", calls["school_draft"].pk)).status_code == 404
        opened = calls["school_open"].pk
        response = client.get(url("call_detail", opened))
        portal = routable("mobility:student_call", opened) or routable("mobility_public:call", opened)
        assert response.status_code == 302 and response["Location"] == portal
        assert client.get(url("call_list")).status_code == 302
        assert client.get(url("call_edit", calls["school_open"].pk)).status_code == 403
        assert client.get(url("call_edit", calls["school_draft"].pk)).status_code == 404

    def test_partner_contacts_see_only_the_public_page(self, world, calls):
        for contact in (world.contact, world.other_contact, world.viewer):
            client = login(contact)
            assert client.get(url("call_detail", calls["school_draft"].pk)).status_code == 404
            response = client.get(url("call_detail", calls["school_open"].pk))
            assert response.status_code == 302
            assert response["Location"].endswith(f"/global-vision/exchange-calls/{calls['school_open'].pk}/")
            assert client.get(url("call_edit", calls["school_open"].pk)).status_code == 403
            assert client.post(url("call_move", calls["school_open"].pk, "close")).status_code == 403
            response = client.get(url("call_list"))
            assert response.status_code == 302 and response["Location"].endswith(
                "/global-vision/exchange-calls/"
            )


class TestList:
    def test_filters_narrow_the_list_and_bad_values_say_why(self, org, people, calls):
        client = login(people.officer)
        spring = draft(org, people.officer, semester=Semester.SPRING, title_en="Spring only")
        page = html(client.get(url("call_list"), {"semester": "spring"}))
        assert spring.number in page and calls["office_draft"].number not in page
        page = html(client.get(url("call_list"), {"state": "open"}))
        assert calls["school_open"].number in page and spring.number not in page
        page = html(client.get(url("call_list"), {"unit": org.engineering.pk}))
        assert calls["school_draft"].number in page and spring.number not in page
        page = html(client.get(url("call_list"), {"q": "Spring"}))
        assert spring.number in page and calls["school_draft"].number not in page
        bad = client.get(url("call_list"), {"state": "nonsense", "academic_year": "soon"})
        assert bad.status_code == 400 and 'id="filter-errors"' in html(bad)
        assert spring.number not in html(bad)

    def test_the_query_count_does_not_grow_with_the_rows(
        self, org, people, world, django_assert_max_num_queries
    ):
        client = login(people.officer)
        make_call(unit=org.intl_office, destinations=[(world.partner, 1, world.outgoing)])
        client.get(url("call_list"))
        with django_assert_max_num_queries(20) as few:
            client.get(url("call_list"))
        for _ in range(6):
            make_call(unit=org.engineering, destinations=[(world.partner, 1, world.outgoing)])
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url("call_list"))


class TestCreateAndEdit:
    def _form(self, org, **changes) -> dict:
        now = timezone.localtime()
        data = {
            "title_en": "Exchange to Europe",
            "title_zh": "欧洲交换",
            "unit": org.intl_office.pk,
            "academic_year": 2099,
            "semester": "autumn",
            "opens_at": (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "max_preferences": 3,
            "grade_scale": "4",
            "min_grade": "3.0",
            "language": "en",
            "min_cefr": "B2",
            "require_clean_record": "on",
            "required_documents": ["transcript", "motivation"],
            "offer_days": 7,
        }
        data.update(changes)
        return data

    def test_the_office_files_a_call_then_completes_and_opens_it(self, org, people, world):
        client = login(people.officer)
        response = client.post(url("call_create"), self._form(org))
        call = Call.objects.get()
        assert response.status_code == 302 and response["Location"] == url("call_edit", call.pk)
        assert call.required_documents == ["transcript", "motivation"]
        edit = html(client.get(url("call_edit", call.pk)))
        assert 'id="call-problems"' in edit and f'data-condition="{world.outgoing.pk}"' in edit
        client.post(
            url("call_destination_add", call.pk),
            {"destination-new-condition": world.outgoing.pk, "destination-new-places": 2},
        )
        assert CallDestination.objects.get(call=call).places == 2
        for code, weight in (("grades", 70), ("motivation", 30)):
            client.post(
                url("call_criterion_add", call.pk),
                {
                    "criterion-new-code": code,
                    "criterion-new-label_en": code.title(),
                    "criterion-new-weight": weight,
                    "criterion-new-max_points": 10,
                    "criterion-new-source": "reviewers",
                },
            )
        client.post(
            url("call_question_add", call.pk),
            {
                "question-new-text_en": "Which courses?",
                "question-new-kind": "text",
                "question-new-required": "on",
            },
        )
        client.post(url("call_reviewer_add", call.pk), {"reviewer-new-user": people.staff.email})
        assert CallCriterion.objects.filter(call=call).count() == 2
        assert CallQuestion.objects.filter(call=call).count() == 1
        assert CallReviewer.objects.filter(call=call, user=people.staff).exists()
        detail = html(client.get(url("call_detail", call.pk)))
        assert f'action="{url("call_move", call.pk, "open")}"' in detail
        response = client.post(url("call_move", call.pk, "open"))
        assert response.status_code == 302
        assert Call.objects.get(pk=call.pk).state == CallState.OPEN

    def test_a_bad_form_shows_its_errors_and_stores_nothing(self, org, people):
        client = login(people.officer)
        response = client.post(
            url("call_create"), self._form(org, min_grade="5", closes_at="2000-01-01T10:00")
        )
        assert response.status_code == 400
        assert "cannot be above the grade scale" in html(response) or "after the opening" in html(response)
        assert not Call.objects.exists()
        coordinator = login(people.coordinator)
        response = coordinator.post(url("call_create"), self._form(org))
        assert response.status_code == 400 and not Call.objects.exists()  # the office is not their unit

    def test_an_unknown_language_is_refused_on_the_call_and_its_destinations(self, org, people, world, calls):
        client = login(people.officer)
        for code in ("xx", "zzz"):
            response = client.post(url("call_create"), self._form(org, language=code))
            assert response.status_code == 400 and "language" in response.context["form"].errors, code
        assert not Call.objects.filter(language__in=("xx", "zzz")).exists()
        call = calls["office_draft"]
        client.post(
            url("call_destination_add", call.pk),
            {"destination-new-condition": world.outgoing.pk, "destination-new-places": 1},
        )
        destination = CallDestination.objects.get(call=call)
        prefix = f"destination-{destination.pk}-"
        for language, level, message in (
            ("xx", "B2", "is not an ISO 639-1 language code"),
            ("de", "B2", "asks for en B2"),
            ("en", "A2", "the level cannot be lower"),
            ("", "B2", "Say which language"),
        ):
            response = client.post(
                url("call_destination_edit", call.pk, destination.pk),
                {prefix + "places": 1, prefix + "language": language, prefix + "min_cefr": level},
            )
            assert response.status_code == 400 and message in html(response), language
        destination.refresh_from_db()
        assert (destination.language, destination.min_cefr) == ("en", "B2")

    def test_number_inputs_carry_the_bounds_the_services_apply(self, people, world, calls):
        client = login(people.officer)
        call = calls["office_draft"]
        page = html(client.get(url("call_edit", call.pk)))
        months = re.search(r'<input[^>]*name="destination-new-months"[^>]*>', page)
        assert months and 'min="0.5"' in months.group(0) and 'max="24"' in months.group(0)
        scale = re.search(r'<input[^>]*name="grade_scale"[^>]*>', page)
        assert scale and 'min="0.01"' in scale.group(0)
        response = client.post(
            url("call_destination_add", call.pk),
            {
                "destination-new-condition": world.outgoing.pk,
                "destination-new-places": 1,
                "destination-new-months": "0.2",
            },
        )
        assert response.status_code == 400 and not CallDestination.objects.filter(call=call).exists()

    def test_parts_answer_partial_updates_with_the_part_and_the_readiness_box(self, people, world, calls):
        client = login(people.coordinator)
        call = calls["school_draft"]
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "call-destinations"}
        response = client.post(
            url("call_destination_add", call.pk),
            {"destination-new-condition": world.outgoing.pk, "destination-new-places": 5},
            **headers,
        )
        text = html(response)
        assert response.status_code == 200 and text.lstrip().startswith(
            '<section class="card" id="call-destinations">'
        )
        assert "Only 1 place of this condition" in text and 'hx-swap-oob="true"' in text
        assert not CallDestination.objects.filter(call=call).exists()
        response = client.post(
            url("call_destination_add", call.pk),
            {"destination-new-condition": world.outgoing.pk, "destination-new-places": 1},
            **headers,
        )
        assert "The destination was added." in html(response)
        destination = CallDestination.objects.get(call=call)
        response = client.post(url("call_destination_remove", call.pk, destination.pk), **headers)
        assert response.status_code == 200 and not CallDestination.objects.filter(call=call).exists()

    def test_without_htmx_a_refused_part_shows_the_whole_page_with_the_error(self, people, world, calls):
        client = login(people.officer)
        call = calls["office_draft"]
        response = client.post(
            url("call_criterion_add", call.pk),
            {
                "criterion-new-code": "grades",
                "criterion-new-label_en": "Grades",
                "criterion-new-weight": 0,
                "criterion-new-max_points": 10,
                "criterion-new-source": "reviewers",
            },
        )
        assert response.status_code == 400 and 'id="call-fields"' in html(response)
        response = client.post(
            url("call_reviewer_add", call.pk), {"reviewer-new-user": world.contact.username}
        )
        assert response.status_code == 400 and "cannot review" in html(response)
        assert not CallReviewer.objects.filter(call=call).exists()

    def test_a_stale_save_is_refused(self, org, people, calls):
        client = login(people.officer)
        call = calls["office_draft"]
        data = self._form(org, version=call.version, title_en="Mine")
        Call.objects.filter(pk=call.pk).update(version=call.version + 1, title_en="Theirs")
        response = client.post(url("call_edit", call.pk), data)
        assert response.status_code == 409
        assert Call.objects.get(pk=call.pk).title_en == "Theirs"

    def test_an_open_call_s_form_changes_only_the_deadline_and_descriptions(self, org, people, calls):
        client = login(people.coordinator)
        call = calls["school_open"]
        later = timezone.localtime(call.closes_at) + datetime.timedelta(days=3)
        data = self._form(
            org,
            version=call.version,
            title_en="Changed title",
            unit=org.engineering.pk,
            closes_at=later.strftime("%Y-%m-%dT%H:%M"),
            description_en="Extended.",
        )
        response = client.post(url("call_edit", call.pk), data)
        assert response.status_code == 302, response.context["call_form"].errors
        call.refresh_from_db()
        assert call.description_en == "Extended." and call.title_en != "Changed title"
        assert timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M") == later.strftime(
            "%Y-%m-%d %H:%M"
        )


class TestDetail:
    def test_moves_explain_what_is_missing(self, people, calls):
        client = login(people.coordinator)
        page = html(client.get(url("call_detail", calls["school_draft"].pk)))
        assert 'data-move="open"' in page and "Add at least one destination." in page
        assert f'action="{url("call_move", calls["school_draft"].pk, "open")}"' not in page

    def test_counts_and_links(self, org, people, world):
        from meridian.mobility.tests.factories import make_application, student_user

        call = make_call(
            unit=org.engineering, state=CallState.OPEN, destinations=[(world.partner, 1, world.outgoing)]
        )
        make_application(call, student_user(org.computing, "s1"), state="submitted")
        make_application(call, student_user(org.computing, "s2", family_name="Wang"), state="submitted")
        page = html(login(people.officer).get(url("call_detail", call.pk)))
        assert 'data-state="submitted"' in page and "<strong>2</strong>" in page
        for name in ("application_list", "ranking", "allocation", "publicity", "nominate"):
            try:
                target = reverse(f"mobility:{name}", args=[] if name == "application_list" else [call.pk])
            except Exception:  # that area's pages are not installed
                continue
            assert target in page

    def test_a_committee_member_sees_the_call_and_no_management_links(self, people, calls):
        call = calls["office_draft"]
        staff = login(people.staff)
        assert staff.get(url("call_detail", call.pk)).status_code == 404
        CallReviewer.objects.create(call=call, user=people.staff)
        page = html(staff.get(url("call_detail", call.pk)))
        assert 'data-link="applications"' not in page and 'data-link="ranking"' not in page
        if routable("mobility:my_reviews"):
            assert 'data-link="reviews"' in page
        assert staff.get(url("call_edit", call.pk)).status_code == 403

    def test_unknown_moves_are_404_and_refused_moves_are_explained(self, people, calls):
        client = login(people.officer)
        call = calls["office_draft"]
        assert client.post(url("call_move", call.pk, "explode")).status_code == 404
        assert client.post(url("call_move", call.pk, "allocated")).status_code == 404
        assert client.get(url("call_move", call.pk, "open")).status_code == 405
        response = client.post(url("call_move", call.pk, "open"), follow=True)
        assert "Add at least one destination." in html(response)
        assert Call.objects.get(pk=call.pk).state == CallState.DRAFT
        client.post(url("call_move", call.pk, "cancel"), {"comment": "Not this year"})
        assert Call.objects.get(pk=call.pk).state == CallState.CANCELLED

    def test_text_is_escaped(self, org, people, world):
        call = ready(
            draft(org, people.officer, title_en="<script>alert(1)</script>", description_en="<b>bold</b>"),
            world,
            people.officer,
        )
        client = login(people.officer)
        for address in (url("call_list"), url("call_detail", call.pk), url("call_edit", call.pk)):
            page = html(client.get(address))
            assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>bold</b>" not in html(client.get(url("call_detail", call.pk)))
