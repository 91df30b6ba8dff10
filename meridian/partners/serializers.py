"""API representations of partners. Contacts and internal notes are only given to university staff."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from meridian.accounts.models import OrgUnit
from meridian.core.websites import WebsiteSerializerField
from meridian.partners import permissions
from meridian.partners.choices import PartnerType, RelationshipStatus
from meridian.partners.models import Partner, PartnerContact, PartnerUnit
from meridian.reference.models import Country, Institution


class CountrySummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name_en", "name_zh"]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerContact
        fields = ["id", "name", "position", "email", "phone", "preferred_language", "is_primary"]


# A stored website is blank or an address as ``normalise_website`` gives it: a string, not always a URI.
WEBSITE_HELP = "The website address (https://…), or blank when none is known"


class PartnerUnitSerializer(serializers.ModelSerializer):
    website = serializers.CharField(read_only=True, help_text=WEBSITE_HELP)

    class Meta:
        model = PartnerUnit
        fields = ["id", "name_en", "name_zh", "kind", "website"]


READ_FIELDS = [
    "id", "name", "name_en", "name_zh", "acronym", "kind", "country", "province", "city", "latitude",
    "longitude", "website", "website_domain", "ror_id", "erasmus_code", "pic", "schac_code",
    "other_identifiers", "parent", "status", "cooperating_since", "tags", "is_public", "owner_unit",
    "registry_institution", "version",
    "created_at", "updated_at", "active_agreement_count", "agreement_count", "notes", "contacts", "units",
]  # fmt: skip


class PartnerSerializer(serializers.ModelSerializer):
    """A partner as read through the API (`notes` and `contacts` only for university staff)."""

    country = CountrySummarySerializer(read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)
    units = PartnerUnitSerializer(many=True, read_only=True)
    active_agreement_count = serializers.IntegerField(read_only=True, default=0)
    agreement_count = serializers.IntegerField(read_only=True, default=0)
    website = serializers.CharField(read_only=True, help_text=WEBSITE_HELP)

    class Meta:
        model = Partner
        fields = READ_FIELDS
        read_only_fields = READ_FIELDS

    def to_representation(self, instance: Partner) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not permissions.can_see_internal_notes(request.user):
            data.pop("notes", None)
            data.pop("contacts", None)
        return data


class PartnerWriteSerializer(serializers.Serializer):
    """Input for create and update; the service validates identifiers and refuses duplicates (409)."""

    name = serializers.CharField(max_length=300)
    name_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    name_zh = serializers.CharField(max_length=300, required=False, allow_blank=True)
    acronym = serializers.CharField(max_length=40, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=PartnerType.choices, required=False)
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), help_text="ISO 3166-1 alpha-2"
    )
    province = serializers.CharField(max_length=120, required=False, allow_blank=True)
    city = serializers.CharField(max_length=120, required=False, allow_blank=True)
    latitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True)
    website = WebsiteSerializerField(
        max_length=300, required=False, allow_blank=True, help_text="https:// is added when missing"
    )
    ror_id = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="9 characters or URL"
    )
    erasmus_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    pic = serializers.CharField(max_length=12, required=False, allow_blank=True)
    schac_code = serializers.CharField(max_length=120, required=False, allow_blank=True)
    other_identifiers = serializers.CharField(max_length=300, required=False, allow_blank=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=RelationshipStatus.choices, required=False)
    cooperating_since = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    is_public = serializers.BooleanField(required=False)
    owner_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    registry_institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False, allow_null=True
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The version you read; updating: this or the If-Match header is required (stale: 409).",
    )


class MergeSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(
        help_text="ID of the partner record merged into this one and deleted."
    )
