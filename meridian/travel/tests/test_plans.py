"""Annual trip plans: lifecycle, permissions, version checks, matching lines and the consolidated view."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from meridian.core.errors import DuplicateError, PermissionDeniedError, StaleEditError, TransitionError
from meridian.travel.choices import DelegationKind, PlanKind, PlanState, Purpose, TripState
from meridian.travel.models import TripPlan
from meridian.travel.selectors.plans import consolidated_view, plan_lines_for
from meridian.travel.services import plans as services
from meridian.travel.tests.factories import make_trip

YEAR = 2027


def line_values(**overrides) -> dict:
    values = {
        "category": DelegationKind.ACADEMIC,
        "purpose": Purpose.CONFERENCE,
        "description": "Conferences in Europe",
        "trip_count": 4,
        "persons": 2,
        "days": 6,
        "budget": Decimal("80000"),
        "quarter": None,
    }
    values.update(overrides)
    return values


def submitted_plan(unit, actor, *, kind=PlanKind.GENERAL, year=YEAR, lines=1, **line):
    plan = services.plan_create(actor=actor, unit=unit, year=year, kind=kind)
    for _ in range(lines):
        services.plan_line_add(plan=plan, actor=actor, **line_values(**line))
    return services.plan_submit(plan=plan, actor=actor)


def login(client, user) -> None:
    client.force_login(user)


# --- lifecycle and permissions ------------------------------------------------------------------------------


def test_a_coordinator_drafts_submits_and_the_office_consolidates_and_reopens(org, people):
    plan = services.plan_create(actor=people.coordinator, unit=org.engineering, year=YEAR)
    assert plan.state == PlanState.DRAFT
    line = services.plan_line_add(plan=plan, actor=people.coordinator, expected_version=1, **line_values())
    plan.refresh_from_db()
    assert plan.version == 2
    services.plan_line_update(line=line, actor=people.coordinator, expected_version=2, trip_count=5)
    line.refresh_from_db()
    assert line.trip_count == 5
    plan = services.plan_submit(plan=plan, actor=people.coordinator)
    assert plan.state == PlanState.SUBMITTED and plan.submitted_at is not None

    with pytest.raises(TransitionError, match="only while it is a draft"):
        services.plan_line_add(plan=plan, actor=people.coordinator, **line_values())
    with pytest.raises(PermissionDeniedError):
        services.plan_consolidate(plan=plan, actor=people.coordinator)

    plan = services.plan_consolidate(plan=plan, actor=people.officer)
    assert plan.state == PlanState.CONSOLIDATED
    with pytest.raises(TransitionError):
        services.plan_line_update(line=line, actor=people.officer, trip_count=9)
    with pytest.raises(TransitionError):
        services.plan_line_delete(line=line, actor=people.officer)

    plan = services.plan_reopen(plan=plan, actor=people.officer, comment="Add the summer school")
    assert plan.state == PlanState.DRAFT and plan.consolidated_at is None
    services.plan_line_delete(line=line, actor=people.coordinator)
    assert not plan.lines.exists()


@pytest.mark.parametrize("who", ["other_coordinator", "staff", "student", "leadership", "outsider"])
def test_only_the_units_coordinators_and_the_office_create_plans(org, people, who):
    with pytest.raises(PermissionDeniedError):
        services.plan_create(actor=getattr(people, who), unit=org.engineering, year=YEAR)
    assert not TripPlan.objects.exists()


def test_a_coordinator_of_a_school_plans_for_its_department_and_a_plan_exists_once(org, people):
    services.plan_create(actor=people.coordinator, unit=org.computing, year=YEAR)
    with pytest.raises(DuplicateError):
        services.plan_create(actor=people.officer, unit=org.computing, year=YEAR)
    services.plan_create(actor=people.officer, unit=org.computing, year=YEAR, kind=PlanKind.HK_MACAO)
    assert TripPlan.objects.filter(unit=org.computing).count() == 2


def test_submitting_needs_a_line_and_consolidating_needs_a_submission(org, people):
    plan = services.plan_create(actor=people.coordinator, unit=org.engineering, year=YEAR)
    with pytest.raises(TransitionError, match="at least one line"):
        services.plan_submit(plan=plan, actor=people.coordinator)
    with pytest.raises(TransitionError, match="Only a submitted plan"):
        services.plan_consolidate(plan=plan, actor=people.officer)
    with pytest.raises(PermissionDeniedError):
        services.plan_submit(plan=plan, actor=people.other_coordinator)


def test_a_stale_line_edit_is_refused_and_nothing_changes(org, people):
    plan = services.plan_create(actor=people.coordinator, unit=org.engineering, year=YEAR)
    line = services.plan_line_add(plan=plan, actor=people.coordinator, expected_version=1, **line_values())
    services.plan_line_update(
        line=line, actor=people.officer, expected_version=2, description="Officer's text"
    )
    with pytest.raises(StaleEditError):
        services.plan_line_update(line=line, actor=people.coordinator, expected_version=2, trip_count=9)
    line.refresh_from_db()
    assert line.trip_count == 4 and line.description == "Officer's text"


def test_bad_line_values_are_refused_with_a_message(org, people):
    plan = services.plan_create(actor=people.coordinator, unit=org.engineering, year=YEAR)
    with pytest.raises(Exception) as exc:
        services.plan_line_add(
            plan=plan, actor=people.coordinator, **line_values(quarter=5, trip_count=0, budget="-1")
        )
    errors = cast(ValidationError, exc.value).message_dict
    assert "The quarter is 1, 2, 3 or 4 (or empty for the whole year)." in errors["quarter"]
    assert "Give a number between 1 and 999." in errors["trip_count"]
    assert "The budget cannot be negative." in errors["budget"]


def test_a_line_with_matched_trips_cannot_be_removed(org, people):
    plan = submitted_plan(org.engineering, people.coordinator)
    line = plan.lines.get()
    make_trip(unit=org.engineering, applicant=people.staff, plan_line=line)
    services.plan_reopen(plan=plan, actor=people.officer)
    with pytest.raises(TransitionError, match="Trips are matched"):
        services.plan_line_delete(line=line, actor=people.coordinator)


# --- lines a trip may be matched to -------------------------------------------------------------------------


def test_plan_lines_for_takes_submitted_plans_of_the_unit_and_the_units_above(org, people):
    school = submitted_plan(org.engineering, people.coordinator, description="School trips")
    dept = submitted_plan(org.computing, people.coordinator, description="Department trips")
    hk = submitted_plan(org.engineering, people.coordinator, kind=PlanKind.HK_MACAO, description="HK trips")
    draft = services.plan_create(
        actor=people.coordinator, unit=org.computing, year=YEAR, kind=PlanKind.HK_MACAO
    )
    services.plan_line_add(plan=draft, actor=people.coordinator, **line_values(description="Draft line"))
    submitted_plan(org.humanities, people.other_coordinator, description="Humanities trips")
    submitted_plan(org.computing, people.coordinator, year=YEAR + 1, description="Next year")
    services.plan_consolidate(plan=school, actor=people.officer)

    abroad = list(plan_lines_for(unit_id=org.computing.pk, year=YEAR, region="abroad"))
    assert [line.description for line in abroad] == ["School trips", "Department trips"]
    assert {line.plan_id for line in abroad} == {school.pk, dept.pk}
    taiwan = plan_lines_for(unit_id=org.computing.pk, year=YEAR, region="taiwan")
    assert set(taiwan) == set(abroad)
    hk_lines = list(plan_lines_for(unit_id=org.computing.pk, year=YEAR, region="hk_macao"))
    assert [line.description for line in hk_lines] == ["HK trips"]
    assert hk_lines[0].plan_id == hk.pk
    school_only = plan_lines_for(unit_id=org.engineering.pk, year=YEAR, region="abroad")
    assert [line.description for line in school_only] == ["School trips"]


# --- consolidated view --------------------------------------------------------------------------------------


def test_consolidated_totals_by_unit_and_category_count_trips_used(org, people):
    eng = services.plan_create(actor=people.coordinator, unit=org.engineering, year=YEAR)
    academic = services.plan_line_add(plan=eng, actor=people.coordinator, **line_values())  # 4 trips × 2
    admin = services.plan_line_add(
        plan=eng,
        actor=people.coordinator,
        **line_values(
            category=DelegationKind.ADMINISTRATIVE, trip_count=1, persons=5, budget=Decimal("60000")
        ),
    )
    services.plan_submit(plan=eng, actor=people.coordinator)
    submitted_plan(org.humanities, people.other_coordinator, trip_count=3, persons=1, budget=Decimal("15000"))
    draft = services.plan_create(actor=people.coordinator, unit=org.computing, year=YEAR)
    services.plan_line_add(plan=draft, actor=people.coordinator, **line_values(trip_count=50))

    for state in (TripState.APPROVED, TripState.CLOSED, TripState.CANCELLED, TripState.REJECTED):
        make_trip(unit=org.engineering, applicant=people.staff, state=state, plan_line=academic)
    make_trip(unit=org.engineering, applicant=people.staff, state=TripState.DRAFT, plan_line=admin)

    view = consolidated_view(user=people.officer, year=YEAR)
    rows = {(r.unit.code, r.category): r.totals for r in view.rows}
    assert rows[("eng", "academic")].trips == 4
    assert rows[("eng", "academic")].person_trips == 8
    assert rows[("eng", "academic")].used == 2  # cancelled and rejected trips do not count
    assert rows[("eng", "administrative")].used == 1
    assert rows[("eng", "administrative")].budget == Decimal("60000")
    assert rows[("hum", "academic")].trips == 3
    assert ("cs", "academic") not in rows  # a draft is not consolidated
    assert view.plans_in_draft == 1
    assert view.by_category["academic"].trips == 7
    assert view.by_category["academic"].budget == Decimal("95000")
    assert view.total.trips == 8 and view.total.used == 3 and view.total.budget == Decimal("155000")

    mine = consolidated_view(user=people.other_coordinator, year=YEAR)
    assert {r.unit.code for r in mine.rows} == {"hum"}


# --- pages --------------------------------------------------------------------------------------------------


def test_the_office_sees_every_plan_and_the_consolidated_view(client, org, people):
    submitted_plan(org.engineering, people.coordinator)
    submitted_plan(org.humanities, people.other_coordinator)
    login(client, people.officer)
    response = client.get("/travel/plans/", {"year": YEAR})
    assert response.status_code == 200
    page = response.content.decode()
    assert "School of Engineering" in page and "School of Humanities" in page
    assert 'data-total="all"' in page


def test_a_coordinator_sees_only_their_units_plans(client, org, people):
    eng = submitted_plan(org.engineering, people.coordinator)
    hum = submitted_plan(org.humanities, people.other_coordinator)
    login(client, people.other_coordinator)
    page = client.get("/travel/plans/", {"year": YEAR}).content.decode()
    assert "School of Humanities" in page and "School of Engineering" not in page
    assert client.get(f"/travel/plans/{eng.pk}/").status_code == 404
    assert client.get(f"/travel/plans/{hum.pk}/").status_code == 200


def test_staff_may_not_open_the_plans(client, org, people):
    login(client, people.staff)
    assert client.get("/travel/plans/").status_code == 403


def test_lines_are_added_from_the_page_and_a_stale_form_is_refused(client, org, people):
    plan = services.plan_create(actor=people.coordinator, unit=org.engineering, year=YEAR)
    login(client, people.coordinator)
    form = {
        "version": 1,
        "category": "academic",
        "purpose": "conference",
        "description": "Summer conferences",
        "trip_count": 3,
        "persons": 1,
        "days": 5,
        "budget": "30000",
        "quarter": "3",
    }
    response = client.post(f"/travel/plans/{plan.pk}/lines/", form)
    assert response.status_code == 302
    line = plan.lines.get()
    assert line.quarter == 3 and line.budget == Decimal("30000")
    stale = client.post(f"/travel/plans/{plan.pk}/lines/", {**form, "description": "Again"})
    assert stale.status_code == 409
    assert "Someone else saved this record" in stale.content.decode()
    assert plan.lines.count() == 1

    response = client.post(f"/travel/plans/{plan.pk}/submit/", {"version": 2})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    page = client.get(f"/travel/plans/{plan.pk}/").content.decode()
    assert "Add a line" not in page and "Consolidate" not in page


def test_the_consolidated_plan_downloads_as_xlsx(client, org, people):
    plan = submitted_plan(org.engineering, people.coordinator, description="=HYPERLINK(1)")
    make_trip(
        unit=org.engineering, applicant=people.staff, state=TripState.APPROVED, plan_line=plan.lines.get()
    )
    login(client, people.officer)
    response = client.get(f"/travel/plans/{YEAR}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    lines = list(book.worksheets[0].iter_rows(values_only=True))
    assert lines[0][0] == "Unit" and lines[0][-1] == "Trips used"
    assert lines[1][0] == "School of Engineering"
    assert lines[1][6] == "'=HYPERLINK(1)"  # never a formula
    assert lines[1][7] == 4 and lines[1][-1] == 1
    totals = list(book.worksheets[1].iter_rows(values_only=True))
    assert totals[-1][0] == "Total" and totals[-1][4] == 4 and totals[-1][-1] == 1
