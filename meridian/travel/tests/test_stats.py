"""Statistics of official travel: exact figures on known data, lead times, overdue counts, who sees what."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import cast

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from meridian.people.choices import DocumentType, PersonKind
from meridian.people.models import IdentityDocument
from meridian.people.tests.factories import IdentityDocumentFactory, make_person
from meridian.reference.tests.factories import country
from meridian.travel.choices import CustodyState, Purpose, ReportState, TripState
from meridian.travel.models import CustodyItem, Trip, TripReport
from meridian.travel.selectors import stats
from meridian.travel.tests.factories import make_trip
from meridian.workflow.models import TransitionLog

TODAY = timezone.localdate()


def france():
    return country("FR", "France", "法国")


@pytest.fixture
def trips(org, people):
    """Six trips of 2027 and one of 2026: engineering 3 approved-or-later (one with a member), computing 1
    closed, humanities 1 approved and 1 cancelled; 2026: engineering 1 closed."""
    a = make_trip(
        unit=org.engineering,
        applicant=people.staff,
        state=TripState.APPROVED,
        members=1,
        depart_on=date(2027, 3, 1),
        return_on=date(2027, 3, 5),
    )
    b = make_trip(
        unit=org.engineering,
        applicant=people.staff,
        state=TripState.AUTHORISED,
        depart_on=date(2027, 3, 10),
        return_on=date(2027, 3, 12),
        purpose=Purpose.LECTURE,
        destination=france(),
    )
    c = make_trip(
        unit=org.engineering,
        applicant=people.staff,
        state=TripState.UNDER_REVIEW,
        depart_on=date(2027, 5, 2),
        return_on=date(2027, 5, 4),
    )
    d = make_trip(
        unit=org.computing,
        applicant=people.staff,
        state=TripState.CLOSED,
        depart_on=date(2027, 7, 1),
        return_on=date(2027, 7, 3),
        purpose=Purpose.RESEARCH,
    )
    e = make_trip(
        unit=org.humanities,
        applicant=people.other_coordinator,
        state=TripState.ABROAD,
        depart_on=date(2027, 3, 20),
        return_on=date(2027, 3, 22),
        destination=france(),
    )
    f = make_trip(
        unit=org.humanities,
        applicant=people.other_coordinator,
        state=TripState.CANCELLED,
        depart_on=date(2027, 3, 25),
        return_on=date(2027, 3, 26),
    )
    g = make_trip(
        unit=org.engineering,
        applicant=people.staff,
        state=TripState.CLOSED,
        depart_on=date(2026, 3, 1),
        return_on=date(2026, 3, 2),
    )
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}  # fmt: skip


def log(trip: Trip, action: str, day: date) -> None:
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Trip),
        object_id=trip.pk,
        case_type="trip",
        action=action,
        from_state="x",
        to_state="y",
        at=timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=10))),
    )


def test_counts_by_country_unit_purpose_and_month_for_the_office(org, people, trips):
    figures = stats.trip_stats(user=people.officer, year=2027, state="approved")
    assert figures.total == 4  # a, b, d, e: under review and cancelled trips and 2026 are left out
    assert [(r["code"], r["trips"]) for r in figures.countries] == [
        ("FR", 2),
        ("DE", 2),
    ]
    assert [(r["unit"], r["trips"], r["travellers"]) for r in figures.units] == [
        ("School of Engineering", 2, 3),
        ("Department of Computing", 1, 1),
        ("School of Humanities", 1, 1),
    ]
    assert [(r["purpose"], r["trips"]) for r in figures.purposes] == [
        ("conference", 2),
        ("lecture", 1),
        ("research", 1),
    ]
    assert [r["trips"] for r in figures.months] == [0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0]

    every = stats.trip_stats(user=people.officer, year=None, state="all")
    assert every.total == 7
    cancelled = stats.trip_stats(user=people.officer, year=2027, state=TripState.CANCELLED)
    assert cancelled.total == 1 and cancelled.units[0]["unit"] == "School of Humanities"


def test_coordinators_count_only_their_units_trips(org, people, trips):
    eng = stats.trip_stats(user=people.coordinator, year=2027, state="approved")
    assert eng.total == 3
    assert {r["unit"] for r in eng.units} == {"School of Engineering", "Department of Computing"}
    hum = stats.trip_stats(user=people.other_coordinator, year=2027, state="all")
    assert hum.total == 2 and [r["unit"] for r in hum.units] == ["School of Humanities"]
    assert stats.can_see_stats(people.leadership)
    assert not stats.can_see_stats(people.staff)
    assert not stats.can_see_stats(people.student)


def test_lead_times_median_and_90th_percentile_from_the_case_log(org, people, trips):
    start = date(2027, 1, 4)
    # a: returned once, submitted again: counts from the last submission before approval.
    log(trips["a"], "submit", start - timedelta(days=30))
    log(trips["a"], "submit", start)
    log(trips["a"], "approve", start + timedelta(days=10))
    log(trips["a"], "authorise", start + timedelta(days=30))
    log(trips["b"], "submit", start)
    log(trips["b"], "approve", start + timedelta(days=20))
    log(trips["b"], "authorise", start + timedelta(days=50))
    log(trips["d"], "submit", start)
    log(trips["d"], "approve", start + timedelta(days=5))
    log(trips["e"], "submit", start)  # still waiting
    log(trips["c"], "submit", start)  # under review: not in the "approved" filter

    lead = stats.trip_stats(user=people.officer, year=2027, state="approved").lead
    assert lead.to_approval.count == 3
    assert lead.to_approval.median == 10
    assert lead.to_approval.p90 == 20
    assert lead.to_external.count == 2
    assert lead.to_external.median == 40
    assert lead.to_external.p90 == 50
    row = next(r for r in lead.rows if r["number"] == trips["a"].number)
    assert row["submitted"] == start and row["days_to_approval"] == 10 and row["days_to_external"] == 30

    hum = stats.trip_stats(user=people.other_coordinator, year=2027, state="approved").lead
    assert hum.to_approval.count == 0 and hum.to_approval.median is None
    assert [r["number"] for r in hum.rows] == [trips["e"].number]


def test_percentile_uses_the_nearest_rank():
    assert stats.percentile([], 0.9) is None
    assert stats.percentile([7], 0.9) == 7
    assert stats.percentile(list(range(1, 11)), 0.9) == 9
    assert stats.percentile(list(range(1, 12)), 0.9) == 10


def report(trip: Trip, *, due_on: date, state: str = ReportState.DRAFT) -> TripReport:
    return TripReport.objects.create(
        trip=trip, inviter="Inviter", members="Zhang San", dates="2027", due_on=due_on, state=state
    )


def custody(trip: Trip, unit, *, due_back_on: date, state: str = CustodyState.ISSUED) -> CustodyItem:
    holder = make_person(kind=PersonKind.STAFF, unit=unit)
    document = cast(
        IdentityDocument,
        IdentityDocumentFactory(
            person=holder, issuing_country=country("CN", "China", "中国"), kind=DocumentType.OFFICIAL_PASSPORT
        ),
    )
    return CustodyItem.objects.create(
        document=document, holder=holder, unit=unit, state=state, trip=trip, due_back_on=due_back_on
    )


def test_overdue_reports_and_passports_by_unit(org, people, trips):
    past, future = TODAY - timedelta(days=3), TODAY + timedelta(days=3)
    report(trips["a"], due_on=past)
    report(trips["d"], due_on=past)
    report(trips["b"], due_on=future)
    report(trips["g"], due_on=past, state=ReportState.SUBMITTED)
    report(trips["e"], due_on=past)
    custody(trips["a"], org.engineering, due_back_on=past)
    custody(trips["b"], org.engineering, due_back_on=past, state=CustodyState.IN_CUSTODY)
    custody(trips["e"], org.humanities, due_back_on=past)
    custody(trips["d"], org.computing, due_back_on=future)

    office = stats.overdue(user=people.officer, today=TODAY)
    assert (office.reports, office.passports) == (3, 2)
    assert office.rows == [
        {"unit": "School of Engineering", "reports": 1, "passports": 1},
        {"unit": "Department of Computing", "reports": 1, "passports": 0},
        {"unit": "School of Humanities", "reports": 1, "passports": 1},
    ]
    eng = stats.overdue(user=people.coordinator, today=TODAY)
    assert (eng.reports, eng.passports) == (2, 1)
    hum = stats.overdue(user=people.other_coordinator, today=TODAY)
    assert (hum.reports, hum.passports) == (1, 1)


# --- pages, exports, report datasets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 200), ("admin", 200), ("leadership", 200), ("coordinator", 200), ("staff", 403),
     ("student", 403), ("outsider", 403)],
)  # fmt: skip
def test_who_may_open_the_statistics(client, people, who, status):
    client.force_login(getattr(people, who))
    assert client.get("/travel/statistics/").status_code == status
    assert client.get("/travel/statistics/unit.csv").status_code == status


def test_the_page_shows_a_coordinator_only_their_units(client, people, trips):
    client.force_login(people.other_coordinator)
    page = client.get("/travel/statistics/", {"year": 2027, "state": "all"}).content.decode()
    assert "School of Humanities" in page and "School of Engineering" not in page
    assert "2 trips counted." in page


def test_each_table_downloads_as_csv(client, people, trips):
    client.force_login(people.officer)
    response = client.get("/travel/statistics/country.csv", {"year": 2027, "state": "approved"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["ISO code", "Country or territory", "Trips"],
        ["FR", "France", "2"],
        ["DE", "Germany", "2"],
    ]
    month = list(
        csv.reader(io.StringIO(client.get("/travel/statistics/month.csv").content.decode("utf-8-sig")))
    )
    assert len(month) == 13
    assert client.get("/travel/statistics/nothing.csv").status_code == 404


def test_the_datasets_are_listed_on_the_reports_page(client, people, trips):
    client.force_login(people.coordinator)
    page = client.get("/reports/").content.decode()
    assert "Official trips by country" in page and "Official trips: approval lead times" in page
    response = client.get("/reports/travel-trips-by-unit/")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Year", "Unit", "Trips", "Travellers"]
    assert ["2027", "School of Engineering", "2", "3"] in rows
    assert ["2026", "School of Engineering", "1", "1"] in rows
    assert not any("Humanities" in cell for row in rows for cell in row)
    client.force_login(people.staff)
    assert client.get("/reports/travel-trips-by-unit/").status_code in (403, 404)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "Year of departure:</strong> “abc” is not a year from 2000 to 2100."),
        ({"year": "1999", "state": "all"}, "Year of departure:</strong> “1999” is not a year"),
        ({"year": "2027", "state": "bogus"}, "State:</strong> “bogus” is not one of the choices."),
    ],
)
def test_an_invalid_filter_is_shown_as_an_error_and_counts_nothing(client, people, trips, params, message):
    client.force_login(people.officer)
    response = client.get("/travel/statistics/", params)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="filter-errors"' in page and message in page
    assert "trips counted." not in page and 'id="by-country"' not in page  # no figures of another year
    export = client.get("/travel/statistics/country.csv", params)
    assert export.status_code == 400 and export["Content-Type"].startswith("text/plain")
    assert export.content.decode().startswith("The filters are not valid: ")


def test_valid_filters_show_no_error(client, people, trips):
    client.force_login(people.officer)
    for params in ({}, {"year": "all"}, {"year": "2027", "state": "closed"}, {"year": "2001"}):
        page = client.get("/travel/statistics/", params).content.decode()
        assert 'id="filter-errors"' not in page and "counted." in page
    page = client.get("/travel/statistics/", {"year": "2001"}).content.decode()
    assert '<option value="2001" selected>' in page  # a valid year without trips stays chosen


def test_every_table_of_the_page_scrolls_in_its_own_wrapper(client, people, trips):
    from meridian.travel.tests.test_extensions import unwrapped_tables

    client.force_login(people.officer)
    page = client.get("/travel/statistics/", {"year": 2027, "state": "all"}).content.decode()
    assert page.count("<table") >= 4
    assert unwrapped_tables(page) == []
