"""API representations of agreements; writes are handed to the services."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meridian.accounts.models import OrgUnit, User
from meridian.accounts.selectors import eligible_staff
from meridian.agreements import permissions
from meridian.agreements.choices import Channel
from meridian.agreements.models import Agreement, AgreementDocument, Signatory
from meridian.core.api import NullableStringRelatedField
from meridian.partners.models import Partner
from meridian.workflow.api import CASE_FIELDS, CaseSerializerMixin
from meridian.workflow.models import TransitionLog


class PartyPartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="partner.id")
    name = serializers.CharField(source="partner.display_name")
    country = serializers.CharField(source="partner.country_id")


class AgreementListSerializer(CaseSerializerMixin, serializers.ModelSerializer):
    """An agreement in lists; `state`, `state_label`, `url` (its page) and `case_type` come from the
    workflow engine."""

    partners = serializers.SerializerMethodField()
    channels = serializers.SerializerMethodField()
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True)
    expiring_soon = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "title_en",
            "title_zh",
            "kind",
            "partners",
            "channels",
            "responsible_unit",
            "responsible_unit_name",
            "start_date",
            "end_date",
            "auto_renew",
            "expiring_soon",
            "version",
            *CASE_FIELDS,
        ]

    @extend_schema_field(PartyPartnerSerializer(many=True))
    def get_partners(self, obj: Agreement) -> list[dict]:
        return PartyPartnerSerializer(obj.parties.all(), many=True).data

    def get_channels(self, obj: Agreement) -> list[str]:
        return [c.channel for c in obj.channels.all()]

    def get_expiring_soon(self, obj: Agreement) -> bool:
        return obj.is_expiring_soon()


class SignatorySerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Signatory
        fields = ["side", "partner", "name", "title", "signed_on"]


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AgreementDocument
        fields = [
            "id",
            "kind",
            "version",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, obj: AgreementDocument) -> str:
        url = reverse("agreements:document_download", args=[obj.agreement_id, obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class TransitionSerializer(serializers.ModelSerializer):
    """A lifecycle move or approval-step action from the workflow engine's log."""

    actor: NullableStringRelatedField = NullableStringRelatedField()
    on_behalf_of: NullableStringRelatedField = NullableStringRelatedField()

    class Meta:
        model = TransitionLog
        fields = [
            "action",
            "from_state",
            "to_state",
            "actor",
            "on_behalf_of",
            "at",
            "comment",
            "field_comments",
        ]


class AgreementDetailSerializer(AgreementListSerializer):
    signatories = SignatorySerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(AgreementListSerializer.Meta):
        fields = [
            *AgreementListSerializer.Meta.fields,
            "home_coordinator",
            "renewal_notice_days",
            "languages",
            "umbrella",
            "renews",
            "description",
            "state_changed_at",
            "signatories",
            "documents",
            "transitions",
            "allowed_actions",
        ]

    def to_representation(self, instance: Agreement) -> dict:
        data = super().to_representation(instance)
        if not permissions.can_read_review(self.context["request"].user):
            data.pop("transitions", None)  # the internal review is not a partner's business
        return data

    def get_allowed_actions(self, obj: Agreement) -> list[str]:
        from meridian.agreements.selectors import allowed_actions

        return allowed_actions(user=self.context["request"].user, agreement=obj)


class AgreementWriteSerializer(serializers.Serializer):
    number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    title_en = serializers.CharField(max_length=300)
    title_zh = serializers.CharField(required=False, allow_blank=True, max_length=300)
    kind = serializers.ChoiceField(choices=Agreement._meta.get_field("kind").choices)
    partners = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.none(), many=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), required=False)
    responsible_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    # Staff only (never students or partner contacts), as on the form; see accounts.selectors.eligible_staff.
    home_coordinator = serializers.PrimaryKeyRelatedField(
        queryset=eligible_staff(), required=False, allow_null=True
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    auto_renew = serializers.BooleanField(required=False)
    renewal_notice_days = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    languages = serializers.CharField(required=False, allow_blank=True, max_length=60)
    umbrella = serializers.PrimaryKeyRelatedField(
        queryset=Agreement.objects.none(), required=False, allow_null=True
    )
    description = serializers.CharField(required=False, allow_blank=True)
    signatories = SignatorySerializer(many=True, required=False)
    version = serializers.IntegerField(
        required=False,
        help_text="The version you read; updating: this or the If-Match header is required (stale: 409).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.fields["partners"].child_relation.queryset = Partner.objects.visible_to(user)
        self.fields["umbrella"].queryset = Agreement.objects.visible_to(user)


class TransitionRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[a for a in permissions.TRANSITIONS if a != "renew"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True, help_text="activate only")


class MoveDataSerializer(serializers.Serializer):
    """What a move may carry: the activation's start date, or the successor's dates of a renewal."""

    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)


class AgreementMoveRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    data = MoveDataSerializer(required=False, default=dict)  # type: ignore[assignment]
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )


class RenewRequestSerializer(serializers.Serializer):
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
