"""The official-travel role × action matrix, from one table, through the pages people use.

The trip belongs to the Department of Computing (under the School of Engineering, whose coordinator is the
foreign-affairs secretary); the staff member of Computing is its applicant. Each action is attempted as a
person would: opening the page (200 means allowed; 403/404 or a redirect to sign-in mean refused), or asking
the workflow engine whether the declared move may be taken by this user now.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from meridian.travel.casework import TRIP_TYPE
from meridian.travel.choices import TripState
from meridian.travel.models import Trip
from meridian.travel.tests.factories import make_trip
from meridian.workflow.testing import CaseTypeTests, PermissionMatrix

OFFICE = {"administrator", "officer"}
UNIVERSITY_READERS = OFFICE | {"leadership"}
# The applicant (staff) and the secretary of their unit (coordinator) act on the trip with the office.
TRIP_PEOPLE = OFFICE | {"coordinator", "staff"}

MATRIX = PermissionMatrix(
    {
        "view": UNIVERSITY_READERS | {"coordinator", "staff"},
        "list": UNIVERSITY_READERS | {"coordinator", "staff", "student"},
        "file": UNIVERSITY_READERS | {"coordinator", "staff", "student"},
        "edit": TRIP_PEOPLE,
        "start_publicity": TRIP_PEOPLE,
        "withdraw_publicity": TRIP_PEOPLE,
        "submit": TRIP_PEOPLE,
        "cancel": TRIP_PEOPLE,
        # Engine moves while no chain runs: the office decides by hand.
        "approve": OFFICE,
        "return": OFFICE,
        "reject": OFFICE,
        "authorise": OFFICE,
        "record_external_approval": OFFICE,
        "depart": TRIP_PEOPLE,
        "come_back": TRIP_PEOPLE,
        "close": OFFICE,
        "notice_board": UNIVERSITY_READERS | {"coordinator", "staff"},
        "passport_register": UNIVERSITY_READERS | {"coordinator", "staff", "student"},
        "who_is_abroad": UNIVERSITY_READERS | {"coordinator"},
        "statistics": UNIVERSITY_READERS | {"coordinator"},
        "standards": OFFICE,
        "rules": {"administrator"},
    }
)

# The state each move is tried from (its declared source), the rest from a draft.
STATES = {
    "withdraw_publicity": TripState.PUBLICITY,
    "submit": TripState.PUBLICITY,
    "approve": TripState.UNDER_REVIEW,
    "return": TripState.UNDER_REVIEW,
    "reject": TripState.UNDER_REVIEW,
    "authorise": TripState.APPROVED,
    "record_external_approval": TripState.APPROVED,
    "depart": TripState.AUTHORISED,
    "come_back": TripState.ABROAD,
    "close": TripState.RETURNED,
}
PAGES = {
    "view": lambda trip: reverse("travel:trip_detail", args=[trip.pk]),
    "list": lambda trip: reverse("travel:trip_list"),
    "file": lambda trip: reverse("travel:trip_create"),
    "edit": lambda trip: reverse("travel:trip_edit", args=[trip.pk]),
    "record_external_approval": lambda trip: reverse("travel:external_record", args=[trip.pk]),
    "notice_board": lambda trip: reverse("travel:notice_board"),
    "passport_register": lambda trip: reverse("travel:custody_list"),
    "who_is_abroad": lambda trip: reverse("travel:abroad"),
    "statistics": lambda trip: reverse("travel:stats"),
    "standards": lambda trip: reverse("travel:standards"),
    "rules": lambda trip: reverse("travel:rules"),
}


def _may_take(user, trip, move: str) -> bool:
    """The declaration's "who may act" for the move, asked from its source state (guards aside)."""
    from meridian.workflow.services import moves_for

    return any(option.name == move for option in moves_for(case=trip, user=user))


class TestTripCase(CaseTypeTests):
    """Every role × action of MATRIX, and flat query counts for the trip list and the trip page."""

    matrix = MATRIX
    list_url = "travel:trip_list"

    def make_case(self, org, people):
        start = datetime.date.today() + datetime.timedelta(days=90)
        return make_trip(
            unit=org.computing,
            applicant=people.staff,
            depart_on=start,
            return_on=start + datetime.timedelta(days=4),
        )

    def attempt(self, action, user, case) -> bool:
        Trip.objects.filter(pk=case.pk).update(state=STATES.get(action, TripState.DRAFT))
        case.refresh_from_db()
        if action in PAGES:
            client = Client()
            client.force_login(user)
            response = client.get(PAGES[action](case))
            assert response.status_code in (200, 302, 403, 404), (action, response.status_code)
            return response.status_code == 200
        return _may_take(user, case, action)


def test_matrix_covers_every_lifecycle_move():
    assert {t.name for t in TRIP_TYPE.transitions} <= set(MATRIX.table)


@pytest.mark.parametrize("role", ["student", "partner_contact", "outsider"])
def test_outsiders_do_not_learn_that_a_trip_exists(client, org, people, role):
    from meridian.workflow.testing import role_users

    trip = TestTripCase().make_case(org, people)
    client.force_login(role_users(org, people)[role])
    for name in ("trip_detail", "trip_edit", "external_record", "report_edit", "change_create"):
        assert client.get(reverse(f"travel:{name}", args=[trip.pk])).status_code == 404, name


@pytest.mark.parametrize("role", ["partner_contact", "outsider"])
def test_the_passport_register_and_long_stays_refuse_those_travel_does_not_concern(client, org, people, role):
    from meridian.workflow.testing import role_users

    client.force_login(role_users(org, people)[role])
    assert client.get(reverse("travel:custody_list")).status_code == 403
    assert client.get("/api/v1/travel/passports/").status_code == 403
    assert client.get(reverse("travel:long_stay_list")).status_code == 403


def test_a_foreign_affairs_secretary_picks_the_travellers_of_their_units(org, people):
    from meridian.accounts.services import user_create
    from meridian.people.choices import PersonKind
    from meridian.people.tests.factories import make_person
    from meridian.travel.selectors.trips import member_people
    from meridian.workflow.choices import PostKind
    from meridian.workflow.models import UnitPost

    secretary = user_create(username="secretary", email="secretary@meridian.example", password="x-secret")
    UnitPost.objects.create(unit=org.engineering, user=secretary, post=PostKind.SECRETARY)
    lecturer = make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Sun", given_name="Li")
    historian = make_person(kind=PersonKind.STAFF, unit=org.humanities, family_name="Pan", given_name="Lei")
    offered = set(member_people(user=secretary))
    assert lecturer in offered and historian not in offered
    assert list(member_people(user=secretary, query="Sun")) == [lecturer]
