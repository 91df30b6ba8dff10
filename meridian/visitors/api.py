"""REST API of visitors and foreign experts (``/api/v1/visitors/…``): visits, foreign experts' hiring cases,
lectures and accommodation registrations.

The same filters as the pages (one definition per list: ``filters.VisitFilter`` for visits,
``forms_experts.ExpertFilter`` for experts, ``selectors.arrivals.RegistrationFilter`` for registrations,
``filters_lectures.LectureFilter`` for lectures), visibility
(``Visit.objects.visible_to`` and the other rules of ``permissions``) and services as the pages: an object
someone may not see answers 404; every
write goes through ``services.visits``; refusals and invalid filters answer the shared error shape
``{"error": {"code", "message", "details"}}`` (400 for an invalid filter value, never a silently unfiltered
list).

Visits are cases of the workflow engine: ``GET …/moves/`` lists the moves with the reasons unavailable ones
are, ``POST …/moves/<move>/`` takes one, ``GET …/history/`` and ``GET …/documents/``; ``GET …/rules/`` runs
the rule pack on the visit as it stands, ``GET …/guests/`` lists its guests. An update must carry the
version read, as ``If-Match`` (the ETag of the read) or the field ``version`` (428 without it, 409 when
someone saved in between; see ``core.api_versioning``). Guests' personal data (their fields,
what failing guest rules say about passports, itineraries and CVs, visa copies among the files) is given only
to those who may see it (``permissions.can_see_guest_data``, through ``rules.readable_results`` for rule
results); passport numbers never.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from meridian.accounts.models import User
from meridian.core.api_versioning import VersionedViewSetMixin, versioned_read, versioned_update
from meridian.core.errors import PermissionDeniedError
from meridian.visitors import permissions
from meridian.visitors.filters import VisitFilter
from meridian.visitors.filters_lectures import LectureFilter
from meridian.visitors.forms_experts import ExpertFilter
from meridian.visitors.models import AccommodationRegistration, ExpertHiring, Lecture, Visit, VisitGuest
from meridian.visitors.rules import readable_results, visit_check
from meridian.visitors.selectors.arrivals import RegistrationFilter
from meridian.visitors.serializers import (
    ExpertHiringDetailSerializer,
    ExpertHiringSerializer,
    GuestSerializer,
    LectureSerializer,
    RegistrationSerializer,
    VisitDetailSerializer,
    VisitListSerializer,
    VisitRuleResultSerializer,
    VisitWriteSerializer,
)
from meridian.workflow.api import CaseViewSetMixin, LogFileSerializer, MoveRequestSerializer

ERROR = OpenApiResponse(description='`{"error": {"code", "message", "details"}}`')
LIST_ERRORS = {400: ERROR, 401: ERROR, 403: ERROR}


class UserFilterBackend(DjangoFilterBackend):
    """django-filter's backend for a page's filter that takes the reader (``user=``: the registrations
    filter offers only the units the reader may narrow to). An invalid value answers 400, as always."""

    def get_filterset_kwargs(self, request: Request, queryset: QuerySet, view: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


# --- visits -------------------------------------------------------------------------------------------------


def _visit_lists(data: dict) -> dict[str, Any]:
    """The nested lists of a write as the services take them (``None``: leave the visit's as they are)."""
    guests = None
    if "guests" in data:
        guests = [
            {**dict(g), "new_person": dict(g["new_person"]) if g.get("new_person") else None}
            for g in data["guests"]
        ]
    return {
        "guests": guests,
        "programme": [dict(p) for p in data["programme"]] if "programme" in data else None,
        "budget": [dict(b) for b in data["budget"]] if "budget" in data else None,
        "agreements": list(data["agreements"]) if "agreements" in data else None,
    }


def _visit_fields(data: dict) -> dict[str, Any]:
    skip = {"version", "guests", "programme", "budget", "agreements"}
    return {k: v for k, v in data.items() if k not in skip}


def _visit_detail_queryset(queryset: QuerySet) -> QuerySet:
    return (
        queryset.select_related("host_unit", "host", "guest_partner", "guest_institution")
        .annotate(guest_count=Count("guests", distinct=True))
        .prefetch_related(
            Prefetch("guests", queryset=VisitGuest.objects.select_related("person")),
            "programme",
            "budget_lines",
            "agreements",
        )
    )


VISIT_MOVES = (
    "submit, return, approve, reject, issue_invitation, confirm_visa, arrive, finish, close or cancel"
)


@extend_schema_view(
    list=extend_schema(
        summary="List visits (same filters as the visit list page)",
        responses={200: VisitListSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=versioned_read(
        summary="One visit with its guests (personal data only for those who may see it; never passport "
        "numbers), programme, budget and last rule check",
        responses={200: VisitDetailSerializer, 404: ERROR},
    ),
    create=extend_schema(
        summary="File a draft visit",
        request=VisitWriteSerializer,
        responses={201: VisitDetailSerializer, 400: ERROR, 403: ERROR},
    ),
    update=versioned_update(
        summary="Replace a draft visit's data (the version read required: If-Match or version)",
        request=VisitWriteSerializer,
        responses={200: VisitDetailSerializer, 204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
    partial_update=versioned_update(
        summary="Change some of a draft visit's data (the version read required: If-Match or version)",
        request=VisitWriteSerializer,
        responses={200: VisitDetailSerializer, 204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class VisitViewSet(
    VersionedViewSetMixin,
    CaseViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Visits and delegations (外宾来访) visible to the caller."""

    case_type_code = "visit"
    queryset = Visit.objects.none()  # replaced per request; kept for schema generation
    filterset_class = VisitFilter

    def base_queryset(self) -> QuerySet:
        if getattr(self, "action", None) == "list":
            return (
                Visit.objects.select_related("host_unit", "host", "guest_partner", "guest_institution")
                .annotate(guest_count=Count("guests", distinct=True))
                .order_by("-arrive_on", "-id")
            )
        return _visit_detail_queryset(Visit.objects.all())

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The visit filter covers state, category, host unit, arrival dates and partner; the engine's generic
        # list filters would apply some of the same parameters a second time.
        return viewsets.GenericViewSet.filter_queryset(self, queryset)

    def get_serializer_class(self):
        if self.action == "list":
            return VisitListSerializer
        if self.action in ("create", "update", "partial_update"):
            return VisitWriteSerializer
        return VisitDetailSerializer

    def detail_response(self, case, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = _visit_detail_queryset(Visit.objects.visible_to(self.request.user)).filter(pk=case.pk).first()
        if fresh is None:  # a move can take the visit out of the caller's sight
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(
            VisitDetailSerializer(fresh, context=self.get_serializer_context()).data, status=http_status
        )

    def case_documents(self, case, request: Request) -> list[dict]:
        """The visit's files (correspondence, photos; visa copies only for those who may see guests' data)
        and files attached to its moves."""
        from django.urls import NoReverseMatch, reverse

        own = []
        for f in case.files.all():
            if not permissions.can_see_visit_file(request.user, case, f.kind):
                continue
            try:
                url = request.build_absolute_uri(reverse("visitors:visit_file", args=[case.pk, f.pk]))
            except NoReverseMatch:
                url = ""
            own.append(
                {
                    "id": f.pk,
                    "kind": f.kind,
                    "name": f.original_name,
                    "content_type": f.content_type,
                    "size": f.size,
                    "sha256": f.sha256,
                    "download": url,
                }
            )
        return [*own, *super().case_documents(case, request)]

    def create(self, request: Request, *args, **kwargs) -> Response:
        from meridian.visitors.services.visits import visit_create

        if not permissions.can_create_visit(request.user):  # before the data: no hints to who may not file
            raise PermissionDeniedError(_("You may not file visits."))
        serializer = VisitWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = visit_create(actor=request.user, **_visit_lists(data), **_visit_fields(data))
        return self.detail_response(visit, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        from meridian.visitors.services.visits import visit_update

        visit = self.get_object()
        context = {**self.get_serializer_context(), "visit": visit}
        serializer = VisitWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=context
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = self.expected_version(data.get("version"))
        visit = visit_update(
            visit=visit,
            actor=request.user,
            expected_version=version,
            **_visit_lists(data),
            **_visit_fields(data),
        )
        return self.detail_response(visit)

    @extend_schema(
        summary=f"Take a move: {VISIT_MOVES}",
        request=MoveRequestSerializer,
        responses={200: VisitDetailSerializer, 204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path=r"moves/(?P<move>[a-z_]+)")
    # drf-stubs type an @action as a ViewSetAction that cannot be overridden (djangorestframework-stubs#728)
    def move(self, request: Request, pk: str | None = None, move: str = "") -> Response:  # type: ignore[override]
        from meridian.visitors.services.visits import visit_move

        visit = self.get_object()
        body = MoveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        on_behalf_of = None
        if body.validated_data["on_behalf_of"]:
            on_behalf_of = User.objects.filter(pk=body.validated_data["on_behalf_of"], is_active=True).first()
            if on_behalf_of is None:
                raise exceptions.ValidationError({"on_behalf_of": [_("Unknown user.")]})
        visit = visit_move(
            visit=visit,
            actor=request.user,
            move=move,
            comment=body.validated_data["comment"],
            on_behalf_of=on_behalf_of,
            data=body.validated_data["data"],
        )
        return self.detail_response(visit)

    @extend_schema(
        summary="Check the visit against the rule pack now (each rule with its result and source; what a "
        "failing guest rule says about guests' data only for those who may see it)",
        responses={200: VisitRuleResultSerializer(many=True), 404: ERROR},
    )
    @action(detail=True, methods=["get"], url_path="rules", pagination_class=None, filter_backends=[])
    def rules(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        results = readable_results(visit_check(visit=visit, save=False), user=request.user, visit=visit)
        return Response(VisitRuleResultSerializer(results, many=True).data)

    @extend_schema(
        summary="The visit's guests (personal data only for those who may see it; never passport numbers)",
        responses={200: GuestSerializer(many=True), 404: ERROR},
    )
    @action(detail=True, methods=["get"], url_path="guests", pagination_class=None, filter_backends=[])
    def guests(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        context = {
            **self.get_serializer_context(),
            "guest_data": permissions.can_see_guest_data(request.user, visit),
        }
        return Response(GuestSerializer(visit.guests.all(), many=True, context=context).data)

    @extend_schema(
        summary="The visit's documents, with download links", responses=LogFileSerializer(many=True)
    )
    @action(detail=True, methods=["get"], url_path="documents", pagination_class=None, filter_backends=[])
    # drf-stubs: an @action cannot be overridden (djangorestframework-stubs#728), and the ViewSetAction's
    # __call__ is typed as the unbound function, so super().documents() seems to lack `self`.
    def documents(self, request: Request, pk: str | None = None) -> Response:  # type: ignore[override]
        return super().documents(request, pk)  # type: ignore[arg-type]


# --- foreign experts ----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Foreign experts' hiring cases visible to you (the expert list page's filters: q, state, "
        "kind, category, unit, expiring)",
        responses={200: ExpertHiringSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=versioned_read(
        summary="One hiring case with its documents checklist and reported changes",
        responses={200: ExpertHiringDetailSerializer, 404: ERROR},
    ),
)
class ExpertHiringViewSet(
    VersionedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Foreign experts and teachers (外国专家): the office and leadership see every case, the host unit's
    secretaries theirs, the responsible member of staff and the expert their own."""

    queryset = ExpertHiring.objects.none()
    filterset_class = ExpertFilter

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return ExpertHiring.objects.none()
        hirings = ExpertHiring.objects.visible_to(self.request.user).select_related("person", "host_unit")
        if self.action != "list":
            hirings = hirings.prefetch_related("documents", "changes")
        return hirings.order_by("-contract_starts_on", "-id")

    def get_serializer_class(self):
        return ExpertHiringSerializer if self.action == "list" else ExpertHiringDetailSerializer


# --- lectures -----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Lectures: the public calendar's for everyone signed in, and the lectures you keep",
        responses={200: LectureSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=versioned_read(summary="One lecture", responses={200: LectureSerializer, 404: ERROR}),
)
class LectureViewSet(
    VersionedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Lectures and talks of visiting scholars. Like every endpoint of the API it needs a signed-in user;
    the public reads the calendar on the Global Vision site and its iCalendar feeds."""

    queryset = Lecture.objects.none()
    serializer_class = LectureSerializer
    filterset_class = LectureFilter

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Lecture.objects.none()
        user = self.request.user
        condition = permissions.lecture_api_visibility_filter(user)
        lectures = Lecture.objects.all() if condition is None else Lecture.objects.filter(condition)
        visible_visits = Visit.objects.visible_to(user).filter(pk=OuterRef("visit_id"))
        return (
            lectures.select_related("unit", "visit")
            .annotate(visit_visible=Exists(visible_visits))
            .order_by("starts_at", "id")
        )


# --- accommodation registrations ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Accommodation registrations with the police (the office, leadership and unit secretaries; "
        "the registrations page's filters: state, unit, overdue, reason)",
        responses={200: RegistrationSerializer(many=True), **LIST_ERRORS},
    ),
)
class RegistrationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The registration list of the arrivals pages: every registration for the office and leadership, those
    of their units' visits for unit secretaries; refused to everyone else."""

    queryset = AccommodationRegistration.objects.none()
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter  # the registrations page's (state, unit, overdue, reason)
    filter_backends = [UserFilterBackend]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return AccommodationRegistration.objects.none()
        user = self.request.user
        if not permissions.can_see_registrations(user):
            raise exceptions.PermissionDenied(
                _("The registration list is for the office, leadership and unit secretaries.")
            )
        condition = permissions.registration_visibility_filter(user)
        rows = AccommodationRegistration.objects.all()
        if condition is not None:
            rows = rows.filter(condition)
        return rows.select_related("guest__person", "guest__visit__host_unit").order_by("due_at", "id")
