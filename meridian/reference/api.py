"""REST API of the reference data: countries (read-only) and the registry look-up."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meridian.reference.models import Country
from meridian.reference.selectors import institutions_with_names, registry_lookup
from meridian.reference.serializers import CountrySerializer, InstitutionSerializer

MAX_LIMIT = 50


class CountryFilter(filters.FilterSet):
    region_code = filters.CharFilter()
    subregion_code = filters.CharFilter()
    search = filters.CharFilter(method="filter_search", label="Name or code contains")

    class Meta:
        model = Country
        fields = ["region_code", "subregion_code"]

    def filter_search(self, queryset: QuerySet[Country], name: str, value: str) -> QuerySet[Country]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_en__icontains=value)
            | Q(name_zh__icontains=value)
            | Q(code__iexact=value)
            | Q(alpha3__iexact=value)
        )


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """Countries and territories (ISO 3166-1) with English and Chinese names and UN M49 regions."""

    queryset = Country.objects.order_by("name_en")
    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    lookup_value_regex = "[A-Za-z]{2}"

    def get_object(self) -> Country:
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


class LookupQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200, help_text="Name, acronym, domain, e-mail, ROR ID, Erasmus code or PIC"
    )
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False, default=10)


class RegistryLookupView(APIView):
    """Look up institutions in the registry, best matches first."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description="Name, acronym, website or e-mail domain, ROR ID, Erasmus code or PIC",
            ),
            OpenApiParameter("country", OpenApiTypes.STR, description="ISO 3166-1 alpha-2 code"),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1–{MAX_LIMIT}, default 10"),
        ],
        responses=InstitutionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        params = LookupQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        found = registry_lookup(query=data["q"], limit=data["limit"], country=data.get("country") or None)
        return Response(InstitutionSerializer(institutions_with_names(found), many=True).data)
