"""API representations of official trips, trip plans and the passport register; writes go to the services.

Money is in the budget line's ``currency`` (CNY unless stated); dates are ISO dates; a trip's ``days`` count
the departure and the arrival day. Document numbers are never shown in full: ``document_number`` is masked,
and null for those who may not see the holder's identity documents (leadership, for one).
"""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meridian.accounts.models import OrgUnit, User
from meridian.agreements.models import Agreement
from meridian.core.api import NullableStringRelatedField
from meridian.partners.models import Partner
from meridian.people.models import Person
from meridian.reference.models import Country, Institution
from meridian.travel.choices import (
    BudgetKind,
    CustodyState,
    DelegationKind,
    FundingSource,
    MemberRole,
    Purpose,
    RegionKind,
)
from meridian.travel.models import (
    BudgetLine,
    CustodyItem,
    CustodyMovement,
    ItineraryItem,
    Trip,
    TripMember,
    TripPlan,
    TripPlanLine,
)
from meridian.workflow.api import CASE_FIELDS, CaseSerializerMixin

# --- trips: reading ------------------------------------------------------------------------------------


class TripMemberSerializer(serializers.ModelSerializer):
    """A member of the delegation: the person record, their role (leader, member, interpreter) and post."""

    name = serializers.CharField(source="person.display_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="")

    class Meta:
        model = TripMember
        fields = ["id", "person", "name", "role", "post", "is_unit_leader", "unit", "unit_name"]


class ItineraryItemSerializer(serializers.ModelSerializer):
    """One day (or leg) of the itinerary; ``country`` is the ISO code."""

    country_name = serializers.CharField(source="country.name_en", read_only=True)

    class Meta:
        model = ItineraryItem
        fields = ["id", "day", "country", "country_name", "city", "is_transit", "activity"]


class BudgetLineSerializer(serializers.ModelSerializer):
    """A budget line: ``amount`` in ``currency`` for ``persons`` × ``days`` (nights for accommodation)."""

    class Meta:
        model = BudgetLine
        fields = ["id", "kind", "amount", "currency", "country", "persons", "days", "note"]


class TripListSerializer(CaseSerializerMixin, serializers.ModelSerializer):
    """A trip in lists; ``state``, ``state_label``, ``url`` (its page) and ``case_type`` come from the
    workflow engine."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    applicant_name: serializers.StringRelatedField[User] = serializers.StringRelatedField(source="applicant")
    days = serializers.IntegerField(read_only=True, help_text="Days away, departure and arrival day counted.")
    inviter = serializers.SerializerMethodField()

    class Meta:
        model = Trip
        fields = [
            "id",
            "number",
            "title",
            "unit",
            "unit_name",
            "applicant",
            "applicant_name",
            "region",
            "delegation_kind",
            "purpose",
            "depart_on",
            "return_on",
            "days",
            "inviter",
            "funding_source",
            "version",
            *CASE_FIELDS,
        ]

    def get_url(self, case) -> str:
        from django.urls import NoReverseMatch

        try:
            return super().get_url(case)
        except NoReverseMatch:  # the trip pages are not installed
            return ""

    def get_inviter(self, trip: Trip) -> str:
        """The inviting organisation as in the forms: the partner, the registry entry or the typed name."""
        if trip.inviter_partner is not None:
            return trip.inviter_partner.display_name
        if trip.inviter_institution_id:
            return str(trip.inviter_institution)
        return trip.inviter_name


class RuleSourceSerializer(serializers.Serializer):
    document = serializers.CharField(required=False, allow_blank=True)
    article = serializers.CharField(required=False, allow_blank=True)
    url = serializers.CharField(required=False, allow_blank=True)


class RuleResultSerializer(serializers.Serializer):
    """One rule's result: ``severity`` block|justify|warn, ``outcome`` pass|fail|not_applicable."""

    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field called "label"
    severity = serializers.CharField()
    outcome = serializers.CharField()
    message = serializers.CharField(required=False, allow_blank=True)
    source = RuleSourceSerializer(required=False)  # type: ignore[assignment]
    justification = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class TripDetailSerializer(TripListSerializer):
    """A trip with its delegation, itinerary, budget, links and the last rule check."""

    members = TripMemberSerializer(many=True, read_only=True)
    itinerary = ItineraryItemSerializer(many=True, read_only=True)
    budget = BudgetLineSerializer(source="budget_lines", many=True, read_only=True)
    rule_results = serializers.SerializerMethodField()

    class Meta(TripListSerializer.Meta):
        fields = [
            *TripListSerializer.Meta.fields,
            "task",
            "paper_title",
            "conference_name",
            "inviter_partner",
            "inviter_institution",
            "inviter_name",
            "inviter_is_counterpart",
            "funding_note",
            "partners",
            "agreements",
            "projects",
            "plan_line",
            "justifications",
            "rules_version",
            "rules_checked_at",
            "rule_results",
            "departed_on",
            "returned_on",
            "state_changed_at",
            "created_at",
            "updated_at",
            "members",
            "itinerary",
            "budget",
        ]

    @extend_schema_field(RuleResultSerializer(many=True))
    def get_rule_results(self, trip: Trip) -> list[dict[str, Any]]:
        return list(trip.rule_results or [])

    def to_representation(self, instance: Trip) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Only partners and agreements the reader may see are named (the links are the trip's, not theirs).
        user = getattr(self.context.get("request"), "user", None)
        if user is not None:
            for name, model in (("partners", Partner), ("agreements", Agreement)):
                linked = [obj.pk for obj in getattr(instance, name).all()]
                seen = set(model.objects.visible_to(user).filter(pk__in=linked).values_list("pk", flat=True))
                data[name] = [pk for pk in linked if pk in seen]
        return data


# --- trips: writing ------------------------------------------------------------------------------------


class MemberWriteSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)
    post = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    is_unit_leader = serializers.BooleanField(required=False, default=False)


class ItineraryWriteSerializer(serializers.Serializer):
    day = serializers.DateField()
    country = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all(), help_text="ISO code")
    city = serializers.CharField(max_length=120)
    is_transit = serializers.BooleanField(required=False, default=False)
    activity = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class BudgetWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BudgetKind.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.CharField(required=False, max_length=3, default="CNY", help_text="ISO 4217")
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True, default=None
    )
    persons = serializers.IntegerField(required=False, min_value=1, default=1)
    days = serializers.IntegerField(required=False, min_value=1, default=1, help_text="days, or nights")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class TripWriteSerializer(serializers.Serializer):
    """The application. Lists (``members``, ``itinerary``, ``budget``, ``partners``, ``agreements``) replace
    the trip's when given and are left as they are when left out. ``version`` is required on update."""

    title = serializers.CharField(max_length=300)
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    applicant = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="The traveller the application belongs to; you when left out.",
    )
    region = serializers.ChoiceField(choices=RegionKind.choices, required=False)
    delegation_kind = serializers.ChoiceField(choices=DelegationKind.choices, required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    task = serializers.CharField()
    paper_title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    conference_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    depart_on = serializers.DateField()
    return_on = serializers.DateField()
    inviter_partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.none(), required=False, allow_null=True
    )
    inviter_institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False, allow_null=True
    )
    inviter_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    inviter_is_counterpart = serializers.BooleanField(required=False)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices)
    funding_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    projects = serializers.CharField(required=False, allow_blank=True, max_length=500)
    plan_line = serializers.PrimaryKeyRelatedField(
        queryset=TripPlanLine.objects.all(), required=False, allow_null=True
    )
    justifications = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="rule code → justification"
    )
    partners = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.none(), many=True, required=False)
    agreements = serializers.PrimaryKeyRelatedField(
        queryset=Agreement.objects.none(), many=True, required=False
    )
    members = MemberWriteSerializer(many=True, required=False)
    itinerary = ItineraryWriteSerializer(many=True, required=False)
    budget = BudgetWriteSerializer(many=True, required=False)
    version = serializers.IntegerField(
        required=False,
        help_text="The version you read; updating: this or the If-Match header is required (stale: 409).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        # The ignores: drf-stubs type RelatedField.queryset with Manager, whose __get__ mypy then applies to
        # the field (python/mypy#13608), so no assignment to it type-checks.
        inviter = cast(serializers.RelatedField, self.fields["inviter_partner"])
        inviter.queryset = Partner.objects.visible_to(user)  # type: ignore[arg-type]
        partners = cast(serializers.ManyRelatedField, self.fields["partners"])  # many=True
        partners.child_relation.queryset = Partner.objects.visible_to(user)  # type: ignore[arg-type]
        agreements = cast(serializers.ManyRelatedField, self.fields["agreements"])  # many=True
        agreements.child_relation.queryset = Agreement.objects.visible_to(user)  # type: ignore[arg-type]

    def validate_members(self, members: list[dict]) -> list[dict]:
        """Members must be people the user may see, or already on the trip being edited."""
        user = getattr(self.context.get("request"), "user", None)
        trip = self.context.get("trip")
        visible = set(
            Person.objects.visible_to(user)
            .filter(pk__in=[m["person"].pk for m in members])
            .values_list("pk", flat=True)
        )
        if trip is not None:
            visible |= set(trip.members.values_list("person_id", flat=True))
        unknown = [m["person"].pk for m in members if m["person"].pk not in visible]
        if unknown:
            raise serializers.ValidationError(_("Unknown person."))
        return members

    def validate_plan_line(self, line: TripPlanLine | None) -> TripPlanLine | None:
        user = getattr(self.context.get("request"), "user", None)
        if line is not None and not plans_visible_to(user).filter(pk=line.plan_id).exists():
            raise serializers.ValidationError(_("Unknown plan line."))
        return line

    def validate(self, attrs: dict) -> dict:
        depart, back = attrs.get("depart_on"), attrs.get("return_on")
        if depart and back and back < depart:
            raise serializers.ValidationError(
                {"return_on": [_("The return date lies before the departure.")]}
            )
        return attrs


# --- plans ---------------------------------------------------------------------------------------------


def plans_visible_to(user):
    """Trip plans ``user`` may read: every plan for those who read the whole university; a unit's coordinators
    the plans of their units (and below); staff the plans of the units they belong to."""
    from django.db.models import Q

    from meridian.accounts.permissions import can_read_university, member_unit_ids
    from meridian.travel.permissions import acted_unit_ids

    plans = TripPlan.objects.all()
    if can_read_university(user):
        return plans
    if not getattr(user, "is_authenticated", False):
        return plans.none()
    units = set(acted_unit_ids(user)) | set(member_unit_ids(user))
    return plans.filter(Q(unit_id__in=units))


class TripPlanLineSerializer(serializers.ModelSerializer):
    # A ManyRelatedField at run time: the stubs do not model many=True.
    countries: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = TripPlanLine
        fields = [
            "id",
            "category",
            "countries",
            "purpose",
            "description",
            "trip_count",
            "persons",
            "days",
            "budget",
            "quarter",
        ]


class TripPlanSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = TripPlan
        fields = [
            "id",
            "unit",
            "unit_name",
            "year",
            "kind",
            "state",
            "note",
            "submitted_at",
            "consolidated_at",
            "version",
            "url",
        ]

    def get_url(self, plan: TripPlan) -> str:
        from django.urls import NoReverseMatch

        try:
            url = plan.get_absolute_url()
        except NoReverseMatch:
            return ""
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class TripPlanDetailSerializer(TripPlanSerializer):
    lines = TripPlanLineSerializer(many=True, read_only=True)

    class Meta(TripPlanSerializer.Meta):
        fields = [*TripPlanSerializer.Meta.fields, "lines"]


class TripPlanLineWriteSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=DelegationKind.choices)
    countries = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all(), many=True, required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    description = serializers.CharField(max_length=300)
    trip_count = serializers.IntegerField(min_value=1, required=False, default=1)
    persons = serializers.IntegerField(min_value=1, required=False, default=1)
    days = serializers.IntegerField(min_value=1, required=False, default=5)
    # DRF passes a default through unconverted; the stubs want a Decimal, but the int 0 stays as it was.
    budget = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        default=0,  # type: ignore[arg-type]
    )
    quarter = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True, default=None
    )


class TripPlanWriteSerializer(serializers.Serializer):
    """A plan with its lines (``lines`` replace the plan's when given)."""

    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    kind = serializers.ChoiceField(
        choices=cast("list[tuple[str, str]]", TripPlan._meta.get_field("kind").choices), required=False
    )
    note = serializers.CharField(required=False, allow_blank=True)
    lines = TripPlanLineWriteSerializer(many=True, required=False)
    version = serializers.IntegerField(
        required=False,
        help_text="The version you read; updating: this or the If-Match header is required (stale: 409).",
    )


# --- passports and permits in custody ------------------------------------------------------------------


class CustodyMovementSerializer(serializers.ModelSerializer):
    actor: Any = NullableStringRelatedField()
    trip_number = serializers.CharField(source="trip.number", read_only=True, default="")

    class Meta:
        model = CustodyMovement
        fields = ["id", "action", "on", "trip", "trip_number", "note", "actor", "at"]


def may_see_document_number(user, item: CustodyItem) -> bool:
    """The rule of the HTML register (``views.custody._numbers``): the masked number only for those who may
    see the holder's identity documents (officers, administrators, the holder's unit coordinators, the
    holder); leadership and everyone else get no number, and no read is logged for them."""
    from meridian.people.permissions import can_view_documents

    return bool(user is not None and can_view_documents(user, item.holder))


class CustodyItemSerializer(serializers.ModelSerializer):
    """A passport or permit in the office's custody; the number is masked, and given only to those who may
    see the holder's documents (``null`` for the others). The full number is shown only on the protected
    person page, with a stated purpose; every read of a (masked) number is logged by the API."""

    holder_name = serializers.CharField(source="holder.display_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    document_kind = serializers.CharField(source="document.kind", read_only=True)
    document_number = serializers.SerializerMethodField(
        help_text="Masked; null when you may not see the holder's identity documents."
    )
    expiry_date = serializers.DateField(source="document.expiry_date", read_only=True)
    trip_number = serializers.CharField(source="trip.number", read_only=True, default="")
    overdue = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = CustodyItem
        fields = [
            "id",
            "holder",
            "holder_name",
            "unit",
            "unit_name",
            "document_kind",
            "document_number",
            "expiry_date",
            "state",
            "location",
            "trip",
            "trip_number",
            "issued_on",
            "due_back_on",
            "overdue",
            "version",
            "url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_number(self, item: CustodyItem) -> str | None:
        user = getattr(self.context.get("request"), "user", None)
        return item.document.masked_number if may_see_document_number(user, item) else None

    def get_overdue(self, item: CustodyItem) -> bool:
        """Issued to the holder and not back by its due date."""
        return bool(
            item.state == CustodyState.ISSUED
            and item.due_back_on is not None
            and item.due_back_on < timezone.localdate()
        )

    def get_url(self, item: CustodyItem) -> str:
        from django.urls import NoReverseMatch

        try:
            url = item.get_absolute_url()
        except NoReverseMatch:
            return ""
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CustodyItemDetailSerializer(CustodyItemSerializer):
    movements = CustodyMovementSerializer(many=True, read_only=True)

    class Meta(CustodyItemSerializer.Meta):
        fields = [*CustodyItemSerializer.Meta.fields, "movements"]


class CustodyActionSerializer(serializers.Serializer):
    """An action on a document in custody: issue (for a trip), return, send, cancel, lose."""

    on = serializers.DateField(required=False, help_text="The day it happened; today when left out.")
    trip = serializers.PrimaryKeyRelatedField(queryset=Trip.objects.all(), required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        trip = cast(serializers.RelatedField, self.fields["trip"])
        # drf-stubs type RelatedField.queryset with Manager, whose __get__ mypy applies (python/mypy#13608)
        trip.queryset = Trip.objects.visible_to(user)  # type: ignore[arg-type]
