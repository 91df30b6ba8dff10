"""Long stays abroad: filing, moves with their dates, progress reports, the summary and the three clocks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from meridian.clocks.choices import ObligationState
from meridian.clocks.models import Obligation
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.travel.choices import LongStayProgramme, LongStayState
from meridian.travel.deadlines_long_stays import EMBASSY, PROGRESS, SUMMARY, long_stay_clocks_sync
from meridian.travel.models import LongStay
from meridian.travel.services import long_stays as services

TODAY = timezone.localdate()


@pytest.fixture
def scholar(org, people):
    return make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Wang", user=people.staff)


def new_stay(org, people, scholar, *, actor=None, starts_on=None, days=365) -> LongStay:
    start = starts_on or date(2027, 9, 1)
    return services.long_stay_create(
        actor=actor or people.coordinator,
        person=scholar,
        unit=org.computing,
        programme=LongStayProgramme.GOVERNMENT_SCHOLARSHIP,
        host_name="University of Cambridge",
        country=country("GB", "United Kingdom", "英国"),
        starts_on=start,
        ends_on=start + timedelta(days=days - 1),
        research_topic="Power grids",
    )


def departed_stay(org, people, scholar, *, departed_on) -> LongStay:
    stay = new_stay(org, people, scholar, starts_on=departed_on)
    stay = services.long_stay_move(
        stay=stay, actor=people.coordinator, move="sign_agreement", data={"agreement_signed_on": "2026-01-05"}
    )
    return services.long_stay_move(
        stay=stay, actor=people.staff, move="depart", data={"departed_on": departed_on.isoformat()}
    )


def clocks(stay: LongStay, rule: str) -> dict[str, Obligation]:
    rows = Obligation.objects.filter(
        content_type=ContentType.objects.get_for_model(LongStay), object_id=stay.pk, rule=rule
    )
    return {o.key: o for o in rows}


def due_date(obligation: Obligation) -> date:
    return timezone.localtime(obligation.due_at).date()


# --- filing -------------------------------------------------------------------------------------------------


def test_a_coordinator_files_a_stay_numbered_by_year_with_the_scholars_account(org, people, scholar):
    first = new_stay(org, people, scholar)
    second = new_stay(org, people, scholar, actor=people.officer)
    assert first.number == "LS-2027-0001" and second.number == "LS-2027-0002"
    assert first.state == LongStayState.SELECTED
    assert first.user == people.staff


@pytest.mark.parametrize("who", ["other_coordinator", "staff", "leadership", "outsider"])
def test_others_may_not_file_a_stay(org, people, scholar, who):
    with pytest.raises(PermissionDeniedError):
        new_stay(org, people, scholar, actor=getattr(people, who))
    assert not LongStay.objects.exists()


def test_a_stay_of_90_days_or_less_is_refused(org, people, scholar):
    with pytest.raises(ValidationError) as exc:
        new_stay(org, people, scholar, days=90)
    assert "A long stay lasts over 90 days" in exc.value.message_dict["ends_on"][0]
    assert new_stay(org, people, scholar, days=91).pk


def test_the_plan_is_edited_before_departure_only_and_against_its_version(org, people, scholar):
    stay = new_stay(org, people, scholar)
    stay = services.long_stay_update(
        stay=stay, actor=people.coordinator, expected_version=1, host_name="University of Oxford"
    )
    assert stay.host_name == "University of Oxford" and stay.version == 2
    with pytest.raises(Exception, match="Someone else saved"):
        services.long_stay_update(stay=stay, actor=people.officer, expected_version=1, host_name="LSE")
    with pytest.raises(PermissionDeniedError):
        services.long_stay_update(stay=stay, actor=people.staff, host_name="LSE")


# --- moves, progress, summary -------------------------------------------------------------------------------


def test_the_track_runs_from_selection_to_summary_accepted(org, people, scholar):
    departed = TODAY - timedelta(days=100)
    stay = departed_stay(org, people, scholar, departed_on=departed)
    assert stay.state == LongStayState.DEPARTED and stay.departed_on == departed
    stay = services.long_stay_move(
        stay=stay, actor=people.staff, move="register", data={"embassy_registered_on": departed.isoformat()}
    )
    assert stay.state == LongStayState.REGISTERED

    report = services.progress_report_add(
        stay=stay, actor=people.staff, quarter=1, text="Two papers drafted."
    )
    assert report.quarter == 1
    with pytest.raises(ValidationError, match="filed already"):
        services.progress_report_add(stay=stay, actor=people.coordinator, quarter=1, text="Again")
    with pytest.raises(ValidationError, match="quarter that has begun"):
        services.progress_report_add(stay=stay, actor=people.staff, quarter=3, text="Too early")
    with pytest.raises(PermissionDeniedError):
        services.progress_report_add(stay=stay, actor=people.other_coordinator, quarter=2, text="Not mine")

    stay = services.long_stay_move(
        stay=stay, actor=people.staff, move="come_back", data={"returned_on": TODAY.isoformat()}
    )
    assert stay.state == LongStayState.RETURNED
    with pytest.raises(TransitionError, match="while the scholar is abroad"):
        services.progress_report_add(stay=stay, actor=people.staff, quarter=2, text="Late")
    with pytest.raises(TransitionError):
        services.long_stay_move(stay=stay, actor=people.officer, move="accept_summary")
    stay = services.long_stay_summary_save(stay=stay, actor=people.staff, summary="A good year.")
    with pytest.raises(PermissionDeniedError):
        services.long_stay_move(stay=stay, actor=people.coordinator, move="accept_summary")
    stay = services.long_stay_move(stay=stay, actor=people.officer, move="accept_summary")
    assert stay.state == LongStayState.CLOSED


def test_a_move_without_its_date_is_refused(org, people, scholar):
    stay = new_stay(org, people, scholar)
    with pytest.raises(TransitionError):
        services.long_stay_move(stay=stay, actor=people.coordinator, move="sign_agreement")
    stay.refresh_from_db()
    assert stay.state == LongStayState.SELECTED


# --- clocks -------------------------------------------------------------------------------------------------


def test_departure_opens_the_embassy_registration_due_ten_days_later(org, people, scholar):
    departed = TODAY - timedelta(days=3)
    stay = departed_stay(org, people, scholar, departed_on=departed)
    long_stay_clocks_sync(today=TODAY)
    embassy = clocks(stay, EMBASSY)
    assert list(embassy) == [departed.isoformat()]
    obligation = embassy[departed.isoformat()]
    assert due_date(obligation) == departed + timedelta(days=10)
    assert obligation.responsible == people.staff and obligation.unit == org.computing
    assert obligation.state == ObligationState.OPEN

    services.long_stay_move(
        stay=stay, actor=people.staff, move="register", data={"embassy_registered_on": TODAY.isoformat()}
    )
    long_stay_clocks_sync(today=TODAY)
    obligation.refresh_from_db()
    assert obligation.state == ObligationState.MET


def test_one_progress_clock_per_begun_quarter_due_every_three_months(org, people, scholar):
    departed = date(2026, 1, 31)
    stay = departed_stay(org, people, scholar, departed_on=departed)
    long_stay_clocks_sync(today=date(2026, 1, 31))
    assert {k: due_date(o) for k, o in clocks(stay, PROGRESS).items()} == {"Q1": date(2026, 4, 30)}

    long_stay_clocks_sync(today=date(2026, 5, 2))
    progress = clocks(stay, PROGRESS)
    assert {k: due_date(o) for k, o in progress.items()} == {"Q1": date(2026, 4, 30), "Q2": date(2026, 7, 31)}
    assert all(o.state == ObligationState.OPEN for o in progress.values())

    stay.progress_reports.create(quarter=1, text="Q1 done", submitted_by=people.staff)
    long_stay_clocks_sync(today=date(2026, 5, 2))
    progress = clocks(stay, PROGRESS)
    assert progress["Q1"].state == ObligationState.MET
    assert progress["Q2"].state == ObligationState.OPEN


def test_no_progress_clock_for_a_quarter_due_at_the_planned_return(org, people, scholar):
    departed = date(2026, 1, 1)
    stay = departed_stay(org, people, scholar, departed_on=departed)
    LongStay.objects.filter(pk=stay.pk).update(ends_on=date(2026, 6, 30))  # two quarters planned
    long_stay_clocks_sync(today=date(2026, 6, 15))
    assert sorted(clocks(stay, PROGRESS)) == ["Q1"]


def test_return_opens_the_summary_due_thirty_days_later_and_closes_progress(org, people, scholar):
    departed = TODAY - timedelta(days=200)
    stay = departed_stay(org, people, scholar, departed_on=departed)
    long_stay_clocks_sync(today=TODAY)
    assert clocks(stay, PROGRESS)
    returned = TODAY - timedelta(days=1)
    stay = services.long_stay_move(
        stay=stay, actor=people.coordinator, move="come_back", data={"returned_on": returned.isoformat()}
    )
    long_stay_clocks_sync(today=TODAY)
    summary = clocks(stay, SUMMARY)
    assert {k: due_date(o) for k, o in summary.items()} == {
        returned.isoformat(): returned + timedelta(days=30)
    }
    assert all(o.state == ObligationState.MET for o in clocks(stay, PROGRESS).values())
    assert all(o.state == ObligationState.MET for o in clocks(stay, EMBASSY).values())

    services.long_stay_summary_save(stay=stay, actor=people.coordinator, summary="Summary text")
    long_stay_clocks_sync(today=TODAY)
    assert clocks(stay, SUMMARY)[returned.isoformat()].state == ObligationState.MET


def test_the_ladders_warn_the_scholar_then_the_unit_then_the_office():
    from meridian.clocks.rules import clock_rules

    for code in (EMBASSY, PROGRESS, SUMMARY):
        rule = clock_rules.get(code)
        assert rule is not None
        audiences = [step.audience for step in sorted(rule.ladder, key=lambda s: s.offset)]
        assert audiences[0] == "responsible" and audiences[-2:] == ["unit", "office"]


# --- pages --------------------------------------------------------------------------------------------------


def test_the_page_records_a_move_with_its_date_and_opens_the_clock(client, org, people, scholar):
    stay = new_stay(org, people, scholar)
    client.force_login(people.staff)
    page = client.get(f"/travel/long-stays/{stay.pk}/").content.decode()
    assert 'name="agreement_signed_on"' in page
    response = client.post(
        f"/travel/long-stays/{stay.pk}/move/sign_agreement/", {"agreement_signed_on": "2026-02-01"}
    )
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.state == LongStayState.AGREEMENT_SIGNED and stay.agreement_signed_on == date(2026, 2, 1)


def test_the_scholar_files_a_progress_report_from_the_page(client, org, people, scholar):
    stay = departed_stay(org, people, scholar, departed_on=TODAY - timedelta(days=10))
    client.force_login(people.staff)
    response = client.post(f"/travel/long-stays/{stay.pk}/progress/", {"quarter": 1, "text": "Settled in."})
    assert response.status_code == 302
    assert stay.progress_reports.get().text == "Settled in."
    again = client.post(f"/travel/long-stays/{stay.pk}/progress/", {"quarter": 1, "text": "Twice"})
    assert again.status_code == 400
    assert "has been filed already" in again.content.decode()


def test_stays_are_hidden_from_those_who_may_not_see_them(client, org, people, scholar):
    stay = new_stay(org, people, scholar)
    client.force_login(people.other_coordinator)
    assert client.get(f"/travel/long-stays/{stay.pk}/").status_code == 404
    assert stay.number not in client.get("/travel/long-stays/").content.decode()
    assert client.post(f"/travel/long-stays/{stay.pk}/move/cancel/", {"comment": "x"}).status_code == 404
    client.force_login(people.coordinator)
    assert stay.number in client.get("/travel/long-stays/").content.decode()
    assert client.get("/travel/long-stays/new/").status_code == 200
    client.force_login(people.staff)
    assert client.get("/travel/long-stays/new/").status_code == 403


# --- dates in order -----------------------------------------------------------------------------------------

REVERSED = "The return date lies before the departure date."


def test_the_services_refuse_an_end_before_the_start_with_a_message_on_the_return(org, people, scholar):
    with pytest.raises(ValidationError) as exc:
        new_stay(org, people, scholar, days=-30)
    assert exc.value.message_dict == {"ends_on": [REVERSED]}
    stay = new_stay(org, people, scholar)
    with pytest.raises(ValidationError) as exc:
        services.long_stay_update(
            stay=stay, actor=people.coordinator, ends_on=stay.starts_on - timedelta(days=1)
        )
    assert exc.value.message_dict == {"ends_on": [REVERSED]}
    assert not any("long_stay_dates_in_order" in m for m in exc.value.messages)


def test_the_form_shows_a_proper_message_for_an_end_before_the_start(client, org, people, scholar):
    client.force_login(people.coordinator)
    data = {
        "person": scholar.pk,
        "unit": org.computing.pk,
        "programme": LongStayProgramme.GOVERNMENT_SCHOLARSHIP,
        "host_name": "University of Cambridge",
        "country": country("GB", "United Kingdom", "英国").pk,
        "starts_on": "2027-09-01",
        "ends_on": "2027-06-30",
    }
    response = client.post("/travel/long-stays/new/", data)
    page = response.content.decode()
    assert response.status_code == 200 and not LongStay.objects.exists()
    assert REVERSED in page
    assert "long_stay_dates_in_order" not in page and "is violated" not in page
    stay = new_stay(org, people, scholar)
    response = client.post(f"/travel/long-stays/{stay.pk}/edit/", {**data, "version": stay.version})
    page = response.content.decode()
    assert response.status_code == 200 and REVERSED in page and "is violated" not in page
    stay.refresh_from_db()
    assert stay.version == 1


def test_an_unknown_state_in_the_list_filter_lists_nothing_and_says_so(client, org, people, scholar):
    stay = new_stay(org, people, scholar)
    client.force_login(people.coordinator)
    page = client.get("/travel/long-stays/", {"state": "bogus"}).content.decode()
    assert 'id="filter-errors"' in page and "“bogus” is not one of the choices." in page
    assert stay.number not in page and "No long stays to show." not in page
    page = client.get("/travel/long-stays/", {"state": LongStayState.SELECTED}).content.decode()
    assert stay.number in page and 'id="filter-errors"' not in page
