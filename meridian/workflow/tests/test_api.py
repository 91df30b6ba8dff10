"""The engine's API: the case-type viewset base (on the trip case type) and my tasks with step actions."""

from __future__ import annotations

import pytest
from django.urls import include, path
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from meridian.reference.models import Institution
from meridian.workflow import services
from meridian.workflow.api import CASE_FIELDS, CaseSerializerMixin, CaseViewSetMixin
from meridian.workflow.choices import AssigneeKind, TaskState
from meridian.workflow.models import StepTask
from meridian.workflow.tests import casetype


class TripSerializer(CaseSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "name", *CASE_FIELDS]


class TripViewSet(
    CaseViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    case_type_code = casetype.CODE
    serializer_class = TripSerializer
    queryset = Institution.objects.none()


router = DefaultRouter()
router.register("trips", TripViewSet, basename="trip")
urlpatterns = [
    path("api/", include(router.urls)),
    path("api/v1/", include("meridian.workflow.api_urls")),
    path("inbox/", include("meridian.workflow.urls")),
]


@pytest.fixture
def api(settings):
    settings.ROOT_URLCONF = __name__
    return APIClient()


def test_case_list_filters_by_state_and_date_and_carries_state_and_url(api, org, people, make_trip):
    draft = make_trip(unit=org.computing, applicant=people.staff, name="Draft trip")
    moved = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff, name="Moved"),
        actor=people.staff,
        move="submit",
    )
    api.force_authenticate(people.officer)
    rows = api.get("/api/trips/", {"state": "review"}).json()["results"]
    assert [r["id"] for r in rows] == [moved.pk]
    assert rows[0]["state"] == "review" and rows[0]["state_label"] == "Under review"
    assert rows[0]["case_type"] == casetype.CODE
    assert api.get("/api/trips/", {"date_from": "2999-01-01"}).json()["results"] == []
    bad = api.get("/api/trips/", {"date_from": "soon"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    # Visibility: a coordinator of another unit sees nothing and gets 404 for the detail.
    api.force_authenticate(people.other_coordinator)
    assert api.get("/api/trips/").json()["results"] == []
    assert api.get(f"/api/trips/{draft.pk}/").status_code == 404


def test_moves_through_the_api_explain_refusals(api, org, people, make_trip):
    trip = make_trip(unit=org.computing, applicant=people.staff)
    trip.status = "approved"
    trip.save()
    api.force_authenticate(people.officer)
    moves = api.get(f"/api/trips/{trip.pk}/moves/").json()
    assert moves[0]["name"] == "activate" and moves[0]["available"] is False
    assert "Activate needs ECHE start." in moves[0]["reasons"]
    refused = api.post(
        f"/api/trips/{trip.pk}/moves/activate/", {"data": {"eche_start": "2026-04-01"}}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Activate needs a signed copy."
    casetype.SETUP.documents.add(trip.pk)
    done = api.post(
        f"/api/trips/{trip.pk}/moves/activate/", {"data": {"eche_start": "2026-04-01"}}, format="json"
    )
    assert done.status_code == 200 and done.json()["state"] == "active"
    history = api.get(f"/api/trips/{trip.pk}/history/").json()
    assert history[0]["action"] == "activate" and history[0]["actor"] == "officer"
    api.force_authenticate(people.student)
    assert api.post(f"/api/trips/{trip.pk}/moves/close/", {}, format="json").status_code == 404


def test_documents_lists_files_attached_to_moves(api, org, people, make_trip):
    from django.core.files.uploadedfile import SimpleUploadedFile

    trip = make_trip(unit=org.computing, applicant=people.staff)
    services.case_move(
        case=trip,
        actor=people.staff,
        move="submit",
        files=[SimpleUploadedFile("p.pdf", b"%PDF-1.4 x", content_type="application/pdf")],
    )
    api.force_authenticate(people.staff)
    docs = api.get(f"/api/trips/{trip.pk}/documents/").json()
    assert docs[0]["name"] == "p.pdf" and docs[0]["download"].endswith(f"/inbox/file/{docs[0]['id']}/")


def test_my_tasks_and_step_actions(api, org, people, make_trip):
    services.chain_create(
        actor=people.admin,
        case_type=casetype.CODE,
        name="c",
        steps=[{"order": 1, "label": "Office", "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE}],
    )
    trip = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )
    task = StepTask.objects.get(state=TaskState.OPEN)
    api.force_authenticate(people.staff)
    assert api.get("/api/v1/workflow/tasks/").json()["results"] == []
    assert api.post(f"/api/v1/workflow/tasks/{task.pk}/approve/", {}, format="json").status_code == 404
    api.force_authenticate(people.officer)
    rows = api.get("/api/v1/workflow/tasks/").json()["results"]
    assert rows[0]["id"] == task.pk and rows[0]["case_id"] == trip.pk and rows[0]["label"] == "Office"
    refused = api.post(f"/api/v1/workflow/tasks/{task.pk}/return/", {"comment": ""}, format="json")
    assert refused.status_code == 400
    done = api.post(
        f"/api/v1/workflow/tasks/{task.pk}/return/",
        {"field_comments": {"languages": "Add zh"}},
        format="json",
    )
    assert done.status_code == 200 and done.json()["state"] == "returned"
    trip.refresh_from_db()
    assert trip.status == "draft"
