"""Partners in the REST API: the same selectors, filter, services and permission checks as the staff pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from meridian.core.api_versioning import VersionedViewSetMixin, versioned_read, versioned_update
from meridian.core.errors import PermissionDeniedError
from meridian.partners import permissions, services
from meridian.partners.filters import PartnerFilter, contribute_filters
from meridian.partners.models import Partner, PartnerContact
from meridian.partners.selectors import partner_list
from meridian.partners.serializers import MergeSerializer, PartnerSerializer, PartnerWriteSerializer

ERRORS = {
    400: OpenApiResponse(description="Invalid data: {error: {code, message, details}}"),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="No such partner, or not visible to you"),
}
CONFLICT = OpenApiResponse(description="Duplicate identifier (details give the existing partner's id)")


@extend_schema_view(
    list=extend_schema(summary="List partners", description="Filters as on the partner list page."),
    retrieve=versioned_read(summary="One partner", responses={200: PartnerSerializer, **ERRORS}),
    create=extend_schema(
        summary="Create a partner",
        request=PartnerWriteSerializer,
        responses={201: PartnerSerializer, 409: CONFLICT, **ERRORS},
    ),
    update=versioned_update(
        summary="Replace a partner's fields (the version read required: If-Match or version)",
        request=PartnerWriteSerializer,
        responses={200: PartnerSerializer, **ERRORS},
    ),
    partial_update=versioned_update(
        summary="Change some fields of a partner (the version read required: If-Match or version)",
        request=PartnerWriteSerializer,
        responses={200: PartnerSerializer, **ERRORS},
    ),
)
class PartnerViewSet(
    VersionedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PartnerSerializer
    queryset = Partner.objects.none()  # replaced per request by the visible partners
    etag_actions = ("retrieve", "update", "partial_update", "merge")

    @property
    def filterset_class(self) -> type[PartnerFilter]:
        # With the filters other contexts contribute, also for the schema (generated without a request).
        return contribute_filters(PartnerFilter)  # type: ignore[return-value]

    def get_queryset(self) -> QuerySet[Partner]:
        queryset = partner_list(user=self.request.user).prefetch_related("tags", "units")
        if permissions.can_see_internal_notes(self.request.user):
            queryset = queryset.prefetch_related(Prefetch("contacts", queryset=PartnerContact.objects.all()))
        return queryset

    def _read(self, partner: Partner, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=partner.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not permissions.can_create_partner(request.user):
            raise PermissionDeniedError(_("You may not create partners."))
        data = self._valid(request, partial=False)
        data.pop("version", None)
        partner = services.partner_create(actor=request.user, tags=data.pop("tags", None), **data)
        return self._read(partner, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partner = self.get_object()
        if not permissions.can_edit_partner(request.user, partner):
            raise PermissionDeniedError(_("You may not change this partner."))
        data = self._valid(request, partial=kwargs.get("partial", False))
        version = self.expected_version(data.pop("version", None))
        updated = services.partner_update(
            partner=partner,
            actor=request.user,
            expected_version=version,
            tags=data.pop("tags", None),
            **data,
        )
        return self._read(updated)

    def _valid(self, request: Request, *, partial: bool) -> dict[str, Any]:
        serializer = PartnerWriteSerializer(data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        summary="Merge a duplicate into this partner",
        description="Moves every link of the duplicate to this partner, then deletes the duplicate.",
        request=MergeSerializer,
        responses={200: PartnerSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        survivor = self.get_object()
        if not permissions.can_merge_partners(request.user):
            raise PermissionDeniedError(
                _("Only administrators and International Office officers merge partners.")
            )
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        duplicate = get_object_or_404(
            Partner.objects.visible_to(request.user).exclude(pk=survivor.pk),
            pk=serializer.validated_data["duplicate"],
        )
        merged = services.partner_merge(survivor=survivor, duplicate=duplicate, actor=request.user)
        return self._read(merged)
