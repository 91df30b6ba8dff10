"""Selection pages per role: the list and its export, the staff page of an application, the school's queue,
the reviewer's pages (a conflict of interest answers 404), ranking, allocation and publicity (a student
never sees scores)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from meridian.mobility import casework
from meridian.mobility.choices import ApplicationState, CallState
from meridian.mobility.models import Application, Review, ReviewConflict
from meridian.mobility.services.allocation import allocation_run
from meridian.mobility.services.selection import review_save
from meridian.mobility.tests.factories import make_application, student_user
from meridian.mobility.tests.factories_selection import committee_member, selection_world
from meridian.workflow.services import case_move

A = ApplicationState


@pytest.fixture
def sel(org, world):
    """A closed call with two destinations and three ranked, approved computing students; one reviewer."""
    data = selection_world(org, places=(1, 1), students=3)
    data.reviewer = committee_member(org.engineering, "rev-view", call=data.call)
    return data


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"mobility:{name}", args=args), params)


# --- the list -------------------------------------------------------------------------------------------


def test_list_by_role(client, sel, people, world):
    numbers = {a.number for a in sel.applications}
    for user in (people.officer, people.leadership, people.coordinator, sel.reviewer):
        response = _get(client, user, "application_list")
        assert response.status_code == 200, user
        assert all(n in response.content.decode() for n in numbers), user
    response = _get(client, people.other_coordinator, "application_list")
    assert response.status_code == 200 and not any(n in response.content.decode() for n in numbers)
    for user in (people.outsider, world.contact, sel.applications[0].student, people.staff):
        assert _get(client, user, "application_list").status_code == 403, user


def test_list_filters_sorting_and_bad_values(client, sel, people):
    first, second, third = sel.applications
    Application.objects.filter(pk=third.pk).update(state=A.INELIGIBLE)
    content = _get(client, people.officer, "application_list", state="pre_approved").content.decode()
    assert first.number in content and third.number not in content
    content = _get(client, people.officer, "application_list", q=second.number).content.decode()
    assert second.number in content and first.number not in content
    content = _get(
        client, people.officer, "application_list", q=f"Stu {first.person.family_name}"
    ).content.decode()
    assert first.number in content and second.number not in content
    content = _get(client, people.officer, "application_list", ordering="-rank").content.decode()
    assert content.index(third.number) < content.index(second.number) < content.index(first.number)
    response = _get(client, people.officer, "application_list", partner=str(sel.destinations[0].partner_id))
    assert first.number in response.content.decode()
    response = _get(client, people.officer, "application_list", state="nonsense", ordering="bogus")
    assert response.status_code == 200
    assert 'id="filter-errors"' in response.content.decode() and first.number not in response.content.decode()


@pytest.mark.parametrize("view", ["application_list", "school_queue"])
def test_page_numbers_out_of_range_show_the_last_or_first_page(client, monkeypatch, org, sel, people, view):
    from meridian.mobility.views import selection as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    if view == "school_queue":
        Application.objects.filter(pk__in=[a.pk for a in sel.applications]).update(state=A.SUBMITTED)
    newest = max(sel.applications, key=lambda a: a.number)
    oldest = min(sel.applications, key=lambda a: a.number)
    for page, number in (("999999999999999999999", 2), ("2", 2), ("abc", 1), ("-1", 1), ("0", 1), ("", 1)):
        response = _get(client, people.officer, view, page=page)
        assert response.status_code == 200, page
        assert response.context["page_obj"].number == number, page
        rows = [row["a"].number for row in response.context["rows"]]
        if view == "application_list":  # newest first: the last page holds the oldest
            assert (oldest.number in rows) == (number == 2) and (newest.number in rows) == (number == 1), page


def test_list_query_count_does_not_grow_with_rows(client, org, sel, people):
    client.force_login(people.officer)
    url = reverse("mobility:application_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        make_application(sel.call, student_user(org.computing, f"many-{i}"), state=A.SUBMITTED)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_export_content_and_errors(client, sel, people):
    first = sel.applications[0]
    response = _get(client, people.officer, "application_export", format="csv", state="pre_approved")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[0] == "Number" and "Score" in header and "Preferences" in header
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_number) == {a.number for a in sel.applications}
    assert by_number[first.number]["Rank"] == "1"
    assert by_number[first.number]["Preferences"].startswith("1. ")
    response = _get(client, people.officer, "application_export", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][0] == "Number"
    assert sheet.max_row == 4
    assert _get(client, people.officer, "application_export", format="pdf").status_code == 400
    assert _get(client, people.officer, "application_export", state="nonsense").status_code == 400
    # The reader's language.
    client.force_login(people.officer)
    response = client.get(reverse("mobility:application_export"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        expected = gettext("Number")
    assert response.content.decode("utf-8-sig").splitlines()[0].split(",")[0] == expected
    # A school's coordinator who does not run the call gets no scores; outsiders nothing.
    rows = list(
        csv.reader(
            io.StringIO(_get(client, people.coordinator, "application_export").content.decode("utf-8-sig"))
        )
    )
    assert all(row[rows[0].index("Score")] == "" for row in rows[1:])
    assert _get(client, people.outsider, "application_export").status_code == 403


# --- the staff page --------------------------------------------------------------------------------------


def test_detail_by_role(client, sel, people, world):
    application = sel.applications[0]
    review_save(
        application=application, reviewer=sel.reviewer, points={"grades": 7, "motivation": 6}, submit=True
    )
    officer = _get(client, people.officer, "application_detail", application.pk).content.decode()
    assert 'id="reviews"' in officer and "rev-view" in officer and 'id="eligibility"' in officer
    coordinator = _get(client, people.coordinator, "application_detail", application.pk).content.decode()
    assert 'id="eligibility"' in coordinator and 'id="reviews"' not in coordinator
    reviewer = _get(client, sel.reviewer, "application_detail", application.pk).content.decode()
    assert 'id="score"' in reviewer and "Your review" in reviewer
    for user in (people.other_coordinator, people.outsider, world.contact, sel.applications[1].student):
        assert _get(client, user, "application_detail", application.pk).status_code == 404, user
    response = _get(client, application.student, "application_detail", application.pk)
    assert response.status_code == 302 and response["Location"] == reverse(
        "mobility:student_application", args=[application.pk]
    )


def test_school_decides_from_the_queue(client, org, people, sel):
    submitted = make_application(sel.call, student_user(org.computing, "queue-1"), state=A.SUBMITTED)
    sel.call.state = CallState.OPEN
    sel.call.save()
    page = _get(client, people.coordinator, "school_queue").content.decode()
    assert submitted.number in page and sel.applications[0].number not in page
    assert submitted.number not in _get(client, people.other_coordinator, "school_queue").content.decode()
    assert _get(client, sel.reviewer, "school_queue").status_code == 403
    leader = _get(client, people.leadership, "school_queue").content.decode()  # reads, does not decide
    assert submitted.number in leader and 'data-move="pre_approve"' not in leader
    url = reverse("mobility:selection_decide", args=[submitted.pk])
    client.force_login(people.other_coordinator)
    assert client.post(url, {"move": "pre_approve"}).status_code == 404
    client.force_login(people.leadership)
    assert client.post(url, {"move": "pre_approve"}).status_code == 403
    client.force_login(people.coordinator)
    assert client.get(url).status_code == 405
    response = client.post(url, {"move": "reject", "comment": ""})  # a reason is required
    submitted.refresh_from_db()
    assert response.status_code == 302 and submitted.state == A.SUBMITTED
    client.post(url, {"move": "pre_approve", "comment": "Fine", "next": reverse("mobility:school_queue")})
    submitted.refresh_from_db()
    assert submitted.state == A.PRE_APPROVED and submitted.school_note == "Fine"


# --- reviewers -------------------------------------------------------------------------------------------


def test_reviewer_scores_and_a_conflict_answers_404(client, sel, people):
    application, other = sel.applications[0], sel.applications[1]
    page = _get(client, sel.reviewer, "my_reviews").content.decode()
    assert application.number in page and other.number in page
    assert _get(client, people.coordinator, "my_reviews").status_code == 403
    url = reverse("mobility:review", args=[application.pk])
    client.force_login(sel.reviewer)
    response = client.post(url, {"points_grades": "11", "points_motivation": "5", "submit": "1"})
    assert response.status_code == 200 and not Review.objects.exists()
    response = client.post(
        url, {"points_grades": "8", "points_motivation": "6.5", "comment": "ok", "submit": "1"}
    )
    assert response.status_code == 302
    review = Review.objects.get(application=application, reviewer=sel.reviewer)
    assert review.points == {"grades": 8, "motivation": 6.5} and review.submitted_at is not None
    # Officers who are not on the committee may read but not score.
    assert _get(client, people.officer, "review", application.pk).status_code == 403
    # A conflict: declared from the list, the application disappears for the reviewer.
    client.force_login(sel.reviewer)
    response = client.post(reverse("mobility:selection_conflict", args=[other.pk]), {"reason": "My cousin"})
    assert response.status_code == 302 and response["Location"] == reverse("mobility:my_reviews")
    assert ReviewConflict.objects.filter(application=other, reviewer=sel.reviewer).exists()
    for name in ("application_detail", "review"):
        assert _get(client, sel.reviewer, name, other.pk).status_code == 404
    assert other.number not in _get(client, sel.reviewer, "my_reviews").content.decode()
    assert other.number not in _get(client, sel.reviewer, "application_list").content.decode()


def test_points_take_the_decimals_they_are_stored_with(client, sel):
    url = reverse("mobility:review", args=[sel.applications[0].pk])
    client.force_login(sel.reviewer)
    field = re.search(r'<input[^>]*name="points_grades"[^>]*>', client.get(url).content.decode())
    assert field and 'step="0.01"' in field.group(0)  # 7.25 is a valid score, as stored
    for points in ("7.255", "nan", "1e308", "-1"):
        response = client.post(url, {"points_grades": points, "points_motivation": "5", "submit": "1"})
        assert response.status_code == 200 and "points_grades" in response.context["form"].errors, points
    assert not Review.objects.exists()
    client.post(url, {"points_grades": "7.25", "points_motivation": "5", "submit": "1"})
    assert Review.objects.get().points == {"grades": 7.25, "motivation": 5}


def test_office_declares_for_a_reviewer(client, sel, people):
    application = sel.applications[0]
    url = reverse("mobility:selection_conflict", args=[application.pk])
    client.force_login(people.coordinator)  # runs no call here, sees the application as its school
    assert client.post(url, {"reviewer": sel.reviewer.pk, "reason": "x"}).status_code == 403
    client.force_login(people.officer)
    client.post(url, {"reviewer": sel.reviewer.pk, "reason": "Supervisor"})
    conflict = ReviewConflict.objects.get(application=application)
    assert conflict.reviewer == sel.reviewer and conflict.declared_by == people.officer
    client.post(reverse("mobility:selection_conflict_lift", args=[conflict.pk]))
    assert not ReviewConflict.objects.exists()


# --- ranking, allocation, publicity ---------------------------------------------------------------------


def test_ranking_and_allocation_pages(client, sel, people):
    call = sel.call
    for name in ("ranking", "allocation"):
        assert _get(client, people.officer, name, call.pk).status_code == 200
        assert _get(client, people.leadership, name, call.pk).status_code == 200
        assert _get(client, sel.reviewer, name, call.pk).status_code == 403
        assert _get(client, people.coordinator, name, call.pk).status_code == 403
        assert _get(client, sel.applications[0].student, name, call.pk).status_code == 403  # calls are public
    client.force_login(people.leadership)
    assert client.post(reverse("mobility:ranking", args=[call.pk])).status_code == 403
    client.force_login(people.officer)
    client.post(reverse("mobility:ranking", args=[call.pk]))
    client.post(reverse("mobility:allocation", args=[call.pk]), {"action": "run"})
    call.refresh_from_db()
    assert call.state == CallState.ALLOCATED
    page = _get(client, people.officer, "allocation", call.pk).content.decode()
    assert "taken by higher-ranked applicants" in page and 'id="fill-table"' in page
    client.post(reverse("mobility:allocation", args=[call.pk]), {"action": "undo"})
    assert not Application.objects.filter(call=call, state=A.OFFERED).exists()


def test_publicity_masks_names_for_students_and_hides_scores(client, org, sel, people):
    call = sel.call
    first, second, third = sel.applications
    Application.objects.filter(pk=first.pk).update(score=Decimal("97.50"))
    first.person.name_zh = "李明"
    first.person.save()
    allocation_run(call=call, actor=people.officer)
    # Before publication: a staff preview; students get 404.
    assert "Preview" in _get(client, people.officer, "publicity", call.pk).content.decode()
    assert _get(client, third.student, "publicity", call.pk).status_code == 404
    day = datetime.date(2026, 3, 2)
    with casework.evaluation_date(day):
        case_move(case=call, actor=people.officer, move="publish_results")
    call.refresh_from_db()
    with casework.evaluation_date(day):
        response = _get(client, third.student, "publicity", call.pk)
        content = response.content.decode()
        assert response.status_code == 200
        assert first.number in content and "李*" in content and "李明" not in content
        assert "97.5" not in content and "Rank" not in content
        outsider = student_user(org.computing, "not-applicant")
        assert _get(client, outsider, "publicity", call.pk).status_code == 404
        staff = _get(client, people.officer, "publicity", call.pk).content.decode()
        assert "李明" in staff or str(first.person) in staff
    with casework.evaluation_date(call.publicity_ends_on + datetime.timedelta(days=1)):
        assert _get(client, third.student, "publicity", call.pk).status_code == 404
    # The student's own page never shows a score either.
    assert _get(client, first.student, "review", first.pk).status_code == 403


# --- identity documents ----------------------------------------------------------------------------------


def test_passport_copies_only_for_those_handling_the_case(client, sel, people):
    """Leadership and committee members see the application but not the applicant's passport copy: 403,
    and the pages show its name without a link; the office and the student download it."""
    from meridian.mobility.choices import DocumentKind
    from meridian.mobility.services.applications import application_file_add
    from meridian.mobility.tests.factories_mobilities import pdf

    application = sel.applications[0]
    Application.objects.filter(pk=application.pk).update(state=A.DRAFT)
    application.refresh_from_db()
    passport = application_file_add(
        application=application,
        actor=application.student,
        kind=DocumentKind.PASSPORT,
        uploaded=pdf("pass.pdf"),
    )
    transcript = application_file_add(
        application=application, actor=application.student, kind=DocumentKind.TRANSCRIPT, uploaded=pdf()
    )
    Application.objects.filter(pk=application.pk).update(state=A.PRE_APPROVED)
    passport_url = reverse("mobility:application_file", args=[application.pk, passport.pk])
    transcript_url = reverse("mobility:application_file", args=[application.pk, transcript.pk])
    for user in (people.leadership, sel.reviewer):
        client.force_login(user)
        assert client.get(passport_url).status_code == 403, user
        assert client.get(transcript_url).status_code == 200, user
    for user, page in ((people.leadership, "application_detail"), (sel.reviewer, "review")):
        text = _get(client, user, page, application.pk).content.decode()
        assert "pass.pdf" in text and passport_url not in text and transcript_url in text, user
    for user in (people.officer, application.student):
        client.force_login(user)
        assert client.get(passport_url).status_code == 200, user
    officer = _get(client, people.officer, "application_detail", application.pk).content.decode()
    assert passport_url in officer
