"""REST API of official travel (``/api/v1/travel/…``): trips, trip plans and the passport register.

The same filter (``filters.TripFilter``), visibility (``Trip.objects.visible_to``) and services as the pages:
a trip someone may not see answers 404; every write goes through ``services.trips``, ``services.plans`` or
``services.custody``; refusals answer the shared error shape ``{"error": {"code", "message", "details"}}``.

Trips are cases of the workflow engine: ``GET …/moves/`` lists the moves with the reasons unavailable ones
are, ``POST …/moves/<move>/`` takes one, ``GET …/history/`` and ``GET …/documents/``; ``GET …/rules/`` runs
the rule pack on the trip as it stands. An update must carry the version read, as ``If-Match`` (the ETag of
the read) or the field ``version`` (428 without it, 409 when someone saved in between; see
``core.api_versioning``).
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from meridian.accounts.models import OrgUnit, User
from meridian.core.api_versioning import (
    IF_MATCH,
    PRECONDITION_RESPONSES,
    VersionedViewSetMixin,
    versioned_read,
    versioned_update,
)
from meridian.travel import permissions
from meridian.travel.choices import CustodyState
from meridian.travel.models import (
    CustodyItem,
    CustodyMovement,
    Trip,
    TripMember,
    TripPlan,
    TripPlanLine,
)
from meridian.travel.serializers import (
    CustodyActionSerializer,
    CustodyItemDetailSerializer,
    CustodyItemSerializer,
    RuleResultSerializer,
    TripDetailSerializer,
    TripListSerializer,
    TripPlanDetailSerializer,
    TripPlanLineSerializer,
    TripPlanLineWriteSerializer,
    TripPlanSerializer,
    TripPlanWriteSerializer,
    TripWriteSerializer,
    may_see_document_number,
)
from meridian.workflow.api import CaseViewSetMixin, LogFileSerializer, MoveRequestSerializer

ERROR = OpenApiResponse(description='`{"error": {"code", "message", "details"}}`')


# --- trips ---------------------------------------------------------------------------------------------


class _FallbackTripFilter(django_filters.FilterSet):
    """Used only while ``meridian.travel.filters.TripFilter`` is not installed: state, unit (with subunits),
    departure dates and a search over number, title and inviter."""

    q = django_filters.CharFilter(method="filter_q")
    state = django_filters.MultipleChoiceFilter(choices=Trip._meta.get_field("state").choices)
    unit = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), method="filter_unit")
    depart_from = django_filters.DateFilter(field_name="depart_on", lookup_expr="gte")
    depart_to = django_filters.DateFilter(field_name="depart_on", lookup_expr="lte")

    class Meta:
        model = Trip
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(inviter_name__icontains=value)
        )

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset


def trip_filter_class() -> type[django_filters.FilterSet]:
    """The trip list's filter (``filters.TripFilter``), shared with the page and the exports."""
    try:
        from meridian.travel.filters import TripFilter
    except ImportError:
        return _FallbackTripFilter
    return TripFilter


def _detail_prefetch(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "unit", "applicant", "inviter_partner", "inviter_institution", "plan_line"
    ).prefetch_related(
        Prefetch("members", queryset=TripMember.objects.select_related("person", "unit")),
        "itinerary__country",
        "budget_lines",
        "partners",
        "agreements",
    )


def _trip_lists(data: dict) -> dict[str, Any]:
    """The nested lists of a write, as the services take them (``None``: leave the trip's as they are)."""
    return {
        "members": [dict(m) for m in data["members"]] if "members" in data else None,
        "itinerary": [dict(i) for i in data["itinerary"]] if "itinerary" in data else None,
        "budget": [dict(b) for b in data["budget"]] if "budget" in data else None,
        "partners": list(data["partners"]) if "partners" in data else None,
        "agreements": list(data["agreements"]) if "agreements" in data else None,
    }


def _trip_fields(data: dict) -> dict[str, Any]:
    skip = {"version", "members", "itinerary", "budget", "partners", "agreements"}
    return {k: v for k, v in data.items() if k not in skip}


def _file_url(trip: Trip, file_pk: int) -> str:
    for args in ([trip.pk, file_pk], [file_pk]):
        try:
            return reverse("travel:trip_file", args=args)
        except NoReverseMatch:
            continue
    return ""


@extend_schema_view(
    list=extend_schema(summary="List trips (same filters as the trip list page)"),
    retrieve=versioned_read(summary="One trip with its delegation, itinerary, budget and last rule check"),
    create=extend_schema(
        summary="File a draft trip",
        request=TripWriteSerializer,
        responses={201: TripDetailSerializer, 400: ERROR, 403: ERROR},
    ),
    update=versioned_update(
        summary="Replace a draft trip's data (the version read required: If-Match or version)",
        request=TripWriteSerializer,
        responses={200: TripDetailSerializer, 204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
    partial_update=versioned_update(
        summary="Change some of a draft trip's data (the version read required: If-Match or version)",
        request=TripWriteSerializer,
        responses={200: TripDetailSerializer, 204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class TripViewSet(
    VersionedViewSetMixin,
    CaseViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Official trips (因公临时出国(境)) visible to the caller."""

    case_type_code = "trip"
    queryset = Trip.objects.none()  # replaced per request; kept for schema generation

    @property
    def filterset_class(self) -> type[django_filters.FilterSet]:  # type: ignore[override]
        return trip_filter_class()

    def base_queryset(self) -> QuerySet:
        queryset = Trip.objects.all()
        if getattr(self, "action", None) == "list":
            return queryset.select_related("unit", "applicant", "inviter_partner", "inviter_institution")
        return _detail_prefetch(queryset)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The trip filter covers state, unit, dates and partner; the engine's generic list filters would apply
        # the same parameters a second time.
        return viewsets.GenericViewSet.filter_queryset(self, queryset)

    def get_serializer_class(self):
        if self.action == "list":
            return TripListSerializer
        if self.action in ("create", "update", "partial_update"):
            return TripWriteSerializer
        return TripDetailSerializer

    def detail_response(self, case, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = _detail_prefetch(Trip.objects.visible_to(self.request.user)).filter(pk=case.pk).first()
        if fresh is None:  # a move can take the trip out of the caller's sight (never for its applicant)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(
            TripDetailSerializer(fresh, context=self.get_serializer_context()).data, status=http_status
        )

    def case_documents(self, case, request: Request) -> list[dict]:
        """The trip's files (invitation, translation, paper, scans) and files attached to its moves."""
        own = [
            {
                "id": f.pk,
                "kind": f.kind,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "download": request.build_absolute_uri(url) if (url := _file_url(case, f.pk)) else "",
            }
            for f in case.files.all()
        ]
        return [*own, *super().case_documents(case, request)]

    def create(self, request: Request, *args, **kwargs) -> Response:
        from meridian.travel.services.trips import trip_create

        serializer = TripWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        trip = trip_create(actor=request.user, **_trip_lists(data), **_trip_fields(data))
        return self.detail_response(trip, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        from meridian.travel.services.trips import trip_update

        trip = self.get_object()
        context = {**self.get_serializer_context(), "trip": trip}
        serializer = TripWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=context
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = self.expected_version(data.get("version"))
        trip = trip_update(
            trip=trip, actor=request.user, expected_version=version, **_trip_lists(data), **_trip_fields(data)
        )
        return self.detail_response(trip)

    @extend_schema(
        summary="Take a move: start_publicity, withdraw_publicity, submit, return, approve, reject, "
        "authorise, depart, come_back, close or cancel",
        request=MoveRequestSerializer,
        responses={200: TripDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path=r"moves/(?P<move>[a-z_]+)")
    # drf-stubs type an @action as a ViewSetAction that cannot be overridden (djangorestframework-stubs#728)
    def move(self, request: Request, pk: str | None = None, move: str = "") -> Response:  # type: ignore[override]
        from meridian.travel.services.trips import trip_move

        trip = self.get_object()
        body = MoveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        on_behalf_of = None
        if body.validated_data["on_behalf_of"]:
            on_behalf_of = User.objects.filter(pk=body.validated_data["on_behalf_of"], is_active=True).first()
            if on_behalf_of is None:
                raise exceptions.ValidationError({"on_behalf_of": [_("Unknown user.")]})
        trip = trip_move(
            trip=trip,
            actor=request.user,
            move=move,
            comment=body.validated_data["comment"],
            on_behalf_of=on_behalf_of,
            data=body.validated_data["data"],
        )
        return self.detail_response(trip)

    @extend_schema(
        summary="Check the trip against the rule pack now (each rule with its result and source)",
        responses={200: RuleResultSerializer(many=True), 404: ERROR},
    )
    @action(detail=True, methods=["get"], url_path="rules", pagination_class=None, filter_backends=[])
    def rules(self, request: Request, pk: str | None = None) -> Response:
        from meridian.travel.rules import trip_check

        trip = self.get_object()
        return Response(RuleResultSerializer(trip_check(trip=trip, save=False), many=True).data)

    @extend_schema(
        summary="The trip's documents, with download links", responses=LogFileSerializer(many=True)
    )
    @action(detail=True, methods=["get"], url_path="documents", pagination_class=None, filter_backends=[])
    # drf-stubs: an @action cannot be overridden (djangorestframework-stubs#728), and the ViewSetAction's
    # __call__ is typed as the unbound function, so super().documents() seems to lack `self`.
    def documents(self, request: Request, pk: str | None = None) -> Response:  # type: ignore[override]
        return super().documents(request, pk)  # type: ignore[arg-type]


# --- plans ---------------------------------------------------------------------------------------------


def visible_plans(user) -> QuerySet[TripPlan]:
    """Plans ``user`` may see (``selectors.plans.plans_visible_to``; the same narrow rule without it)."""
    try:
        from meridian.travel.selectors.plans import plans_visible_to
    except ImportError:
        from meridian.travel.serializers import plans_visible_to
    return plans_visible_to(user)


class TripPlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    kind = django_filters.ChoiceFilter(choices=TripPlan._meta.get_field("kind").choices)
    state = django_filters.ChoiceFilter(choices=TripPlan._meta.get_field("state").choices)
    unit = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), method="filter_unit")

    class Meta:
        model = TripPlan
        fields: list[str] = []

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset


PLAN_ACTIONS = ("submit", "consolidate", "reopen")
LINE_VERSION = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    required=False,
    description="The plan's version read (or in the body, or If-Match): one of them is required.",
)
PLAN_ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 204],
    description='The plan\'s new version, e.g. W/"tripplan-3-v5".',
)


def _line_version(request: Request) -> object:
    """The plan's version a line change names in the query (``?version=``) or the body."""
    if request.query_params.get("version"):
        return request.query_params["version"]
    return request.data.get("version") if isinstance(request.data, dict) else None


@extend_schema_view(
    list=extend_schema(summary="List annual trip plans (year, kind, state, unit)"),
    retrieve=versioned_read(summary="One trip plan with its lines"),
    create=extend_schema(
        summary="Create a unit's draft plan for a year (with lines)",
        request=TripPlanWriteSerializer,
        responses={201: TripPlanDetailSerializer, 400: ERROR, 403: ERROR, 409: ERROR},
    ),
    partial_update=versioned_update(
        summary="Change a draft plan's note (the version read required: If-Match or version)",
        request=TripPlanWriteSerializer,
        responses={200: TripPlanDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class TripPlanViewSet(
    VersionedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Annual trip plans; lines are written through ``services.plans`` while a plan is a draft."""

    queryset = TripPlan.objects.none()
    filterset_class = TripPlanFilter
    etag_actions = ("retrieve", "partial_update", "plan_move")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return TripPlan.objects.none()
        plans = visible_plans(self.request.user).select_related("unit")
        if self.action != "list":
            plans = plans.prefetch_related("lines__countries")
        return plans.order_by("-year", "unit__path", "kind")

    def get_serializer_class(self):
        if self.action == "list":
            return TripPlanSerializer
        if self.action in ("create", "partial_update"):
            return TripPlanWriteSerializer
        return TripPlanDetailSerializer

    def _detail(self, plan: TripPlan, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related("lines__countries").get(pk=plan.pk)
        return Response(
            TripPlanDetailSerializer(fresh, context=self.get_serializer_context()).data, status=http_status
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        from django.db import transaction

        from meridian.travel.services import plans

        body = TripPlanWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "unit" not in data or "year" not in data:
            raise exceptions.ValidationError({"unit": [_("Give the unit and the year.")]})
        with transaction.atomic():
            plan = plans.plan_create(
                actor=request.user,
                unit=data["unit"],
                year=data["year"],
                kind=data.get("kind") or TripPlan._meta.get_field("kind").default,
                note=data.get("note", ""),
            )
            for line in data.get("lines", []):
                values = dict(line)
                countries = values.pop("countries", None)
                plans.plan_line_add(plan=plan, actor=request.user, countries=countries, **values)
        return self._detail(plan, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        from meridian.travel.services import plans

        plan = self.get_object()
        body = TripPlanWriteSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        version = self.expected_version(body.validated_data.get("version"))
        plan = plans.plan_update(
            plan=plan,
            actor=request.user,
            expected_version=version,
            note=body.validated_data.get("note", plan.note),
        )
        return self._detail(plan)

    @extend_schema(
        summary="Add a line to a draft plan (the plan's version read required: If-Match or version; the "
        "answer's ETag is the plan's new one)",
        request=TripPlanLineWriteSerializer,
        parameters=[LINE_VERSION, IF_MATCH, PLAN_ETAG],
        responses={201: TripPlanLineSerializer, 400: ERROR, 403: ERROR, 404: ERROR, **PRECONDITION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="lines")
    def add_line(self, request: Request, pk: str | None = None) -> Response:
        from meridian.travel.services import plans

        plan = self.get_object()
        body = TripPlanLineWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = self.expected_version(_line_version(request))
        values = dict(body.validated_data)
        countries = values.pop("countries", None)
        line = plans.plan_line_add(
            plan=plan, actor=request.user, expected_version=version, countries=countries, **values
        )
        return self._with_plan_etag(
            plan, Response(TripPlanLineSerializer(line).data, status=status.HTTP_201_CREATED)
        )

    @extend_schema(
        summary="Change or remove a line of a draft plan (the plan's version read required: If-Match or "
        "version; the answer's ETag is the plan's new one)",
        request=TripPlanLineWriteSerializer,
        parameters=[LINE_VERSION, IF_MATCH, PLAN_ETAG],
        responses={
            200: TripPlanLineSerializer,
            204: None,
            400: ERROR,
            403: ERROR,
            404: ERROR,
            **PRECONDITION_RESPONSES,
        },
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"lines/(?P<line_id>[0-9]+)")
    def line(self, request: Request, pk: str | None = None, line_id: str = "") -> Response:
        from django.http import Http404

        from meridian.travel.services import plans

        plan = self.get_object()
        line = TripPlanLine.objects.filter(plan=plan, pk=line_id).first()
        if line is None:
            raise Http404
        version = self.expected_version(_line_version(request))
        if request.method == "DELETE":
            plans.plan_line_delete(line=line, actor=request.user, expected_version=version)
            return self._with_plan_etag(plan, Response(status=status.HTTP_204_NO_CONTENT))
        body = TripPlanLineWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        countries = values.pop("countries", None)
        line = plans.plan_line_update(
            line=line, actor=request.user, expected_version=version, countries=countries, **values
        )
        return self._with_plan_etag(plan, Response(TripPlanLineSerializer(line).data))

    def _with_plan_etag(self, plan: TripPlan, response: Response) -> Response:
        """A line's answer carries the plan's new ETag: a line change moves the plan to a new version."""
        plan.refresh_from_db(fields=["version"])
        response["ETag"] = self.etag_for(plan.pk, plan.version)
        return response

    @extend_schema(
        operation_id="travel_plans_move",
        summary="Submit (the unit), consolidate or reopen (the office) a plan",
        request=None,
        parameters=[
            OpenApiParameter("plan_action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=PLAN_ACTIONS)
        ],
        responses={200: TripPlanDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path=r"(?P<plan_action>submit|consolidate|reopen)")
    def plan_move(self, request: Request, pk: str | None = None, plan_action: str = "") -> Response:
        from meridian.travel.services import plans

        plan = self.get_object()
        if plan_action == "submit":
            plan = plans.plan_submit(plan=plan, actor=request.user)
        elif plan_action == "consolidate":
            plan = plans.plan_consolidate(plan=plan, actor=request.user)
        else:
            plan = plans.plan_reopen(
                plan=plan,
                actor=request.user,
                comment=str(cast(dict[str, Any], request.data).get("comment", "")),
            )
        return self._detail(plan)


# --- passports and permits in custody ------------------------------------------------------------------


class CustodyFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=CustodyState.choices)
    unit = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), method="filter_unit")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=gettext_lazy("Issued and past its due-back date")
    )

    class Meta:
        model = CustodyItem
        fields: list[str] = []

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Q(state=CustodyState.ISSUED, due_back_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


CUSTODY_ACTIONS = ("issue", "return", "send", "cancel", "lose")


@extend_schema_view(
    list=extend_schema(
        summary="Passports and permits in the office's custody (numbers masked; none for leadership)"
    ),
    retrieve=versioned_read(
        summary="One document in custody with its movements (number masked; none for leadership)"
    ),
)
class CustodyItemViewSet(
    VersionedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The passport register: the office sees it all, a unit's coordinators their people's, a holder their
    own, leadership every row without numbers. A read of a (masked) number is logged in the personal-data
    access log like the people pages; rows shown without a number are not."""

    queryset = CustodyItem.objects.none()
    filterset_class = CustodyFilter
    etag_actions = ("retrieve", "custody_move")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return CustodyItem.objects.none()
        if not permissions.can_see_custody_register(self.request.user):
            # Partner contacts and accounts without a role: refused, as on the register page.
            raise exceptions.PermissionDenied(_("You may not see the passport register."))
        items = CustodyItem.objects.visible_to(self.request.user).select_related(
            "holder", "unit", "document", "trip"
        )
        if self.action != "list":
            items = items.prefetch_related(
                Prefetch("movements", queryset=CustodyMovement.objects.select_related("actor", "trip"))
            )
        return items.order_by("holder__family_name", "id")

    def get_serializer_class(self):
        return CustodyItemSerializer if self.action == "list" else CustodyItemDetailSerializer

    def _log(self, items: list[CustodyItem]) -> None:
        """Log the reads of the (masked) numbers the response shows: only of documents whose numbers the
        user may see (``may_see_document_number``, the serializer's rule); nothing for the others."""
        from meridian.people.services import identity_documents_viewed

        user = self.request.user
        shown = [i for i in items if may_see_document_number(user, i)]
        if not shown:
            return
        identity_documents_viewed(
            documents=[i.document for i in shown],
            actor=cast(User, user),  # IsAuthenticated: never AnonymousUser here
            ip=self.request.META.get("REMOTE_ADDR"),
            purpose="Passport register (API)",
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        self._log(rows)
        data = CustodyItemSerializer(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        item = self.get_object()
        self._log([item])
        return Response(CustodyItemDetailSerializer(item, context=self.get_serializer_context()).data)

    @extend_schema(
        operation_id="travel_passports_move",
        summary="Issue (for a trip), take back, send to an authority, cancel or report lost (the office)",
        request=CustodyActionSerializer,
        parameters=[
            OpenApiParameter("custody_action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=CUSTODY_ACTIONS)
        ],
        responses={200: CustodyItemDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path=r"(?P<custody_action>issue|return|send|cancel|lose)")
    def custody_move(self, request: Request, pk: str | None = None, custody_action: str = "") -> Response:
        from meridian.travel.services import custody

        item = self.get_object()
        body = CustodyActionSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        on, note = data.get("on"), data.get("note", "")
        if custody_action == "issue":
            if data.get("trip") is None:
                raise exceptions.ValidationError({"trip": [_("Name the trip the document is issued for.")]})
            custody.custody_issue(item=item, actor=request.user, trip=data["trip"], on=on)
        elif custody_action == "return":
            custody.custody_return(item=item, actor=request.user, on=on, note=note)
        elif custody_action == "send":
            custody.custody_send(item=item, actor=request.user, note=note, on=on)
        elif custody_action == "cancel":
            custody.custody_cancel(item=item, actor=request.user, note=note, on=on)
        else:
            custody.custody_lost(item=item, actor=request.user, note=note, on=on)
        fresh = self.get_queryset().get(pk=item.pk)
        self._log([fresh])
        return Response(CustodyItemDetailSerializer(fresh, context=self.get_serializer_context()).data)
