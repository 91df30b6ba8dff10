"""“Who is abroad now”: who is listed on a day, where, with what contact; who may see it; the export."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.travel.choices import TripState
from meridian.travel.models import ItineraryItem
from meridian.travel.selectors.abroad import abroad_rows, country_counts
from meridian.travel.tests.factories import make_trip

TODAY = timezone.localdate


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


def traveller(unit, family_name: str, **fields):
    return make_person(kind=PersonKind.STAFF, unit=unit, family_name=family_name, given_name="Lin", **fields)


@pytest.fixture
def trips(org, people):
    """An engineering trip travelling now (Germany, then Japan tomorrow), a humanities trip authorised and
    under way by its dates, a computing trip that ended last week and a draft trip for today."""
    japan = country("JP", "Japan", "日本", alpha3="JPN", numeric="392", region_code="142")
    eng = make_trip(
        unit=org.computing,
        applicant=people.staff,
        state=TripState.ABROAD,
        leader=traveller(org.computing, "Ma", phone="+86 138 0000 0001", email="ma@meridian.example"),
        depart_on=days(-2),
        return_on=days(3),
        departed_on=days(-2),
    )
    ItineraryItem.objects.filter(trip=eng, day__gte=days(1)).update(country=japan, city="Kyoto")
    hum = make_trip(
        unit=org.humanities,
        applicant=people.other_coordinator,
        state=TripState.AUTHORISED,
        leader=traveller(org.humanities, "Hu"),
        depart_on=days(-1),
        return_on=days(1),
    )
    past = make_trip(
        unit=org.computing,
        applicant=people.staff,
        state=TripState.RETURNED,
        leader=traveller(org.computing, "Gao"),
        depart_on=days(-10),
        return_on=days(-6),
        departed_on=days(-10),
        returned_on=days(-6),
    )
    draft = make_trip(
        unit=org.computing,
        applicant=people.staff,
        leader=traveller(org.computing, "Du"),
        depart_on=days(-1),
        return_on=days(1),
    )
    return {"eng": eng, "hum": hum, "past": past, "draft": draft}


def names(rows) -> set[str]:
    return {row.person.family_name for row in rows}


def test_today_lists_trips_travelling_and_authorised_trips_under_way(trips, people):
    rows = abroad_rows(user=people.officer, day=TODAY())
    assert names(rows) == {"Ma", "Hu"}
    ma = next(r for r in rows if r.person.family_name == "Ma")
    assert ma.place_text == "Heidelberg, Germany"
    assert ma.trip == trips["eng"] and ma.unit.code == "cs"


def test_another_day_shows_where_people_were_or_will_be(trips, people):
    assert names(abroad_rows(user=people.officer, day=days(-8))) == {"Gao"}
    tomorrow = abroad_rows(user=people.officer, day=days(1))
    assert names(tomorrow) == {"Ma", "Hu"}
    assert [(c.code, c.count) for c in country_counts(tomorrow)] == [("DE", 1), ("JP", 1)]


def test_someone_still_travelling_after_the_planned_return_stays_listed(trips, people):
    type(trips["eng"]).objects.filter(pk=trips["eng"].pk).update(return_on=days(-1))
    assert "Ma" in names(abroad_rows(user=people.officer, day=TODAY()))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"Ma", "Hu"}),
        ("officer", {"Ma", "Hu"}),
        ("leadership", {"Ma", "Hu"}),
        ("coordinator", {"Ma"}),  # engineering reaches computing
        ("other_coordinator", {"Hu"}),
    ],
)
def test_the_list_shows_what_each_role_may_see(client, trips, people, who, expected):
    client.force_login(getattr(people, who))
    page = client.get(reverse("travel:abroad")).content.decode()
    assert {n for n in ("Ma", "Hu") if f"{n.upper()} Lin" in page} == expected


@pytest.mark.parametrize("who", ["staff", "student", "outsider"])
def test_others_are_refused(client, trips, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("travel:abroad")).status_code == 403
    assert client.get(reverse("travel:abroad_export")).status_code == 403


def test_the_page_shows_contact_and_a_date_picker(client, trips, people):
    client.force_login(people.officer)
    page = client.get(reverse("travel:abroad")).content.decode()
    assert "+86 138 0000 0001" in page and "ma@meridian.example" in page
    assert 'type="date"' in page and "Who is abroad now" in page
    other = client.get(reverse("travel:abroad"), {"day": days(-8).isoformat()}).content.decode()
    assert "GAO Lin" in other and "MA Lin" not in other
    bad = client.get(reverse("travel:abroad"), {"day": "yesterday"}).content.decode()
    assert "is not a date" in bad and "MA Lin" in bad


def test_the_export_lists_people_with_their_contact(client, trips, people):
    client.force_login(people.coordinator)
    body = client.get(reverse("travel:abroad_export")).content.decode("utf-8-sig")
    assert "MA Lin" in body and "+86 138 0000 0001" in body and "Heidelberg, Germany" in body
    assert "HU Lin" not in body


def test_the_export_refuses_a_day_it_cannot_read(client, trips, people):
    client.force_login(people.coordinator)
    response = client.get(reverse("travel:abroad_export"), {"day": "yesterday"})
    assert response.status_code == 400 and "is not a date" in response.content.decode()


def test_the_map_shades_countries_with_people(trips, people):
    from meridian.reference.geo import load_atlas
    from meridian.travel.selectors.abroad import abroad_map_svg

    if load_atlas() is None:
        pytest.skip("the offline world atlas is not installed")
    svg = abroad_map_svg(country_counts(abroad_rows(user=people.officer, day=days(1))))
    assert 'data-country="JP"' in svg and "Japan: 1 person" in svg
    assert "http" not in svg
