"""API representations of countries and registry institutions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meridian.reference.models import Country, Institution
from meridian.reference.selectors import institution_prefill


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = [
            "code",
            "alpha3",
            "numeric",
            "name_en",
            "name_zh",
            "region_code",
            "region_en",
            "region_zh",
            "subregion_code",
            "subregion_en",
            "subregion_zh",
        ]


class InstitutionNameSerializer(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.CharField()
    language = serializers.CharField()


class PrefillSerializer(serializers.Serializer):
    """Partner form values (Partner field names) for this institution."""

    name = serializers.CharField()
    name_en = serializers.CharField()
    country_id = serializers.CharField(allow_null=True)
    country = serializers.CharField(allow_null=True)
    province = serializers.CharField()
    city = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    website = serializers.CharField()
    ror_id = serializers.CharField()
    erasmus_code = serializers.CharField()
    pic = serializers.CharField()
    registry_institution = serializers.IntegerField()


class InstitutionSerializer(serializers.ModelSerializer):
    country_name = serializers.SerializerMethodField()
    names = serializers.SerializerMethodField()
    domains = serializers.SerializerMethodField()
    prefill = serializers.SerializerMethodField()

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "country",
            "country_name",
            "subdivision",
            "city",
            "latitude",
            "longitude",
            "website",
            "ror_id",
            "erasmus_code",
            "pic",
            "oid",
            "types",
            "established",
            "status",
            "sources",
            "names",
            "domains",
            "prefill",
        ]

    def get_country_name(self, obj: Institution) -> str:
        return obj.country.name if obj.country_id else ""

    @extend_schema_field(InstitutionNameSerializer(many=True))
    def get_names(self, obj: Institution) -> list[dict]:
        seen, rows = set(), []
        for name in obj.names.all():
            if (name.kind, name.value, name.language) not in seen:
                seen.add((name.kind, name.value, name.language))
                rows.append({"kind": name.kind, "value": name.value, "language": name.language})
        return rows

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_domains(self, obj: Institution) -> list[str]:
        return sorted({d.domain for d in obj.domains.all()})

    @extend_schema_field(PrefillSerializer)
    def get_prefill(self, obj: Institution) -> dict:
        return institution_prefill(obj)
