"""REST API of the reference data: countries (read-only), the registry look-up and the affiliation matcher."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meridian.reference.affiliation import MAX_AFFILIATION, AffiliationCandidate, match_affiliation
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


MAX_MATCH_LIMIT = 20


class AffiliationQuerySerializer(serializers.Serializer):
    affiliation = serializers.CharField(max_length=MAX_AFFILIATION, trim_whitespace=True)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_MATCH_LIMIT, required=False, default=5)


class AffiliationCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="institution.pk", help_text="Registry institution id")
    ror_id = serializers.CharField(source="institution.ror_id", allow_null=True)
    name = serializers.CharField(source="institution.name")
    country = serializers.CharField(source="institution.country_id", allow_null=True)
    score = serializers.FloatField(help_text="0–1")
    chosen = serializers.BooleanField(help_text="The one confident match, if any")
    matched = serializers.CharField(help_text="The substring of the affiliation that matched")
    matched_name = serializers.CharField(help_text="The registry name, alias, label or acronym it matched")


class AffiliationMatchSerializer(serializers.Serializer):
    affiliation = serializers.CharField(help_text="The affiliation as read (HTML entities decoded)")
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code of the country named in it, or empty")
    chosen = AffiliationCandidateSerializer(allow_null=True)
    candidates = AffiliationCandidateSerializer(many=True)


class AffiliationMatchView(APIView):
    """Match a free-text affiliation to registry institutions: ranked candidates and at most one choice."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "affiliation",
                OpenApiTypes.STR,
                required=True,
                description=(
                    f"Affiliation as written, up to {MAX_AFFILIATION} characters, e.g. "
                    "“Dept. of Physics, University of Oxford, UK”"
                ),
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1–{MAX_MATCH_LIMIT}, default 5"),
        ],
        responses=AffiliationMatchSerializer,
    )
    def get(self, request: Request) -> Response:
        params = AffiliationQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        result = match_affiliation(affiliation=data["affiliation"], limit=data["limit"])
        chosen: AffiliationCandidate | None = result.chosen
        return Response(
            AffiliationMatchSerializer(
                {
                    "affiliation": result.affiliation,
                    "country": result.country,
                    "chosen": chosen,
                    "candidates": result.candidates,
                }
            ).data
        )
