"""REST API of student exchange under ``/api/v1/mobility/``: cooperation conditions (read and write), calls
with their destinations, applications, mobilities, learning agreements and the exchange balance.

The same visibility as the pages (every queryset through ``visible_to(user)``: a student sees their own
applications and mobilities, a partner contact their organisation's mobilities and conditions), the same
filters (``filters_conditions.ConditionFilter``, ``filters_calls.CallFilter``,
``filters_mobilities.MobilityFilter``, ``filters_balance.BalanceFilter``) and the same services: conditions
are written through ``services.conditions`` (same checks, same messages), moves through the workflow engine
as declared in ``casework.py`` (``GET …/moves/`` lists them with the reasons unavailable ones are,
``POST …/moves/<move>/`` takes one). An object someone may not see answers 404; refusals, invalid filters
and invalid data answer the shared error shape ``{"error": {"code", "message", "details"}}``. The internal
history of a case (``…/history/``, files of moves) is for the university's staff only.
"""

from __future__ import annotations

import importlib
from functools import partial
from types import ModuleType
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from meridian.accounts.permissions import is_internal
from meridian.core.api_versioning import VersionedViewSetMixin, versioned_read, versioned_update
from meridian.core.errors import PermissionDeniedError
from meridian.mobility import permissions
from meridian.mobility.filters_balance import BalanceFilter
from meridian.mobility.models import (
    Application,
    ApplicationPreference,
    Call,
    CallDestination,
    CooperationCondition,
    LearningAgreement,
    Mobility,
)
from meridian.mobility.selectors.balance import LEANING_CHOICES, exchange_balance
from meridian.mobility.serializers import (
    ApplicationSerializer,
    BalanceSerializer,
    CallSerializer,
    ConditionSerializer,
    ConditionWriteSerializer,
    LearningAgreementSerializer,
    MobilitySerializer,
)
from meridian.workflow.api import CaseViewSetMixin, LogFileSerializer, MoveRequestSerializer

ERROR = OpenApiResponse(description='`{"error": {"code", "message", "details"}}`')
LIST_ERRORS = {400: ERROR, 401: ERROR, 403: ERROR}


class NotInstalled(exceptions.APIException):
    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_detail = gettext_lazy("This part of student exchange is not installed.")
    default_code = "not_installed"


def _optional(module: str, name: str = "") -> Any:
    """A module (or one of its names) of another area of student exchange, or None while it is missing."""
    try:
        found = importlib.import_module(f"meridian.mobility.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"meridian.mobility.{module}":
            raise
        return None
    return getattr(found, name, None) if name else found


def _conditions_service() -> ModuleType:
    service = _optional("services.conditions")
    if service is None:
        raise NotInstalled()
    return service


class StaffHistoryMixin:
    """The internal history of a case (moves, approval steps, their comments and files) is for the
    university's staff; students and partner contacts read the case itself."""

    def history_visible(self, request: Request, case) -> bool:
        return is_internal(request.user)


# --- cooperation conditions ---------------------------------------------------------------------------------


def _write_data(request: Request) -> dict[str, Any]:
    """The body as the services take it: one value per field (lists stay lists), language requirements as
    ``(language, level)`` pairs."""
    if isinstance(request.data, QueryDict):
        data: dict[str, Any] = {
            key: values if len(values) > 1 else values[0] for key, values in request.data.lists()
        }
    elif isinstance(request.data, dict):
        data = dict(request.data)
    else:
        raise exceptions.ValidationError({"non_field_errors": [_("Send the fields as a JSON object.")]})
    languages = data.get("languages")
    if isinstance(languages, list):
        data["languages"] = [
            (item.get("language"), item.get("cefr_level")) if isinstance(item, dict) else item
            for item in languages
        ]
    return data


def _may_write_conditions(user) -> None:
    """Before reading the data: only the office and schools' coordinators change conditions at all."""
    if not (permissions.is_office(user) or (is_internal(user) and permissions.acted_unit_ids(user))):
        raise PermissionDeniedError(_("You may not change cooperation conditions."))


def _condition_queryset(user) -> QuerySet:
    return (
        CooperationCondition.objects.visible_to(user)
        .select_related("agreement", "partner")
        .prefetch_related("subject_areas", "languages")
        .order_by("agreement_id", "direction", "mobility_type", "academic_year", "id")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Cooperation conditions (places) you may see (the places page's filters)",
        responses={200: ConditionSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=versioned_read(
        summary="One cooperation condition", responses={200: ConditionSerializer, 404: ERROR}
    ),
    create=extend_schema(
        summary="Add a cooperation condition to an agreement (the office; the agreement's coordinators)",
        request=ConditionWriteSerializer,
        responses={201: ConditionSerializer, 400: ERROR, 403: ERROR},
    ),
    update=versioned_update(
        summary="Change a cooperation condition (the version read required: If-Match or version; fields "
        "left out keep their value)",
        request=ConditionWriteSerializer,
        responses={200: ConditionSerializer, 204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
    partial_update=versioned_update(
        summary="Change some of a cooperation condition's fields (the version read required: If-Match or "
        "version)",
        request=ConditionWriteSerializer,
        responses={200: ConditionSerializer, 204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
    destroy=extend_schema(
        summary="Delete a cooperation condition no call or mobility uses",
        responses={204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class ConditionViewSet(
    VersionedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Cooperation conditions of exchange agreements: the office and leadership read all, schools those of
    the agreements they may see, a partner contact their own organisation's (without internal notes)."""

    queryset = CooperationCondition.objects.none()
    serializer_class = ConditionSerializer
    filterset_class = _optional("filters_conditions", "ConditionFilter")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return CooperationCondition.objects.none()
        return _condition_queryset(self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ConditionWriteSerializer
        return ConditionSerializer

    def _answer(self, condition: CooperationCondition, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = _condition_queryset(self.request.user).filter(pk=condition.pk).first()
        if fresh is None:  # the change took it out of the caller's sight (another partner)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(
            ConditionSerializer(fresh, context=self.get_serializer_context()).data, status=http_status
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from meridian.agreements.models import Agreement

        service = _conditions_service()
        _may_write_conditions(request.user)
        data = _write_data(request)
        data.pop("version", None)
        agreement_id = data.pop("agreement", None)
        agreement = None
        if agreement_id not in (None, "") and str(agreement_id).isdigit():
            agreement = Agreement.objects.visible_to(request.user).filter(pk=int(agreement_id)).first()
        if agreement is None:
            raise exceptions.ValidationError({"agreement": [_("Choose an agreement you may see.")]})
        condition = service.condition_create(agreement=agreement, actor=request.user, **data)
        return self._answer(condition, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = _conditions_service()
        _may_write_conditions(request.user)
        condition = self.get_object()
        data = _write_data(request)
        version = self.expected_version(data.pop("version", None))
        if "agreement" in data and str(data.pop("agreement")) != str(condition.agreement_id):
            raise exceptions.ValidationError(
                {
                    "agreement": [
                        _("A condition stays on its agreement: add a new one to the other agreement.")
                    ]
                }
            )
        condition = service.condition_update(
            condition=condition, actor=request.user, expected_version=version, **data
        )
        return self._answer(condition)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = _conditions_service()
        _may_write_conditions(request.user)
        service.condition_delete(condition=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- calls --------------------------------------------------------------------------------------------------

CASE_LIST_PARAMETERS = [
    OpenApiParameter("state", OpenApiTypes.STR, description="States, comma-separated."),
    OpenApiParameter("unit", OpenApiTypes.STR, description="A unit's id or code, with its subunits."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Created on or after (ISO date)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Created on or before (ISO date)."),
]


@extend_schema_view(
    list=extend_schema(
        summary="Calls you may see (staff: as on the call list, with its filters; others: calls opened)",
        responses={200: CallSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=versioned_read(
        summary="One call with its destinations", responses={200: CallSerializer, 404: ERROR}
    ),
)
class CallViewSet(
    VersionedViewSetMixin,
    StaffHistoryMixin,
    CaseViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Calls for outgoing exchange. Moves (open, close, allocate, publish, finish, cancel) as declared in
    ``casework.py``, for the office and the coordinators of the unit running the call."""

    case_type_code = "exchange_call"
    queryset = Call.objects.none()
    serializer_class = CallSerializer
    filterset_class = _optional("filters_calls", "CallFilter")

    def base_queryset(self) -> QuerySet:
        return (
            Call.objects.select_related("unit")
            .prefetch_related(
                Prefetch(
                    "destinations", queryset=CallDestination.objects.select_related("partner").order_by("id")
                )
            )
            .order_by("-academic_year", "-opens_at", "-id")
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.filterset_class is None:  # the call list's filter not installed: the engine's filters
            return super().filter_queryset(queryset)
        # The call list's filter covers state, unit and year; the engine's would apply some a second time.
        return viewsets.GenericViewSet.filter_queryset(self, queryset)


# --- applications -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Applications you may see (the office and leadership all, schools theirs, committee members "
        "their calls' without conflicts; a student their own)",
        parameters=CASE_LIST_PARAMETERS,
        responses={200: ApplicationSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=versioned_read(
        summary="One application with its preferences", responses={200: ApplicationSerializer, 404: ERROR}
    ),
)
class ApplicationViewSet(
    VersionedViewSetMixin,
    StaffHistoryMixin,
    CaseViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Students' applications to calls. Moves as declared in ``casework.py``: the student submits, accepts or
    declines an offer and withdraws; the school returns, pre-approves or finds not eligible."""

    case_type_code = "exchange_application"
    queryset = Application.objects.none()
    serializer_class = ApplicationSerializer

    def base_queryset(self) -> QuerySet:
        preferences = ApplicationPreference.objects.select_related("destination__partner").order_by("rank")
        return (
            Application.objects.select_related("call", "person", "unit")
            .prefetch_related(Prefetch("preferences", queryset=preferences))
            .order_by("-created_at", "-id")
        )


# --- mobilities ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Mobilities you may see, both directions (the mobility list's filters)",
        responses={200: MobilitySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=versioned_read(summary="One mobility", responses={200: MobilitySerializer, 404: ERROR}),
)
class MobilityViewSet(
    VersionedViewSetMixin,
    StaffHistoryMixin,
    CaseViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Mobilities: the office and leadership see all, schools theirs, a student their own, a partner contact
    their organisation's. Moves as declared in ``casework.py`` (the partner accepts, rejects or asks for
    documents; our side invites, accepts incoming students, records departure, arrival and end)."""

    case_type_code = "mobility"
    queryset = Mobility.objects.none()
    serializer_class = MobilitySerializer
    filterset_class = _optional("filters_mobilities", "MobilityFilter")

    def base_queryset(self) -> QuerySet:
        return Mobility.objects.select_related("partner", "person", "home_unit", "agreement").order_by(
            "-academic_year", "-created_at", "-id"
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.filterset_class is None:
            return super().filter_queryset(queryset)
        # The mobility list's filter covers state, partner, school and year.
        return viewsets.GenericViewSet.filter_queryset(self, queryset)

    @extend_schema(
        summary="Take a move: request_documents, documents_sent, invite, complete_application, accept, "
        "reject, start, end, complete or cancel (comment; the move's inputs in data)",
        request=MoveRequestSerializer,
        responses={200: MobilitySerializer, 204: None, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path=r"moves/(?P<move>[a-z_]+)")
    # drf-stubs type an @action as a ViewSetAction that cannot be overridden (djangorestframework-stubs#728)
    def move(self, request: Request, pk: str | None = None, move: str = "") -> Response:  # type: ignore[override]
        mobility = self.get_object()
        body = MoveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["on_behalf_of"]:
            raise exceptions.ValidationError(
                {"on_behalf_of": [_("Moves of mobilities are taken in one's own name.")]}
            )
        mobility_move = _optional("services.mobilities", "mobility_move")
        if mobility_move is None:  # the mobilities area not installed: the engine's move alone
            from meridian.workflow.services import case_move

            mobility_move = partial(case_move, case=mobility)
        else:
            mobility_move = partial(mobility_move, mobility=mobility)
        mobility = mobility_move(
            actor=request.user,
            move=move,
            comment=body.validated_data["comment"],
            data=body.validated_data["data"],
        )
        return self.detail_response(mobility)

    def detail_response(self, case, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=case.pk).first()
        if fresh is None:  # a move can take the mobility out of the caller's sight
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(fresh).data, status=http_status)

    def case_documents(self, case, request: Request) -> list[dict]:
        """The mobility's files the caller may download, and (staff) the files attached to its moves."""
        from django.urls import NoReverseMatch, reverse

        may_download = _optional("selectors.mobilities", "can_download_file")
        own = []
        for f in case.files.all():
            if may_download is None or not may_download(request.user, case, f.kind):
                continue
            try:
                url = request.build_absolute_uri(reverse("mobility:mobility_file", args=[case.pk, f.pk]))
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

    @extend_schema(
        summary="The mobility's documents, with download links", responses=LogFileSerializer(many=True)
    )
    @action(detail=True, methods=["get"], url_path="documents", pagination_class=None, filter_backends=[])
    def documents(self, request: Request, pk: str | None = None) -> Response:  # type: ignore[override]
        return super().documents(request, pk)  # type: ignore[arg-type]


# --- learning agreements ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Learning agreements of the mobilities you may see",
        parameters=CASE_LIST_PARAMETERS,
        responses={200: LearningAgreementSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=versioned_read(
        summary="One learning agreement with its courses",
        responses={200: LearningAgreementSerializer, 404: ERROR},
    ),
)
class LearningAgreementViewSet(
    VersionedViewSetMixin,
    StaffHistoryMixin,
    CaseViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Learning agreements (every version) of the mobilities the caller may see. Moves as declared in
    ``casework.py`` (the student signs and sends; a coordinator rejects; revise)."""

    case_type_code = "learning_agreement"
    queryset = LearningAgreement.objects.none()
    serializer_class = LearningAgreementSerializer

    def base_queryset(self) -> QuerySet:
        return (
            LearningAgreement.objects.select_related("mobility")
            .prefetch_related("courses")
            .order_by("-created_at", "-id")
        )


# --- the exchange balance -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="The exchange balance per partner and academic year, with its agreements' rows and alerts "
        "(the office, leadership and schools' coordinators)",
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.INT, description="Academic year (2026 = 2026/2027); empty: every year."
            ),
            OpenApiParameter("partner", OpenApiTypes.INT, description="One partner."),
            OpenApiParameter(
                "direction",
                OpenApiTypes.STR,
                enum=[value for value, _label in LEANING_CHOICES],
                description="Which side sends more: outgoing (we), incoming (the partner) or even.",
            ),
            OpenApiParameter("alerts", OpenApiTypes.BOOL, description="Only partner-years with an alert."),
        ],
        responses={200: BalanceSerializer, **LIST_ERRORS},
    ),
)
class BalanceViewSet(viewsets.ViewSet):
    """The exchange balance (``selectors.balance``), of the conditions and mobilities the caller may see."""

    def list(self, request: Request) -> Response:
        from django.conf import settings

        if not permissions.can_see_balance(request.user):
            raise PermissionDeniedError(
                _("The exchange balance is for the office, leadership and schools' coordinators.")
            )
        balance_filter = BalanceFilter(request.query_params, request=request)
        if not balance_filter.is_valid():
            raise exceptions.ValidationError(balance_filter.form.errors)
        balance = exchange_balance(user=request.user, **balance_filter.balance_kwargs())
        data = {
            "years": balance.years,
            "gap": settings.MOBILITY_BALANCE_GAP,
            "ratio": settings.MOBILITY_BALANCE_RATIO,
            "alert_count": balance.alert_count,
            "groups": balance.groups,
        }
        return Response(BalanceSerializer(data, context={"request": request}).data)


def register(router) -> None:
    """Add the student-exchange endpoints to ``router`` (``api_urls.py``)."""
    router.register("conditions", ConditionViewSet, basename="mobility-condition")
    router.register("calls", CallViewSet, basename="mobility-call")
    router.register("applications", ApplicationViewSet, basename="mobility-application")
    router.register("mobilities", MobilityViewSet, basename="mobility-mobility")
    router.register("learning-agreements", LearningAgreementViewSet, basename="mobility-learning-agreement")
    router.register("balance", BalanceViewSet, basename="mobility-balance")
