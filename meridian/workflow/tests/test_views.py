"""The workflow pages as people use them: landing, inbox, moves, decisions, notifications, chain editing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from meridian.core.models import Notification, NotificationPreference
from meridian.core.notifications import notify
from meridian.workflow import services
from meridian.workflow.choices import AssigneeKind, TaskState
from meridian.workflow.models import ApprovalChain, StepTask, TransitionLog, Watch
from meridian.workflow.testing import assert_flat_queries
from meridian.workflow.tests import casetype


def _login(client, user):
    client.force_login(user)
    return client


def _chain(admin, *kinds):
    steps = [{"order": i + 1, "label": f"Step {i + 1}", "assignee_kind": k} for i, k in enumerate(kinds)]
    return services.chain_create(actor=admin, case_type=casetype.CODE, name="Trips", steps=steps)


# --- landing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [
        ("admin", "/dashboard/"),
        ("officer", "/dashboard/"),
        ("coordinator", "/dashboard/"),
        ("leadership", "/dashboard/"),
        ("staff", "/inbox/"),
        ("student", "/exchange/my/"),  # the student portal registered as their landing
        ("outsider", "/inbox/"),
    ],
)
def test_sign_in_lands_each_role_where_it_works(client, people, who, lands_on):
    user = getattr(people, who)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    landing = client.get(response["Location"])
    assert landing["Location"] == lands_on


def test_partner_contact_lands_on_the_inbox(client, org):
    from meridian.workflow.testing import partner_contact_user

    _login(client, partner_contact_user(org))
    assert client.get(reverse("workflow:landing"))["Location"] == "/inbox/"


# --- inbox --------------------------------------------------------------------------------------------------


def test_inbox_lists_my_tasks_with_due_dates_overdue_marks_and_counts(client, org, people, make_trip):
    _chain(people.admin, AssigneeKind.INTERNATIONAL_OFFICE)
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    late = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff, name="Late trip"),
        actor=people.staff,
        move="submit",
    )
    StepTask.objects.filter(approval__object_id=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    response = _login(client, people.officer).get(reverse("workflow:inbox"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Trip {trip.pk}: Conference in Lyon" in page and f"Trip {late.pk}: Late trip" in page
    assert 'data-count="tasks">2<' in page and 'data-count="overdue">1<' in page
    assert page.count('class="badge overdue"') == 1
    only_late = client.get(reverse("workflow:inbox"), {"overdue": "1"}).content.decode()
    assert f"Trip {late.pk}" in only_late and f"Trip {trip.pk}:" not in only_late
    # The navigation's inbox entry shows the count.
    assert re.search(r'data-nav="inbox"[^>]*>[^<]*<span class="badge count"[^>]*>2</span>', page)


def test_inbox_my_cases_and_followed_cases(client, org, people, make_trip):
    make_trip(unit=org.computing, applicant=people.staff, name="My trip")
    other = make_trip(unit=org.computing, applicant=people.student, name="Someone's trip")
    _login(client, people.staff)
    page = client.get(reverse("workflow:inbox"), {"tab": "mine"}).content.decode()
    assert "My trip" in page and "Someone" not in page
    assert "Nothing is waiting" not in page
    services.watch_set(case=other, user=people.officer, watching=True)
    page = _login(client, people.officer).get(reverse("workflow:inbox"), {"tab": "watched"}).content.decode()
    assert "Someone&#x27;s trip" in page and "My trip" not in page
    filtered = client.get(
        reverse("workflow:inbox"), {"tab": "watched", "case_type": casetype.CODE, "state": "review"}
    )
    assert "Someone" not in filtered.content.decode()


def test_inbox_query_count_does_not_grow_with_tasks(client, org, people, make_trip):
    _chain(people.admin, AssigneeKind.INTERNATIONAL_OFFICE)
    _login(client, people.officer)

    def add(n):
        for _ in range(n):
            services.case_move(
                case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
            )

    assert_flat_queries(fetch=lambda: client.get(reverse("workflow:inbox")), add_rows=add, few=1, many=5)


def test_inbox_pages_through_every_open_task_not_only_the_first_hundreds(client, org, people, make_trip):
    """An office with hundreds of open steps can page to the last of them (pages are cut in the database)."""
    from meridian.workflow.models import CaseApproval

    _chain(people.admin, AssigneeKind.INTERNATIONAL_OFFICE)
    for _ in range(3):
        services.case_move(
            case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
        )
    template = StepTask.objects.select_related("approval").order_by("id")[0]
    runs = CaseApproval.objects.bulk_create(
        [
            CaseApproval(
                content_type_id=template.approval.content_type_id,
                object_id=template.approval.object_id,
                case_type=template.approval.case_type,
                chain_version=template.approval.chain_version,
            )
            for _ in range(520)
        ]
    )
    tasks = StepTask.objects.bulk_create(
        [
            StepTask(
                approval=run,
                step=template.step,
                order=1,
                label="Step 1",
                assignee_kind=template.assignee_kind,
                state=TaskState.OPEN,
            )
            for run in runs
        ]
    )
    StepTask.assignees.through.objects.bulk_create(
        [StepTask.assignees.through(steptask_id=t.pk, user_id=people.officer.pk) for t in tasks]
    )
    _login(client, people.officer)
    for url in (reverse("workflow:inbox"), reverse("workflow:office")):
        response = client.get(url, {"page": "11"})
        assert response.context["page_obj"].paginator.count == 523
        assert response.context["page_obj"].number == 11
        assert len(response.context["rows"]) == 23


def test_office_view_is_for_officers(client, org, people, make_trip):
    _chain(people.admin, AssigneeKind.INTERNATIONAL_OFFICE)
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    page = _login(client, people.officer).get(reverse("workflow:office")).content.decode()
    assert f"Trip {trip.pk}" in page
    assert _login(client, people.coordinator).get(reverse("workflow:office")).status_code == 403


# --- moves and step actions ---------------------------------------------------------------------------------


def test_move_form_takes_the_move_with_files(client, org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    _login(client, people.staff)
    url = reverse("workflow:move", args=[casetype.CODE, trip.pk, "submit"])
    plan = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = client.post(url, {"comment": "Here", "files": [plan], "next": "/inbox/?tab=mine"})
    assert response["Location"] == "/inbox/?tab=mine"
    trip.refresh_from_db()
    assert trip.status == "review"
    entry = TransitionLog.objects.get()
    download = client.get(reverse("workflow:log_file", args=[entry.files.get().pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 plan"
    # Someone who may not see the case gets 404 for the file and for the move.
    _login(client, people.other_coordinator)
    assert client.get(reverse("workflow:log_file", args=[entry.files.get().pk])).status_code == 404
    assert client.post(reverse("workflow:move", args=[casetype.CODE, trip.pk, "withdraw"])).status_code == 404


def test_refused_move_shows_the_reason_and_changes_nothing(client, org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    trip.status = "approved"
    trip.save()
    _login(client, people.officer)
    response = client.post(reverse("workflow:move", args=[casetype.CODE, trip.pk, "activate"]), follow=True)
    assert "Activate needs ECHE start." in response.content.decode()
    trip.refresh_from_db()
    assert trip.status == "approved"
    assert client.post(reverse("workflow:move", args=[casetype.CODE, trip.pk, "fly"])).status_code == 404
    assert client.post(reverse("workflow:move", args=["nosuchtype", trip.pk, "activate"])).status_code == 404
    assert client.get(reverse("workflow:move", args=[casetype.CODE, trip.pk, "activate"])).status_code == 405


def test_step_actions_from_the_form(client, org, people, make_trip):
    _chain(people.admin, AssigneeKind.UNIT_COORDINATOR, AssigneeKind.INTERNATIONAL_OFFICE)
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    # Not theirs: 404, nothing decided.
    _login(client, people.student)
    assert client.post(reverse("workflow:step_action", args=[task.pk, "approve"])).status_code == 404
    _login(client, people.coordinator)
    assert client.post(reverse("workflow:step_action", args=[task.pk, "bless"])).status_code == 404
    client.post(reverse("workflow:step_action", args=[task.pk, "approve"]), {"comment": "ok"})
    office = StepTask.objects.get(state=TaskState.OPEN)
    _login(client, people.officer)
    response = client.post(
        reverse("workflow:step_action", args=[office.pk, "return"]), {"comment": ""}, follow=True
    )
    assert "Say what needs correcting." in response.content.decode()
    client.post(
        reverse("workflow:step_action", args=[office.pk, "return"]),
        {"comment": "Shorter please", "field__duration_days": "Max 10 days"},
    )
    trip.refresh_from_db()
    assert trip.status == "draft"
    assert TransitionLog.objects.filter(action="send_back").get().field_comments == {
        "duration_days": "Max 10 days"
    }


def test_delegate_from_the_form(client, org, people, make_trip):
    _chain(people.admin, AssigneeKind.INTERNATIONAL_OFFICE)
    services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    _login(client, people.officer)
    response = client.post(
        reverse("workflow:step_action", args=[task.pk, "delegate"]), {"to_user": "nobody"}, follow=True
    )
    assert "No active user with this user name." in response.content.decode()
    client.post(reverse("workflow:step_action", args=[task.pk, "delegate"]), {"to_user": "coordinator"})
    assert list(task.assignees.all()) == [people.coordinator]


def test_watch_toggle(client, org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    _login(client, people.officer)
    client.post(reverse("workflow:watch", args=[casetype.CODE, trip.pk]), {"watching": "1"})
    assert Watch.objects.filter(user=people.officer).count() == 1
    client.post(reverse("workflow:watch", args=[casetype.CODE, trip.pk]), {"watching": "0"})
    assert not Watch.objects.exists()
    _login(client, people.other_coordinator)
    assert (
        client.post(reverse("workflow:watch", args=[casetype.CODE, trip.pk]), {"watching": "1"}).status_code
        == 404
    )


def test_case_workflow_tag_shows_moves_reasons_and_my_decision(rf, org, people, make_trip):
    from django.template import Context, Template

    _chain(people.admin, AssigneeKind.INTERNATIONAL_OFFICE)
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    request = rf.get("/somewhere/")
    request.user = people.officer
    html = Template("{% load workflow %}{% case_workflow case %}{% case_history case %}").render(
        Context({"case": trip, "request": request})
    )
    assert "Waiting for the approval steps: Step 1." in html
    assert 'data-step-action="approve"' in html and 'data-step-action="reject"' in html
    assert "Comment on Duration (days)" in html
    assert "Submit · Draft → Under review" in html
    request.user = people.student
    html = Template("{% load workflow %}{% case_workflow case %}").render(
        Context({"case": trip, "request": request})
    )
    assert "data-step-action" not in html


# --- notifications and preferences --------------------------------------------------------------------------


def test_notifications_page_read_and_unread(client, people):
    notify(recipients=[people.staff], subject="Hello", body="World", url="/inbox/", email=False)
    note = Notification.objects.get()
    _login(client, people.staff)
    page = client.get(reverse("workflow:notifications")).content.decode()
    assert "Hello" in page and "1 unread" in page
    response = client.post(reverse("workflow:notifications_mark"), {"id": note.pk, "go": "/inbox/"})
    assert response["Location"] == "/inbox/"
    note.refresh_from_db()
    assert note.read_at is not None
    # Only links within the site are followed.
    for evil in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        response = client.post(reverse("workflow:notifications_mark"), {"id": note.pk, "go": evil})
        assert response["Location"] == reverse("workflow:notifications")
    client.post(reverse("workflow:notifications_mark"), {"id": note.pk, "unread": "1"})
    note.refresh_from_db()
    assert note.read_at is None
    # Someone else's notification is untouched.
    _login(client, people.officer)
    client.post(reverse("workflow:notifications_mark"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None


def test_preferences_digest_and_deputy(client, people):
    _login(client, people.officer)
    client.post(
        reverse("workflow:preferences"), {"form": "preferences", "daily_digest": "on", "language": "en"}
    )
    pref = NotificationPreference.objects.get(user=people.officer)
    assert pref.daily_digest is True and pref.language == "en"
    today = timezone.localdate()
    response = client.post(
        reverse("workflow:preferences"),
        {"form": "deputy", "deputy": "student", "starts_on": today, "ends_on": today},
        follow=True,
    )
    assert "The deputy must be an active member of staff." in response.content.decode()
    client.post(
        reverse("workflow:preferences"),
        {"form": "deputy", "deputy": "coordinator", "starts_on": today, "ends_on": today + timedelta(days=5)},
    )
    page = client.get(reverse("workflow:preferences")).content.decode()
    assert "coordinator" in page


# --- chains -------------------------------------------------------------------------------------------------


def test_administrator_creates_and_versions_a_chain_in_the_ui(client, people, trip_type):
    _login(client, people.admin)
    data = {
        "case_type": casetype.CODE,
        "name": "Trips abroad",
        "note": "",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-0-order": "1",
        "steps-0-label": "Unit leader",
        "steps-0-assignee_kind": "unit_leader",
        "steps-0-due_unit": "working_days",
        "steps-0-due_amount": "3",
        "steps-1-order": "2",
        "steps-1-label": "HR",
        "steps-1-assignee_kind": "function",
        "steps-1-function": "hr",
        "steps-1-conditions": "duration_days >= 30",
        "steps-1-due_unit": "days",
        "steps-2-due_unit": "days",
    }
    response = client.post(reverse("workflow:chain_create"), data)
    chain = ApprovalChain.objects.get()
    assert response["Location"] == reverse("workflow:chain_detail", args=[chain.pk])
    version = chain.versions.get()
    assert [s.label for s in version.steps.all()] == ["Unit leader", "HR"]
    assert version.steps.get(label="HR").conditions == [{"field": "duration_days", "op": ">=", "value": "30"}]
    # The edit form starts from the current steps; publishing makes version 2 and keeps version 1.
    edit = client.get(reverse("workflow:chain_edit", args=[chain.pk])).content.decode()
    assert "duration_days &gt;= 30" in edit
    data.update({"steps-1-conditions": "duration_days >= lots", "note": "HR from 20 days"})
    bad = client.post(reverse("workflow:chain_edit", args=[chain.pk]), data)
    assert "is not a valid value for duration_days" in bad.content.decode()
    data["steps-1-conditions"] = "duration_days >= 20"
    client.post(reverse("workflow:chain_edit", args=[chain.pk]), data)
    assert list(chain.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    detail = client.get(reverse("workflow:chain_detail", args=[chain.pk])).content.decode()
    assert "Version 2" in detail and "Version 1" in detail and "HR from 20 days" in detail


def test_chain_pages_permissions(client, people, trip_type):
    _login(client, people.officer)
    assert client.get(reverse("workflow:chains")).status_code == 200
    assert client.get(reverse("workflow:chain_create")).status_code == 403
    assert client.get(reverse("workflow:organisation")).status_code == 403
    _login(client, people.coordinator)
    assert client.get(reverse("workflow:chains")).status_code == 403


def test_organisation_page_sets_offices_and_posts(client, org, people):
    _login(client, people.admin)
    client.post(reverse("workflow:organisation"), {"form": "functions", "hr": org.humanities.pk})
    from meridian.workflow.models import UnitFunction, UnitPost

    assert UnitFunction.objects.get(code="hr").unit == org.humanities
    client.post(
        reverse("workflow:organisation"),
        {"form": "post", "unit": org.engineering.pk, "user": "staff", "post": "leader"},
    )
    post = UnitPost.objects.get()
    assert (post.unit, post.user, post.post) == (org.engineering, people.staff, "leader")
    client.post(reverse("workflow:organisation"), {"form": "remove_post", "post_id": post.pk})
    assert not UnitPost.objects.exists()
