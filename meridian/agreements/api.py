"""REST API for agreements: the same filter, services and permission checks as the pages.

Built on the workflow engine's case API: every representation carries `state`, `state_label`, `url` (the
agreement's page) and `case_type`; `GET …/moves/` lists the moves with the reasons unavailable ones are,
`POST …/moves/<move>/` takes one, `GET …/history/` gives every move and approval step, `GET …/documents/` the
documents. Moves go through the agreement services, as on the pages.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from meridian.agreements import permissions, selectors, services
from meridian.agreements.filters import AgreementFilter
from meridian.agreements.models import Agreement
from meridian.agreements.serializers import (
    AgreementDetailSerializer,
    AgreementListSerializer,
    AgreementMoveRequestSerializer,
    AgreementWriteSerializer,
    DocumentSerializer,
    RenewRequestSerializer,
    TransitionRequestSerializer,
)
from meridian.core.api_versioning import VersionedViewSetMixin, versioned_read, versioned_update
from meridian.workflow.api import CaseViewSetMixin

ERROR = OpenApiResponse(description='`{"error": {"code", "message", "details"}}`')


def _write_kwargs(data: dict) -> dict:
    fields = dict(data)
    fields.pop("version", None)
    for name in ("partners", "channels", "signatories"):
        fields.pop(name, None)
    if "number" in fields:
        fields["number"] = (fields["number"] or "").strip()
    return fields


@extend_schema_view(
    list=extend_schema(summary="List agreements (same filters as the agreement list page)"),
    retrieve=versioned_read(summary="One agreement with parties, signatories, documents and its lifecycle"),
    create=extend_schema(
        summary="Create a draft agreement",
        request=AgreementWriteSerializer,
        responses={201: AgreementDetailSerializer, 400: ERROR, 403: ERROR},
    ),
    update=versioned_update(
        summary="Replace an agreement's data (the version read required: If-Match or version)",
        request=AgreementWriteSerializer,
        responses={200: AgreementDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
    partial_update=versioned_update(
        summary="Change some of an agreement's data (the version read required: If-Match or version)",
        request=AgreementWriteSerializer,
        responses={200: AgreementDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class AgreementViewSet(
    VersionedViewSetMixin,
    CaseViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    case_type_code = "agreement"
    etag_actions = ("retrieve", "update", "partial_update", "move", "transition")
    filterset_class = AgreementFilter
    queryset = Agreement.objects.none()  # replaced per request by get_queryset; kept for schema generation

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        queryset = selectors.agreement_list(user=self.request.user)
        if self.action != "list":
            queryset = queryset.prefetch_related(
                "signatories", "documents", "transitions__actor", "transitions__on_behalf_of"
            )
        return queryset

    def filter_queryset(self, queryset):
        # AgreementFilter, shared with the list page and the exports, covers state, unit, partner and dates;
        # the engine's generic list filters would apply the same parameters a second time.
        return viewsets.GenericViewSet.filter_queryset(self, queryset)

    def get_serializer_class(self):
        if self.action == "list":
            return AgreementListSerializer
        if self.action in ("create", "update", "partial_update"):
            return AgreementWriteSerializer
        return AgreementDetailSerializer

    def _detail(self, agreement: Agreement, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = (
            selectors.agreement_list(user=self.request.user)
            .prefetch_related("signatories", "documents", "transitions__actor", "transitions__on_behalf_of")
            .get(pk=agreement.pk)
        )
        return Response(
            AgreementDetailSerializer(fresh, context=self.get_serializer_context()).data, status=http_status
        )

    def detail_response(self, case, http_status: int = status.HTTP_200_OK) -> Response:
        return self._detail(case, http_status)

    def history_visible(self, request: Request, case) -> bool:
        """The internal review (moves, steps, reviewers' comments) is for the university's own people only."""
        return permissions.can_read_review(request.user)

    def case_documents(self, case, request: Request) -> list[dict]:
        """The agreement's uploaded versions (drafts, signed copies, annexes) and files attached to moves."""
        uploaded = DocumentSerializer(case.documents.all(), many=True, context={"request": request}).data
        return [*uploaded, *super().case_documents(case, request)]

    @extend_schema(
        summary="Take a lifecycle move: submit, return, approve, activate, expire, terminate or renew",
        request=AgreementMoveRequestSerializer,
        responses={200: AgreementDetailSerializer, 201: AgreementDetailSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"], url_path=r"moves/(?P<move>[a-z_]+)")
    def move(self, request: Request, pk: str | None = None, move: str = "") -> Response:  # type: ignore[override]
        agreement = self.get_object()
        body = AgreementMoveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data["data"]
        if move == "renew":
            successor = services.agreement_renew(
                agreement=agreement,
                actor=request.user,
                comment=body.validated_data["comment"],
                start_date=data.get("start_date"),
                end_date=data.get("end_date"),
            )
            return self._detail(successor, status.HTTP_201_CREATED)
        moved = services.agreement_transition(
            agreement=agreement,
            actor=request.user,
            action=move,
            comment=body.validated_data["comment"],
            start_date=data.get("start_date"),
            on_behalf_of=body.validated_data["on_behalf_of"],
        )
        return self._detail(moved)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = AgreementWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agreement = services.agreement_create(
            actor=request.user,
            partners=list(data["partners"]),
            channels=data.get("channels", []),
            signatories=[dict(s) for s in data.get("signatories", [])],
            **_write_kwargs(data),
        )
        return self._detail(agreement, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        agreement = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = AgreementWriteSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = self.expected_version(data.get("version"))
        agreement = services.agreement_update(
            agreement=agreement,
            actor=request.user,
            expected_version=version,
            partners=list(data["partners"]) if "partners" in data else None,
            channels=data.get("channels"),
            signatories=[dict(s) for s in data["signatories"]] if "signatories" in data else None,
            **_write_kwargs(data),
        )
        return self._detail(agreement)

    @extend_schema(
        summary="Move an agreement along its lifecycle",
        request=TransitionRequestSerializer,
        responses={200: AgreementDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        agreement = self.get_object()
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = services.agreement_transition(
            agreement=agreement,
            actor=request.user,
            action=serializer.validated_data["action"],
            comment=serializer.validated_data["comment"],
            start_date=serializer.validated_data.get("start_date"),
        )
        return self._detail(agreement)

    @extend_schema(
        summary="Renew: create the successor (a draft) and mark this agreement renewed",
        request=RenewRequestSerializer,
        responses={201: AgreementDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str | None = None) -> Response:
        agreement = self.get_object()
        serializer = RenewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        successor = services.agreement_renew(
            agreement=agreement, actor=request.user, **serializer.validated_data
        )
        return self._detail(successor, status.HTTP_201_CREATED)
