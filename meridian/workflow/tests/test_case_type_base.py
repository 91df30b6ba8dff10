"""The reusable case-type test base, applied to the throw-away trip case type.

The trip has no pages of its own, so this module gives it a small detail page that shows what a case page
shows from the engine (moves, approval steps, history); the list page is the inbox of the office.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from meridian.reference.models import Institution
from meridian.workflow import services
from meridian.workflow.choices import AssigneeKind
from meridian.workflow.services import can_move
from meridian.workflow.testing import CaseTypeTests, PermissionMatrix
from meridian.workflow.tests import casetype
from meridian.workflow.views.common import visible_case

PAGE = engines["django"].from_string(
    "{% load workflow %}<h1>{{ case }}</h1>{% case_workflow case %}{% case_history case %}"
)


def trip_page(request: HttpRequest, pk: int) -> HttpResponse:
    case, _case_type = visible_case(request.user, casetype.CODE, pk)
    return HttpResponse(PAGE.render({"case": case}, request))


# The project's own URLconf (navigation links to every app) plus the trip page.
urlpatterns = [
    path("trips/<int:pk>/", trip_page, name="trip"),
    *import_module(settings.ROOT_URLCONF).urlpatterns,
]


class TestTripCase(CaseTypeTests):
    matrix = PermissionMatrix(
        {
            "see": {"administrator", "officer", "coordinator", "leadership", "staff"},
            "submit": {"administrator", "officer", "coordinator", "staff"},
            "decide_office_step": {"officer"},  # the administrator may delegate it, not decide it
        }
    )
    list_url = "workflow:office"
    viewer = "officer"

    @pytest.fixture(autouse=True)
    def _setup(self, settings, trip_type, people):
        settings.ROOT_URLCONF = __name__
        services.chain_create(
            actor=people.admin,
            case_type=casetype.CODE,
            name="Office",
            steps=[{"order": 1, "label": "Office", "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE}],
        )

    def make_case(self, org, people):
        trip = casetype.make_trip(unit=org.computing, applicant=people.staff)
        return services.case_move(case=trip, actor=people.staff, move="submit")

    def detail_url(self, case) -> str:
        return f"/trips/{case.pk}/"

    def attempt(self, action: str, user, case) -> bool:
        from meridian.workflow.models import StepTask
        from meridian.workflow.permissions import task_acting_for

        if action == "see":
            return casetype.TRIP.visible(user, Institution.objects.filter(pk=case.pk)).exists()
        if action == "submit":
            draft = casetype.make_trip(unit=case_unit(case), applicant=casetype.SETUP.applicants[case.pk])
            return can_move(case=draft, user=user, move="submit")
        task = StepTask.objects.get(approval__object_id=case.pk, state="open")
        return task_acting_for(user, task)[0]


def case_unit(case):
    return casetype.SETUP.units[case.pk]


def test_the_matrix_expands_to_every_role_and_refuses_unknown_roles():
    cases = TestTripCase.matrix.cases()
    assert (
        len(cases) == 3 * 8
    )  # three actions × every role, partner contact and a user without a role included
    assert {c.values[0] for c in cases} >= {"partner_contact", "student", "outsider"}
    with pytest.raises(ValueError, match="unknown roles"):
        PermissionMatrix({"see": {"dean"}})
