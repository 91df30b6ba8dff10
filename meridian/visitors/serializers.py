"""API representations of visits, foreign experts' hiring cases, lectures and accommodation registrations;
writes go to the services (``services.visits``).

Money is in CNY; dates are ISO dates; a visit's ``days`` count the arrival and the departure day. Guests are
named to everyone who may see the visit; their personal data (nationality, travel plan, needs, CV, what they
entered and when, and what failing guest rules say about them) only to those who may see guests' data
(``permissions.can_see_guest_data``: the host, the host unit's secretaries, the office) and ``null`` (or a
general message) for the others. Passport and other identity-document
numbers are never part of any representation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meridian.accounts.models import OrgUnit, User
from meridian.agreements.models import Agreement
from meridian.partners.models import Partner
from meridian.people.choices import Gender
from meridian.people.models import Person
from meridian.reference.models import Country, Institution
from meridian.visitors import permissions
from meridian.visitors.choices import (
    AccommodationKind,
    BudgetKind,
    GuestRank,
    InvitationKind,
    ProgrammeKind,
    ReceptionLevel,
    RegistrationState,
    VisitCategory,
)
from meridian.visitors.models import (
    AccommodationRegistration,
    ExpertHiring,
    Lecture,
    ProgrammeItem,
    Visit,
    VisitBudgetLine,
    VisitGuest,
)
from meridian.workflow.api import CASE_FIELDS, CaseSerializerMixin


def _user(context: Mapping[str, Any]) -> Any:
    return getattr(context.get("request"), "user", None)


def _absolute(context: Mapping[str, Any], url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None and url else url


def _page_url(context: Mapping[str, Any], obj: Any) -> str:
    """The object's page (absolute), or "" while the page is not installed."""
    from django.urls import NoReverseMatch

    try:
        return _absolute(context, obj.get_absolute_url())
    except NoReverseMatch:
        return ""


# --- visits: reading ----------------------------------------------------------------------------------------

# The guest fields that are personal data: null for readers who may not see guests' data.
GUEST_DATA_FIELDS = (
    "nationality",
    "arrival_date",
    "arrival_flight",
    "arrival_port",
    "departure_date",
    "departure_flight",
    "exit_port",
    "dietary_needs",
    "accessibility_needs",
    "cv",
    "submitted_at",
    "locked_at",
    "arrived_at",
)


class GuestSerializer(serializers.ModelSerializer):
    """A guest: name, place in the delegation and standing for every reader; the personal fields only with
    the guests' data (``null`` otherwise). Never passport data."""

    name = serializers.CharField(source="person.display_name", read_only=True)
    nationality = serializers.CharField(source="person.nationality_id", read_only=True, allow_null=True)
    arrival_date = serializers.DateField(read_only=True, allow_null=True)
    arrival_flight = serializers.CharField(read_only=True, allow_null=True)
    arrival_port = serializers.CharField(read_only=True, allow_null=True)
    departure_date = serializers.DateField(read_only=True, allow_null=True)
    departure_flight = serializers.CharField(read_only=True, allow_null=True)
    exit_port = serializers.CharField(read_only=True, allow_null=True)
    dietary_needs = serializers.CharField(read_only=True, allow_null=True)
    accessibility_needs = serializers.CharField(read_only=True, allow_null=True)
    cv = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        allow_null=True,
        help_text='The last ten years, newest first: {"from": "YYYY-MM", "to": "YYYY-MM" or "", '
        '"organisation", "position"}.',
    )
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    locked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    arrived_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = VisitGuest
        fields = ["id", "person", "name", "is_head", "position", "rank", "order", *GUEST_DATA_FIELDS]

    def to_representation(self, instance: VisitGuest) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("guest_data"):
            for name in GUEST_DATA_FIELDS:
                data[name] = None
        return data


class ProgrammeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeItem
        fields = ["id", "day", "starts_at", "ends_at", "kind", "title", "place", "participants"]


class VisitBudgetLineSerializer(serializers.ModelSerializer):
    """A budget line in CNY: ``amount`` is the line's total for ``persons`` × ``days`` (nights for
    accommodation)."""

    class Meta:
        model = VisitBudgetLine
        fields = ["id", "kind", "description", "persons", "days", "amount"]


class VisitRuleSourceSerializer(serializers.Serializer):
    document = serializers.CharField(required=False, allow_blank=True)
    article = serializers.CharField(required=False, allow_blank=True)
    url = serializers.CharField(required=False, allow_blank=True)


class VisitRuleResultSerializer(serializers.Serializer):
    """One rule's result: ``severity`` block|justify|warn, ``outcome`` pass|fail|not_applicable."""

    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field called "label"
    severity = serializers.CharField()
    outcome = serializers.CharField()
    message = serializers.CharField(required=False, allow_blank=True)
    source = VisitRuleSourceSerializer(required=False)  # type: ignore[assignment]
    justification = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    blocking = serializers.BooleanField(required=False)


class VisitListSerializer(CaseSerializerMixin, serializers.ModelSerializer):
    """A visit in lists; ``state``, ``state_label``, ``url`` (its page) and ``case_type`` come from the
    workflow engine. ``guest_count`` counts the guests (names are in the visit's detail)."""

    host_unit_name = serializers.CharField(source="host_unit.name", read_only=True)
    host_name: serializers.StringRelatedField[User] = serializers.StringRelatedField(source="host")
    days = serializers.IntegerField(
        read_only=True, help_text="Days hosted, arrival and departure day counted."
    )
    organisation = serializers.CharField(source="organisation_name", read_only=True)
    guest_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "number",
            "title",
            "category",
            "host_unit",
            "host_unit_name",
            "host",
            "host_name",
            "arrive_on",
            "depart_on",
            "days",
            "organisation",
            "guest_partner",
            "guest_country",
            "invitation_kind",
            "guest_count",
            "version",
            *CASE_FIELDS,
        ]

    def get_url(self, case: Visit) -> str:
        return _page_url(self.context, case)


class VisitDetailSerializer(VisitListSerializer):
    """A visit with its guests (personal data only for those who may see it: ``guest_data``), day-by-day
    programme, budget (total in CNY) and the last rule check."""

    guests = serializers.SerializerMethodField()
    guest_data = serializers.SerializerMethodField(
        help_text="Whether the guests' personal fields are given (else they are null)."
    )
    programme = ProgrammeItemSerializer(many=True, read_only=True)
    budget = VisitBudgetLineSerializer(source="budget_lines", many=True, read_only=True)
    budget_total = serializers.SerializerMethodField()
    rule_results = serializers.SerializerMethodField()

    class Meta(VisitListSerializer.Meta):
        fields = [
            *VisitListSerializer.Meta.fields,
            "purpose",
            "guest_institution",
            "guest_organisation",
            "reception_level",
            "reception_leader",
            "accommodation",
            "accommodation_address",
            "reciprocal",
            "escalated",
            "agreements",
            "projects",
            "funding_note",
            "justifications",
            "rules_version",
            "rules_checked_at",
            "rule_results",
            "invitation_number",
            "invitation_issued_on",
            "visa_confirmed_on",
            "arrived_on",
            "left_on",
            "outcomes",
            "follow_up",
            "note_submitted_at",
            "state_changed_at",
            "created_at",
            "updated_at",
            "guest_data",
            "guests",
            "programme",
            "budget",
            "budget_total",
        ]

    def _guest_data(self, visit: Visit) -> bool:
        user = _user(self.context)
        return bool(user is not None and permissions.can_see_guest_data(user, visit))

    def get_guest_data(self, visit: Visit) -> bool:
        return self._guest_data(visit)

    @extend_schema_field(GuestSerializer(many=True))
    def get_guests(self, visit: Visit) -> list[dict[str, Any]]:
        context = {**self.context, "guest_data": self._guest_data(visit)}
        return cast(list, GuestSerializer(visit.guests.all(), many=True, context=context).data)

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_budget_total(self, visit: Visit) -> str:
        total = sum((line.amount for line in visit.budget_lines.all()), 0)
        return f"{total:.2f}"

    @extend_schema_field(VisitRuleResultSerializer(many=True))
    def get_rule_results(self, visit: Visit) -> list[dict[str, Any]]:
        """The results stored at the last check, in the reader's language; what failing guest rules say
        about guests' data only for those who may see it (``rules.readable_results``)."""
        from meridian.visitors.rules import readable_results

        results = readable_results(visit.rule_results, user=_user(self.context), visit=visit)
        return cast(list, VisitRuleResultSerializer(results, many=True).data)

    def to_representation(self, instance: Visit) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Only agreements the reader may see are named (the links are the visit's, not theirs).
        user = _user(self.context)
        if user is not None:
            linked = [a.pk for a in instance.agreements.all()]
            seen = set(Agreement.objects.visible_to(user).filter(pk__in=linked).values_list("pk", flat=True))
            data["agreements"] = [pk for pk in linked if pk in seen]
        return data


# --- visits: writing ----------------------------------------------------------------------------------------


class NewGuestSerializer(serializers.Serializer):
    """A guest not yet on record: a protected guest Person record is created for them."""

    family_name = serializers.CharField(max_length=100, help_text="Latin script, as in the passport.")
    given_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    name_zh = serializers.CharField(max_length=60, required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    nationality = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True, help_text="ISO code"
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    allow_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A guest of the same name is on record: true creates a new record anyway (a different "
        "person); otherwise the request is refused with the matching records, to pick one as ``person``.",
    )


class GuestWriteSerializer(serializers.Serializer):
    """A guest of the visit: a person on record (``person``) or a new guest (``new_person``)."""

    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    new_person = NewGuestSerializer(required=False, allow_null=True)
    is_head = serializers.BooleanField(required=False, default=False)
    rank = serializers.ChoiceField(choices=GuestRank.choices, required=False, default=GuestRank.OTHER)
    position = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    def validate(self, attrs: dict) -> dict:
        if attrs.get("person") is None and not attrs.get("new_person"):
            raise serializers.ValidationError(_("Choose a person on record or give the new guest's name."))
        return attrs


class VisitProgrammeWriteSerializer(serializers.Serializer):
    day = serializers.DateField()
    starts_at = serializers.TimeField(required=False, allow_null=True)
    ends_at = serializers.TimeField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=ProgrammeKind.choices)
    title = serializers.CharField(max_length=300)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    participants = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class VisitBudgetWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BudgetKind.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, help_text="CNY")  # type: ignore[arg-type]
    persons = serializers.IntegerField(required=False, min_value=1, default=1)
    days = serializers.IntegerField(required=False, min_value=1, default=1, help_text="days, or nights")
    description = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class VisitWriteSerializer(serializers.Serializer):
    """The visit as filed. Lists (``guests``, ``programme``, ``budget``, ``agreements``) replace the visit's
    when given and are left as they are when left out. ``version`` is required on update."""

    title = serializers.CharField(max_length=300)
    category = serializers.ChoiceField(choices=VisitCategory.choices)
    purpose = serializers.CharField()
    host_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    host = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="The member of staff who hosts the guests; you when left out.",
    )
    arrive_on = serializers.DateField()
    depart_on = serializers.DateField()
    guest_partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.none(), required=False, allow_null=True
    )
    guest_institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False, allow_null=True
    )
    guest_organisation = serializers.CharField(required=False, allow_blank=True, max_length=300)
    guest_country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True, help_text="ISO code"
    )
    reception_level = serializers.ChoiceField(choices=ReceptionLevel.choices, required=False)
    reception_leader = serializers.CharField(required=False, allow_blank=True, max_length=200)
    invitation_kind = serializers.ChoiceField(choices=InvitationKind.choices, required=False)
    accommodation = serializers.ChoiceField(choices=AccommodationKind.choices, required=False)
    accommodation_address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    reciprocal = serializers.BooleanField(required=False)
    projects = serializers.CharField(required=False, allow_blank=True, max_length=500)
    funding_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    justifications = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="rule code → justification"
    )
    agreements = serializers.PrimaryKeyRelatedField(
        queryset=Agreement.objects.none(), many=True, required=False
    )
    guests = GuestWriteSerializer(many=True, required=False)
    programme = VisitProgrammeWriteSerializer(many=True, required=False)
    budget = VisitBudgetWriteSerializer(many=True, required=False)
    version = serializers.IntegerField(
        required=False,
        help_text="The version you read; updating: this or the If-Match header is required (stale: 409).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self.context)
        # The ignores: drf-stubs type RelatedField.queryset with Manager, whose __get__ mypy then applies to
        # the field (python/mypy#13608), so no assignment to it type-checks.
        partner = cast(serializers.RelatedField, self.fields["guest_partner"])
        partner.queryset = Partner.objects.visible_to(user)  # type: ignore[arg-type]
        agreements = cast(serializers.ManyRelatedField, self.fields["agreements"])  # many=True
        agreements.child_relation.queryset = Agreement.objects.visible_to(user)  # type: ignore[arg-type]

    def validate_guests(self, guests: list[dict]) -> list[dict]:
        """Guests on record must be people the user may see, or already guests of the visit being edited."""
        user = _user(self.context)
        visit = self.context.get("visit")
        chosen = [g["person"].pk for g in guests if g.get("person") is not None]
        visible = set(Person.objects.visible_to(user).filter(pk__in=chosen).values_list("pk", flat=True))
        if visit is not None:
            visible |= set(visit.guests.values_list("person_id", flat=True))
        if any(pk not in visible for pk in chosen):
            raise serializers.ValidationError(_("Unknown person."))
        return guests

    def validate(self, attrs: dict) -> dict:
        arrive, depart = attrs.get("arrive_on"), attrs.get("depart_on")
        if arrive and depart and depart < arrive:
            raise serializers.ValidationError(
                {"depart_on": [_("The departure date lies before the arrival date.")]}
            )
        return attrs


# --- foreign experts ----------------------------------------------------------------------------------------


class ExpertHiringSerializer(serializers.ModelSerializer):
    """A foreign expert's hiring case in lists: no personal data beyond the name and nationality."""

    name = serializers.SerializerMethodField()
    nationality = serializers.CharField(source="person.nationality_id", read_only=True, default=None)
    host_unit_name = serializers.CharField(source="host_unit.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    permit_ends_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The earlier of the work permit's and the contract's end (renewal counts back from it).",
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = ExpertHiring
        fields = [
            "id",
            "number",
            "kind",
            "position",
            "name",
            "nationality",
            "host_unit",
            "host_unit_name",
            "supervisor",
            "contract_starts_on",
            "contract_ends_on",
            "permit_category",
            "permit_expires_on",
            "residence_permit_expires_on",
            "permit_ends_on",
            "state",
            "state_label",
            "version",
            "url",
        ]

    def get_name(self, hiring: ExpertHiring) -> str:
        """The candidate's name, or the position while there is none."""
        return hiring.person.display_name if hiring.person_id and hiring.person else hiring.position

    def get_url(self, hiring: ExpertHiring) -> str:
        return _page_url(self.context, hiring)

    def to_representation(self, instance: ExpertHiring) -> dict[str, Any]:
        data = super().to_representation(instance)
        ends = instance.permit_ends_on()
        data["permit_ends_on"] = ends.isoformat() if ends else None
        return data


class ExpertHiringDetailSerializer(ExpertHiringSerializer):
    """A hiring case with its dates, the permit category's criteria check, documents checklist and reported
    changes (salary and programme funds in CNY)."""

    documents = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta(ExpertHiringSerializer.Meta):
        fields = [
            *ExpertHiringSerializer.Meta.fields,
            "duties",
            "annual_salary",
            "degree",
            "experience_years",
            "talent_programme",
            "programme_funds",
            "criteria_results",
            "permit_applied_on",
            "permit_issued_on",
            "visa_notice_on",
            "entered_on",
            "residence_permit_on",
            "employed_on",
            "left_on",
            "state_changed_at",
            "created_at",
            "updated_at",
            "documents",
            "changes",
        ]

    @extend_schema_field(
        serializers.ListField(
            child=serializers.DictField(), help_text="{kind, received_on, expires_on, note}"
        )
    )
    def get_documents(self, hiring: ExpertHiring) -> list[dict[str, Any]]:
        return [
            {
                "kind": d.kind,
                "received_on": d.received_on,
                "expires_on": d.expires_on,
                "note": d.note,
                "has_file": bool(d.file),
            }
            for d in hiring.documents.all()
        ]

    @extend_schema_field(
        serializers.ListField(
            child=serializers.DictField(), help_text="{kind, description, happened_on, due_on, reported_on}"
        )
    )
    def get_changes(self, hiring: ExpertHiring) -> list[dict[str, Any]]:
        return [
            {
                "kind": c.kind,
                "description": c.description,
                "happened_on": c.happened_on,
                "due_on": c.due_on,
                "reported_on": c.reported_on,
            }
            for c in hiring.changes.all()
        ]


# --- lectures -----------------------------------------------------------------------------------------------


class LectureSerializer(serializers.ModelSerializer):
    """A lecture; the outline and its review are given only to those who keep the lecture."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    visit_number = serializers.CharField(source="visit.number", read_only=True, default=None)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Lecture
        fields = [
            "id",
            "title_en",
            "title_zh",
            "speaker",
            "speaker_affiliation",
            "abstract_en",
            "abstract_zh",
            "starts_at",
            "ends_at",
            "place_en",
            "place_zh",
            "is_public",
            "state",
            "review",
            "review_due_on",
            "unit",
            "unit_name",
            "visit",
            "visit_number",
            "version",
            "url",
        ]

    def get_url(self, lecture: Lecture) -> str:
        return _page_url(self.context, lecture)

    def to_representation(self, instance: Lecture) -> dict[str, Any]:
        data = super().to_representation(instance)
        # The visit is named only to readers who may see it (the API annotates ``visit_visible``).
        if not getattr(instance, "visit_visible", False):
            data["visit"] = data["visit_number"] = None
        return data


# --- accommodation registrations ----------------------------------------------------------------------------


class RegistrationSerializer(serializers.ModelSerializer):
    """A guest's accommodation registration with the police: due 24 hours after arrival or a change of
    address, 10 days after a new passport or visa. The address and the receipt number only with the guests'
    data (``null`` otherwise)."""

    guest_name = serializers.CharField(source="guest.person.display_name", read_only=True)
    visit = serializers.IntegerField(source="guest.visit_id", read_only=True)
    visit_number = serializers.CharField(source="guest.visit.number", read_only=True)
    host_unit_name = serializers.CharField(source="guest.visit.host_unit.name", read_only=True)
    overdue = serializers.SerializerMethodField()
    address = serializers.CharField(read_only=True, allow_null=True)
    receipt_number = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = AccommodationRegistration
        fields = [
            "id",
            "guest",
            "guest_name",
            "visit",
            "visit_number",
            "host_unit_name",
            "reason",
            "occurred_at",
            "due_at",
            "accommodation",
            "address",
            "state",
            "registered_at",
            "receipt_number",
            "overdue",
        ]

    def get_overdue(self, row: AccommodationRegistration) -> bool:
        """Still to register and past its deadline."""
        return row.state == RegistrationState.OPEN and row.due_at < timezone.now()

    def to_representation(self, instance: AccommodationRegistration) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = _user(self.context)
        if not (user is not None and permissions.can_see_guest_data(user, instance.guest.visit)):
            data["address"] = data["receipt_number"] = None
        return data
