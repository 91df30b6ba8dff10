"""The trip list: its one filter definition (page, CSV, XLSX), "my trips", sorting and a flat query count."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.travel.filters import TripFilter
from meridian.travel.models import Trip
from meridian.travel.tests.factories import make_trip


@pytest.fixture
def japan(db):
    return country("JP", "Japan", "日本", alpha3="JPN", region_en="Asia", region_zh="亚洲", region_code="142")


@pytest.fixture
def trips(org, people, japan):
    """Three trips: computing (Germany, conference), engineering (Japan, Hong Kong region, lecture, by the
    coordinator for the staff member) and humanities (Germany)."""
    lecturer = make_person(
        kind=PersonKind.STAFF, unit=org.computing, family_name="Wang", given_name="Wu", user=people.staff
    )
    computing = make_trip(
        unit=org.computing,
        applicant=people.staff,
        leader=lecturer,
        title="Heidelberg conference",
        depart_on=datetime.date(2027, 3, 1),
        return_on=datetime.date(2027, 3, 5),
    )
    engineering = make_trip(
        unit=org.engineering,
        applicant=people.coordinator,
        destination=japan,
        title="Kyoto lectures",
        purpose="lecture",
        region="hk_macao",
        inviter_name="Kyoto University",
        depart_on=datetime.date(2027, 5, 10),
        return_on=datetime.date(2027, 5, 12),
        state="under_review",
    )
    humanities = make_trip(
        unit=org.humanities,
        applicant=people.other_coordinator,
        title="Humanities visit",
        delegation_kind="administrative",
        depart_on=datetime.date(2027, 4, 1),
        return_on=datetime.date(2027, 4, 2),
    )
    return {"computing": computing, "engineering": engineering, "humanities": humanities}


def _numbers(response) -> set[str]:
    body = response.content.decode()
    return {t.number for t in Trip.objects.all() if t.number in body}


def _listed(client, **params) -> set[str]:
    response = client.get(reverse("travel:trip_list"), params)
    assert response.status_code == 200
    return _numbers(response)


def test_filters_narrow_the_list(client, org, people, trips, japan):
    client.force_login(people.officer)
    c, e, h = trips["computing"].number, trips["engineering"].number, trips["humanities"].number
    assert _listed(client) == {c, e, h}
    assert _listed(client, state="under_review") == {e}
    assert _listed(client, state=["under_review", "draft"]) == {c, e, h}
    # A unit includes its subunits: engineering lists the computing department's trip too.
    assert _listed(client, unit=org.engineering.pk) == {c, e}
    assert _listed(client, unit=org.computing.pk) == {c}
    assert _listed(client, region="hk_macao") == {e}
    assert _listed(client, purpose="lecture") == {e}
    assert _listed(client, delegation_kind="administrative") == {h}
    assert _listed(client, country="JP") == {e}
    assert _listed(client, depart_from="2027-03-15") == {e, h}
    assert _listed(client, depart_to="2027-04-01") == {c, h}
    assert _listed(client, traveller="wang") == {c}
    assert _listed(client, q="kyoto university") == {e}
    assert _listed(client, q=c) == {c}


def test_invalid_date_is_shown_not_ignored(client, people, trips):
    client.force_login(people.officer)
    response = client.get(reverse("travel:trip_list"), {"depart_from": "2027-13-45"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="filter-errors"' in body and "Enter a valid date." in body
    assert _numbers(response) == set()
    export = client.get(reverse("travel:trip_export"), {"depart_from": "2027-13-45"})
    assert export.status_code == 400
    assert "Enter a valid date." in export.content.decode()


def test_a_departure_range_ending_before_it_starts_is_an_error(client, people, trips):
    client.force_login(people.officer)
    response = client.get(
        reverse("travel:trip_list"), {"depart_from": "2027-03-10", "depart_to": "2027-01-01"}
    )
    body = response.content.decode()
    assert "The end of the range lies before its start." in body
    assert _numbers(response) == set()
    assert (
        client.get(
            reverse("travel:trip_export"), {"depart_from": "2027-03-10", "depart_to": "2027-01-01"}
        ).status_code
        == 400
    )
    fine = client.get(reverse("travel:trip_list"), {"depart_from": "2020-01-01", "depart_to": "2030-01-01"})
    assert "The end of the range" not in fine.content.decode()


def test_my_trips_lists_trips_applied_for_or_travelled_on(client, org, people, trips):
    coordinator_person = make_person(
        kind=PersonKind.STAFF, unit=org.engineering, family_name="Li", user=people.coordinator
    )
    trips["humanities"].members.create(person=coordinator_person, role="member")
    client.force_login(people.coordinator)
    everything = _listed(client)
    assert trips["computing"].number in everything  # the unit's trip
    mine = _listed(client, mine="1")
    assert mine == {trips["engineering"].number, trips["humanities"].number}


def test_sorting_by_departure_and_number(client, people, trips):
    client.force_login(people.officer)
    body = client.get(reverse("travel:trip_list"), {"ordering": "depart_on"}).content.decode()
    order = sorted(trips.values(), key=lambda t: body.index(t.number))
    assert [t.title for t in order] == ["Heidelberg conference", "Humanities visit", "Kyoto lectures"]
    body = client.get(reverse("travel:trip_list"), {"ordering": "-depart_on"}).content.decode()
    order = sorted(trips.values(), key=lambda t: body.index(t.number))
    assert [t.title for t in order] == ["Kyoto lectures", "Humanities visit", "Heidelberg conference"]


def test_csv_export_has_only_visible_and_filtered_rows(client, people, trips):
    client.force_login(people.coordinator)
    response = client.get(reverse("travel:trip_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {trips["computing"].number, trips["engineering"].number}
    filtered = client.get(reverse("travel:trip_export"), {"format": "csv", "country": "JP"})
    rows = list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [trips["engineering"].number]
    assert "Japan" in rows[1][9]


def test_xlsx_export(client, people, trips):
    client.force_login(people.officer)
    response = client.get(reverse("travel:trip_export"), {"format": "xlsx", "state": "draft"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {trips["computing"].number, trips["humanities"].number}


def test_an_unknown_export_format_is_refused(client, people, trips):
    client.force_login(people.officer)
    response = client.get(reverse("travel:trip_export"), {"format": "pdf"})
    assert response.status_code == 400 and "not an export format" in response.content.decode()


def test_exports_are_refused_to_those_without_the_list(client, org, people, trips):
    client.force_login(people.outsider)
    assert client.get(reverse("travel:trip_export")).status_code == 403


def test_student_export_is_empty(client, people, trips):
    client.force_login(people.student)
    response = client.get(reverse("travel:trip_export"))
    assert response.status_code == 200
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 1


def test_filter_is_usable_without_a_page(rf, people, trips):
    """The API imports TripFilter: it works on any visible queryset with a request."""
    request = rf.get("/", {"state": "under_review"})
    request.user = people.coordinator
    filterset = TripFilter(request.GET, queryset=Trip.objects.visible_to(people.coordinator), request=request)
    assert filterset.is_valid()
    assert list(filterset.qs) == [trips["engineering"]]


def _bulk(org, people, n: int) -> None:
    for i in range(n):
        make_trip(
            unit=org.computing,
            applicant=people.staff,
            members=2,
            depart_on=datetime.date(2027, 6, 1) + datetime.timedelta(days=i),
            return_on=datetime.date(2027, 6, 3) + datetime.timedelta(days=i),
        )


@pytest.mark.parametrize("role", ["officer", "coordinator"])
@pytest.mark.parametrize("url_name", ["travel:trip_list", "travel:trip_export"])
def test_query_count_does_not_grow_with_rows(client, org, people, role, url_name):
    client.force_login(getattr(people, role))
    url = reverse(url_name)
    _bulk(org, people, 2)
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _bulk(org, people, 12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_filter_form_keeps_the_chosen_values(client, org, people, trips, japan):
    client.force_login(people.officer)
    body = client.get(
        reverse("travel:trip_list"), {"state": ["draft", "under_review"], "country": "JP", "q": "kyoto"}
    ).content.decode()
    assert '<option value="draft" selected>' in body
    assert '<option value="under_review" selected>' in body
    assert '<option value="approved">' in body
    assert '<option value="JP" selected>' in body
    assert 'value="kyoto"' in body


def test_htmx_refresh_returns_only_the_results(client, people, trips):
    client.force_login(people.officer)
    response = client.get(
        reverse("travel:trip_list"),
        {"state": "under_review"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert trips["engineering"].number in body and trips["computing"].number not in body
