"""The deadlines pages as each role sees them: the list, one clock, waiving, export, calendar and ladders."""

import csv
import io
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from meridian.clocks.models import CalendarDay, Obligation
from meridian.clocks.tests.conftest import RULE

LIST = reverse("clocks:list")

# role → (sees the list, rows of the computing department visible, may waive them)
MATRIX = {
    "admin": (200, True, True),
    "officer": (200, True, True),
    "leadership": (200, True, False),
    "coordinator": (200, True, True),
    "other_coordinator": (200, False, False),
    "staff": (403, False, False),
    "student": (403, False, False),
    "outsider": (403, False, False),
}


@pytest.fixture
def clocks(open_clock, org):
    """One clock of computing (overdue), one of humanities (due in 20 days)."""
    now = timezone.now()
    overdue = open_clock(due_at=now - timedelta(days=1), key="overdue")
    humanities = open_clock(
        subject=org.humanities,
        unit=org.humanities,
        responsible=None,
        key="hum",
        due_at=now + timedelta(days=20),
    )
    return overdue, humanities


@pytest.mark.parametrize("who", MATRIX)
def test_permission_matrix(client, people, clocks, who):
    status, sees_computing, may_waive = MATRIX[who]
    overdue, _humanities = clocks
    client.force_login(getattr(people, who))
    response = client.get(LIST)
    assert response.status_code == status
    if status == 200:
        assert ("Department of Computing" in response.content.decode()) is sees_computing
    detail = client.get(reverse("clocks:detail", args=[overdue.pk]))
    assert detail.status_code == (200 if sees_computing else 404)
    waive = client.post(reverse("clocks:waive", args=[overdue.pk]), {"reason": "Not needed"})
    assert waive.status_code == (302 if may_waive else 403 if sees_computing else 404)
    overdue.refresh_from_db()
    assert overdue.state == ("waived" if may_waive else "open")


def test_anonymous_visitors_are_sent_to_sign_in(client, clocks):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_is_ordered_by_due_time_and_marks_overdue(client, people, clocks):
    client.force_login(people.officer)
    page = client.get(LIST).content.decode()
    assert page.index("Department of Computing") < page.index("School of Humanities")
    assert "overdue" in page
    assert "2 deadlines" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"overdue": "on"}, ["overdue"]),
        ({"unit": "eng"}, ["overdue"]),  # the unit filter includes sub-units
        ({"due_before": (timezone.localdate() + timedelta(days=5)).isoformat()}, ["overdue"]),
        ({"rule": RULE}, ["overdue", "hum"]),
        ({"state": "waived"}, []),
    ],
)
def test_filters(client, people, org, clocks, params, expected):
    if params.get("unit") == "eng":
        params = {"unit": org.engineering.pk}
    client.force_login(people.officer)
    response = client.get(LIST, params)
    assert [o.key for o in response.context["page_obj"].object_list] == expected


def test_a_coordinator_cannot_filter_for_another_units_clocks(client, people, org, clocks):
    client.force_login(people.other_coordinator)
    response = client.get(LIST, {"unit": org.computing.pk})
    assert response.status_code == 200
    assert [o.key for o in response.context["page_obj"].object_list] == ["hum"]
    assert response.context["filter"].errors


def test_htmx_refresh_returns_only_the_results(client, people, clocks):
    client.force_login(people.officer)
    response = client.get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<h1>" not in response.content.decode()
    assert 'id="deadlines"' in response.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(client, people, open_clock, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.coordinator)
    for i in range(3):
        open_clock(key=f"a{i}")
    client.get(LIST)  # warm the session and the standing
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for i in range(40):
        open_clock(key=f"b{i}", responsible="coordinator" if i % 2 else "staff")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page_obj"].object_list) == 43
    # The page's count and rows (person and unit joined) and the navigation badge's overdue count.
    clock_queries = [q for q in few.captured_queries if 'FROM "clocks_obligation"' in q["sql"]]
    assert len(clock_queries) == 3


def test_csv_export_has_the_filtered_rows(client, people, clocks):
    client.force_login(people.coordinator)
    response = client.get(reverse("clocks:export"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Due", "State", "Deadline", "Case"]
    assert [r[3] for r in rows[1:]] == ["Department of Computing"]
    client.force_login(people.staff)
    assert client.get(reverse("clocks:export")).status_code == 403


def test_waiving_needs_a_reason_and_keeps_the_clock_open(client, people, clocks):
    overdue, _ = clocks
    client.force_login(people.officer)
    response = client.post(reverse("clocks:waive", args=[overdue.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    overdue.refresh_from_db()
    assert overdue.state == "open"


def test_the_detail_page_shows_the_ladder_and_the_log(
    client, people, clocks, django_capture_on_commit_callbacks
):
    from meridian.clocks.services import clocks_run

    overdue, _ = clocks
    with django_capture_on_commit_callbacks(execute=True):
        clocks_run()
    client.force_login(people.officer)
    page = client.get(reverse("clocks:detail", args=[overdue.pk])).content.decode()
    assert "Escalation ladder" in page
    assert "staff@meridian.example" in page  # the reminder in the log
    assert "Waive this deadline" in page


def test_the_site_calendar_page(client, people):
    url = reverse("clocks:calendar")
    client.force_login(people.admin)
    response = client.post(url, {"date": "2026-03-03", "kind": "closure", "name_en": "Sports day"})
    assert response.status_code == 302
    assert CalendarDay.objects.get().name_en == "Sports day"
    again = client.post(url, {"date": "2026-03-03", "kind": "working", "name_en": "Twice"})
    assert again.status_code == 400 and "already in the site calendar" in again.content.decode()
    client.force_login(people.officer)
    assert "Sports day" in client.get(url).content.decode()
    assert client.post(url, {"date": "2026-03-04", "kind": "closure", "name_en": "x"}).status_code == 403
    entry = CalendarDay.objects.get()
    assert client.post(reverse("clocks:calendar_delete", args=[entry.pk])).status_code == 403
    client.force_login(people.coordinator)
    assert client.get(url).status_code == 403
    client.force_login(people.admin)
    assert client.post(reverse("clocks:calendar_delete", args=[entry.pk])).status_code == 302
    assert not CalendarDay.objects.exists()


def test_administrators_edit_a_ladder(client, people, rule):
    url = reverse("clocks:ladder", args=[rule])
    client.force_login(people.officer)
    assert client.get(reverse("clocks:ladders")).status_code == 200
    assert client.get(url).status_code == 403
    client.force_login(people.admin)
    assert client.get(url).status_code == 200
    data = {
        "grace_amount": "3",
        "grace_unit": "working_days",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-offset": "-15",
        "steps-0-unit": "days",
        "steps-0-audience": "responsible",
        "steps-1-offset": "-2",
        "steps-1-unit": "working_days",
        "steps-1-audience": "office",
    }
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("clocks:ladders")).content.decode()
    assert "15 calendar days before the due time: Responsible person" in page
    assert "2 working days before the due time: International Office" in page
    assert client.get(reverse("clocks:ladder", args=["no.such.rule"])).status_code == 404


def test_the_navigation_entry_and_the_dashboard_tile(people, clocks):
    from meridian.core.registry import registry

    entry = registry.nav.get("deadlines")
    assert [who for who in MATRIX if entry.visible(getattr(people, who))] == [
        "admin",
        "officer",
        "leadership",
        "coordinator",
        "other_coordinator",
    ]
    assert entry.count is not None and entry.count(people.officer) == 1
    tile = registry.dashboard_tiles.get("deadlines")
    assert tile.visible(people.coordinator) and not tile.visible(people.staff)
    counts = tile.context(people.officer)["counts"]
    assert counts["overdue"] == 1
    assert Obligation.objects.filter(state="open").count() == 2


def test_a_case_page_tag_shows_the_open_clocks(people, org, clocks):
    request = RequestFactory().get("/")
    request.user = people.staff
    html = Template("{% load clocks %}{% open_clocks subject %}").render(
        Context({"request": request, "subject": org.computing})
    )
    assert "Filing deadline" in html and "overdue" in html
    assert reverse("clocks:detail", args=[clocks[0].pk]) not in html  # staff cannot open the deadlines pages
    request.user = people.officer
    html = Template("{% load clocks %}{% open_clocks subject %}").render(
        Context({"request": request, "subject": org.computing})
    )
    assert reverse("clocks:detail", args=[clocks[0].pk]) in html


def test_the_page_says_when_the_holiday_calendar_does_not_cover_a_year(client, people, monkeypatch):
    from meridian.clocks import views

    client.force_login(people.officer)
    monkeypatch.setattr(views.calendar, "calendar_supported_years", lambda: (2004, 2020))
    page = client.get(LIST).content.decode()
    assert "count Monday to Friday plus the site calendar only" in page
    monkeypatch.setattr(views.calendar, "calendar_supported_years", lambda: (2004, 2999))
    assert "count Monday to Friday" not in client.get(LIST).content.decode()


def test_the_waive_page_asks_for_the_reason(client, people, clocks):
    overdue, _ = clocks
    client.force_login(people.coordinator)
    page = client.get(reverse("clocks:waive", args=[overdue.pk]))
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    assert client.get(reverse("clocks:detail", args=[999999])).status_code == 404
