"""Builders of the selection tests: a call with several destinations, students applying to it, committee
members. Records are made directly in the database in any state (tests of moves use the services)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.mobility.choices import ApplicationState, CallState, MobilityType
from meridian.mobility.models import Application, Call, CallDestination, CallReviewer
from meridian.mobility.tests.factories import PASSWORD, make_application, make_call, student_user
from meridian.partners.tests.factories import PartnerFactory

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def committee_member(org_unit, username: str, *, call: Call | None = None):
    """A staff member (internal) of ``org_unit``, on ``call``'s committee when given."""
    user = user_create(username=username, email=f"{username}@meridian.example", password=PASSWORD)
    membership_grant(user=user, unit=org_unit, role=Role.STAFF)
    if call is not None:
        CallReviewer.objects.create(call=call, user=user)
    return user


def add_destination(call: Call, places: int, **fields) -> CallDestination:
    partner = fields.pop("partner", None) or PartnerFactory(name=f"Partner {_next()}")
    return CallDestination.objects.create(
        call=call,
        partner=partner,
        places=places,
        mobility_type=fields.pop("mobility_type", MobilityType.SEMESTER),
        months=Decimal(5),
        **fields,
    )


@dataclass
class SelectionWorld:
    call: Call
    destinations: list[CallDestination]
    applications: list[Application] = field(default_factory=list)


def selection_world(
    org,
    *,
    places: tuple[int, ...] = (1, 1),
    students: int = 3,
    state: str = ApplicationState.PRE_APPROVED,
    call_state: str = CallState.CLOSED,
    ranked: bool = True,
    unit=None,
    **call_fields: Any,
) -> SelectionWorld:
    """A call of the International Office in ``call_state`` with one destination per ``places`` entry and
    ``students`` applications (computing students) ranking every destination in order; with ``ranked``
    each gets rank 1, 2, … in creation order."""
    call = make_call(unit=unit or org.intl_office, state=call_state, max_preferences=5, **call_fields)
    destinations = [add_destination(call, n) for n in places]
    world = SelectionWorld(call=call, destinations=destinations)
    now = timezone.now()
    for i in range(students):
        n = _next()
        student = student_user(org.computing, f"sel-student-{n}", family_name=f"Stu{n}", name_zh="")
        application = make_application(call, student, state=state, preferences=destinations, submitted_at=now)
        if ranked:
            application.rank = i + 1
            application.score = Decimal(90 - i)
            application.save(update_fields=["rank", "score"])
        world.applications.append(application)
    return world
