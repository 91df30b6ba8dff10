"""Staff pages of lectures: who may open and do what (role × action from one table), the forms (prefilled
from a visit, bad input redisplayed), the moves with their messages, the review page and the visit page's
panel."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from meridian.visitors.choices import LectureReview, LectureState
from meridian.visitors.filters_lectures import LectureFilter
from meridian.visitors.models import Lecture
from meridian.visitors.panels import _panels
from meridian.visitors.services import lectures as services
from meridian.visitors.tests.factories_lectures import at, file_lecture, scholar_visit, staff_user
from meridian.workflow.testing import partner_contact_user

pytestmark = pytest.mark.django_db

LOGIN = "login"  # redirected to sign in
LECTURES_API = "/api/v1/visitors/lectures/"

# Expected answer per action and role. The lecture belongs to Computing (its coordinator is the engineering
# coordinator) and to a visit hosted by the ``staff`` member; "other_staff" is a colleague of Computing who
# hosts nothing; "other_coordinator" coordinates Humanities.
MATRIX: dict[str, dict[str, int | str]] = {
    "list": {
        "officer": 200,
        "leadership": 200,
        "coordinator": 200,
        "host": 200,
        "other_staff": 200,
        "other_coordinator": 200,
        "student": 403,
        "partner_contact": 403,
        "anonymous": LOGIN,
    },
    "detail": {
        "officer": 200,
        "leadership": 200,
        "coordinator": 200,
        "host": 200,
        "other_staff": 404,
        "other_coordinator": 404,
        "student": 404,
        "partner_contact": 404,
        "anonymous": LOGIN,
    },
    "edit": {
        "officer": 200,
        "leadership": 403,
        "coordinator": 200,
        "host": 200,
        "other_staff": 404,
        "other_coordinator": 404,
        "student": 404,
        "partner_contact": 404,
        "anonymous": LOGIN,
    },
    "create_from_visit": {
        "officer": 200,
        "leadership": 403,
        "coordinator": 200,
        "host": 200,
        "other_staff": 404,
        "other_coordinator": 404,
        "student": 404,
        "partner_contact": 404,
        "anonymous": LOGIN,
    },
    "review": {
        "officer": 200,
        "leadership": 403,
        "coordinator": 403,
        "host": 403,
        "other_staff": 404,
        "other_coordinator": 404,
        "student": 404,
        "partner_contact": 404,
        "anonymous": LOGIN,
    },
    "submit": {
        "officer": 302,
        "leadership": 403,
        "coordinator": 302,
        "host": 302,
        "other_staff": 404,
        "other_coordinator": 404,
        "student": 404,
        "partner_contact": 404,
        "anonymous": LOGIN,
    },
}


def _user(role: str, org, people):
    return {
        "officer": people.officer,
        "leadership": people.leadership,
        "coordinator": people.coordinator,
        "host": people.staff,
        "other_staff": lambda: staff_user(org),
        "other_coordinator": people.other_coordinator,
        "student": people.student,
        "partner_contact": lambda: partner_contact_user(org),
        "anonymous": None,
    }[role]


def _request(client: Client, action: str, lecture: Lecture):
    if action == "list":
        return client.get(reverse("visitors:lecture_list"))
    if action == "detail":
        return client.get(reverse("visitors:lecture_detail", args=[lecture.pk]))
    if action == "edit":
        return client.get(reverse("visitors:lecture_edit", args=[lecture.pk]))
    if action == "create_from_visit":
        return client.get(reverse("visitors:lecture_create") + f"?visit={lecture.visit_id}")
    if action == "review":
        services.lecture_submit_for_review(lecture=lecture, actor=None)
        return client.get(reverse("visitors:lecture_review", args=[lecture.pk]))
    if action == "submit":
        return client.post(reverse("visitors:lecture_action", args=[lecture.pk, "submit"]))
    raise AssertionError(action)


CASES = [
    pytest.param(action, role, expected, id=f"{role}-{action}")
    for action, row in MATRIX.items()
    for role, expected in row.items()
]


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_matrix(client, org, people, action, role, expected):
    visit = scholar_visit(org, people)
    lecture = file_lecture(org, people, visit=visit, starts_at=at(31), ends_at=at(31, 16))
    user = _user(role, org, people)
    user = user() if callable(user) else user
    if user is not None:
        client.force_login(user)
    response = _request(client, action, lecture)
    if expected == LOGIN:
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == expected
    lecture.refresh_from_db()
    if action == "submit":
        assert (lecture.review == LectureReview.PENDING) is (expected == 302)


# --- forms --------------------------------------------------------------------------------------------------


def form_data(lecture_unit, **values) -> dict:
    starts = at(30)
    data = {
        "unit": lecture_unit.pk,
        "speaker": "Prof. Anna Schmidt",
        "speaker_affiliation": "Heidelberg University",
        "title_en": "Power systems",
        "title_zh": "电力系统",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place_en": "Hall A",
        "place_zh": "A厅",
        "is_public": "on",
        "abstract_en": "",
        "abstract_zh": "",
        "outline": "Outline",
    }
    data.update(values)
    return data


def test_the_form_from_a_visit_is_prefilled_with_the_guest_unit_and_a_day_of_the_visit(client, org, people):
    visit = scholar_visit(org, people, starts_in=30)
    guest = visit.guests.get()
    client.force_login(people.staff)
    response = client.get(reverse("visitors:lecture_create") + f"?visit={visit.pk}")
    form = response.context["form"]
    assert form.initial["guest"] == guest.pk
    assert form.initial["speaker"] == "Anna Schmidt"
    assert form.initial["unit"] == org.computing.pk
    assert timezone.localtime(form.initial["starts_at"]).date() == visit.arrive_on
    # The host may only choose the visit's host unit.
    assert list(form.fields["unit"].queryset) == [org.computing]


def test_filing_a_lecture_of_a_visit_through_the_form(client, org, people):
    visit = scholar_visit(org, people, starts_in=30)
    client.force_login(people.staff)
    data = form_data(org.computing, visit=visit.pk, guest=visit.guests.get().pk)
    response = client.post(reverse("visitors:lecture_create"), data)
    lecture = Lecture.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "visitors:lecture_detail", args=[lecture.pk]
    )
    assert (lecture.visit, lecture.created_by, lecture.state) == (visit, people.staff, LectureState.DRAFT)
    assert lecture.review_due_on is not None


def test_bad_input_is_redisplayed_with_the_reason_and_nothing_is_stored(client, org, people):
    visit = scholar_visit(org, people, starts_in=30, days=2)
    client.force_login(people.coordinator)
    outside = at(60)
    data = form_data(
        org.computing,
        visit=visit.pk,
        title_en="Kept title",
        starts_at=outside.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(outside + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client.post(reverse("visitors:lecture_create"), data)
    assert response.status_code == 400
    assert "The lecture must be held during the visit" in response.content.decode()
    assert 'value="Kept title"' in response.content.decode()
    assert not Lecture.objects.exists()
    response = client.post(reverse("visitors:lecture_create"), form_data(org.computing, starts_at="tomorrow"))
    assert response.status_code == 400
    assert not Lecture.objects.exists()


def test_a_unit_the_user_does_not_act_for_is_refused(client, org, people):
    client.force_login(people.coordinator)
    response = client.post(reverse("visitors:lecture_create"), form_data(org.humanities))
    assert response.status_code == 400
    assert not Lecture.objects.exists()


def test_a_stale_edit_shows_what_changed(client, org, people):
    lecture = file_lecture(org, people)
    client.force_login(people.coordinator)
    old_version = lecture.version
    services.lecture_update(lecture=lecture, actor=people.officer, place_en="Room 9")
    data = form_data(org.computing, version=old_version, place_en="Room 1")
    response = client.post(reverse("visitors:lecture_edit", args=[lecture.pk]), data)
    assert response.status_code == 409
    assert "Someone else saved this record" in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.place_en == "Room 9"


def test_editing_through_the_form(client, org, people):
    lecture = file_lecture(org, people)
    client.force_login(people.coordinator)
    data = form_data(org.computing, version=lecture.version, place_en="Room 1")
    response = client.post(reverse("visitors:lecture_edit", args=[lecture.pk]), data)
    assert response.status_code == 302
    lecture.refresh_from_db()
    assert lecture.place_en == "Room 1"


# --- moves and review ---------------------------------------------------------------------------------------


def test_publishing_without_review_shows_the_reason(client, org, people):
    lecture = file_lecture(org, people, days=3)
    client.force_login(people.coordinator)
    page = client.get(reverse("visitors:lecture_detail", args=[lecture.pk])).content.decode()
    assert "It was not reviewed, so it cannot be published" in page
    response = client.post(reverse("visitors:lecture_action", args=[lecture.pk, "publish"]), follow=True)
    assert "It was not reviewed, so it cannot be published" in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.state == LectureState.DRAFT


def test_the_office_reviews_then_the_organiser_publishes(client, org, people):
    lecture = file_lecture(org, people)
    client.force_login(people.coordinator)
    client.post(reverse("visitors:lecture_action", args=[lecture.pk, "submit"]))
    client.force_login(people.officer)
    listing = client.get(reverse("visitors:lecture_list")).content.decode()
    assert reverse("visitors:lecture_review", args=[lecture.pk]) in listing
    response = client.post(
        reverse("visitors:lecture_review", args=[lecture.pk]), {"decision": "reject", "comment": ""}
    )
    assert response.status_code == 400
    assert "Say why the outline is not approved." in response.content.decode()
    response = client.post(reverse("visitors:lecture_review", args=[lecture.pk]), {"decision": "approve"})
    assert response.status_code == 302
    client.force_login(people.coordinator)
    client.post(reverse("visitors:lecture_action", args=[lecture.pk, "publish"]))
    lecture.refresh_from_db()
    assert (lecture.review, lecture.state) == (LectureReview.APPROVED, LectureState.PUBLISHED)


def test_an_unknown_move_is_404_and_moves_need_post(client, org, people):
    lecture = file_lecture(org, people)
    client.force_login(people.coordinator)
    assert client.post(reverse("visitors:lecture_action", args=[lecture.pk, "explode"])).status_code == 404
    assert client.get(reverse("visitors:lecture_action", args=[lecture.pk, "cancel"])).status_code == 405


def test_list_filters_narrow_the_list_like_the_api(client, org, people):
    draft = file_lecture(org, people)
    cancelled = services.lecture_cancel(
        lecture=file_lecture(org, people, title_en="Gone"), actor=people.officer
    )
    internal = file_lecture(org, people, title_en="Internal", is_public=False, days=50)
    client.force_login(people.officer)
    api = APIClient()
    api.force_authenticate(people.officer)
    day = timezone.localdate(internal.starts_at).isoformat()
    for params, expected in (
        ({"state": "cancelled"}, {cancelled}),
        ({"review": "not_needed", "state": "draft"}, {draft, internal}),
        ({"is_public": "false"}, {internal}),
        ({"starts_from": day}, {internal}),
        ({"unit": org.engineering.pk}, {draft, cancelled, internal}),
        ({"unit": org.humanities.pk}, set()),
    ):
        response = client.get(reverse("visitors:lecture_list"), params)
        assert response.status_code == 200, params
        assert {row["lecture"] for row in response.context["rows"]} == expected, params
        listed = {row["id"] for row in api.get(LECTURES_API, params).json()["results"]}
        assert listed == {lecture.pk for lecture in expected}, params


BAD_FILTERS = [
    {"state": "zzz"},
    {"review": "zzz"},
    {"is_public": "perhaps"},
    {"starts_from": "yesterday"},
    {"starts_from": "2027-03-01", "starts_to": "2027-02-01"},
    {"unit": "999999"},
]


@pytest.mark.parametrize("params", BAD_FILTERS)
def test_an_invalid_filter_value_is_refused_on_the_page_and_by_the_api(client, org, people, params):
    file_lecture(org, people)
    client.force_login(people.officer)
    response = client.get(reverse("visitors:lecture_list"), params)
    assert response.status_code == 400
    assert response.context["rows"] == []
    page = response.content.decode()
    assert 'id="filter-errors"' in page and "no lectures are listed" in page
    field = list(params)[-1]
    assert any(
        label == str(LectureFilter.base_filters[field].label)
        for label, _ in response.context["filter_errors"]
    )
    api = APIClient()
    api.force_authenticate(people.officer)
    answer = api.get(LECTURES_API, params)
    assert answer.status_code == 400
    assert field in answer.json()["error"]["details"]


def test_the_list_shows_the_outline_still_to_submit(client, org, people):
    lecture = file_lecture(org, people)
    client.force_login(people.coordinator)
    page = client.get(reverse("visitors:lecture_list")).content.decode()
    assert lecture.review_due_on is not None
    assert f"Outline to submit by {lecture.review_due_on.isoformat()}" in page


def test_pages_read_in_chinese(client, org, people):
    lecture = file_lecture(org, people)
    client.force_login(people.coordinator)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("visitors:lecture_detail", args=[lecture.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "转型中的电力系统" in page.content.decode()


# --- the visit page's panel ---------------------------------------------------------------------------------


def test_the_visit_panel_lists_the_lectures_and_offers_to_add_one(rf, org, people):
    visit = scholar_visit(org, people)
    lecture = file_lecture(org, people, visit=visit, starts_at=at(31), ends_at=at(31, 16))
    import meridian.visitors.views.lectures  # noqa: F401  (registers the panel, as the URLconf does)

    panel = _panels["lectures"]
    assert (panel.order, panel.template) == (50, "visitors/lectures/_visit_panel.html")
    request = rf.get("/")
    request.user = people.staff
    context = panel.context(request, visit)
    assert context is not None
    assert [row["lecture"] for row in context["lecture_rows"]] == [lecture]
    assert context["lecture_add_url"] == reverse("visitors:lecture_create") + f"?visit={visit.pk}"
    html = render_to_string(panel.template, {"visit": visit, **context}, request=request)
    assert reverse("visitors:lecture_detail", args=[lecture.pk]) in html
    assert "Add a lecture" in html
    request.user = people.leadership
    assert (panel.context(request, visit) or {}).get("lecture_add_url") == ""


def test_the_visit_page_shows_the_lectures_panel(client, org, people):
    visit = scholar_visit(org, people)
    lecture = file_lecture(org, people, visit=visit, starts_at=at(31), ends_at=at(31, 16))
    client.force_login(people.staff)
    page = client.get(reverse("visitors:visit_detail", args=[visit.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="lectures"' in html
    assert reverse("visitors:lecture_detail", args=[lecture.pk]) in html


def test_the_review_rule_is_on_the_visitors_rules_page(client, people):
    client.force_login(people.admin)
    response = client.get(reverse("visitors:rules"))
    assert response.status_code == 200
    assert "Outline review of public lectures" in response.content.decode()
