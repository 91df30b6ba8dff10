"""API representations of student exchange: cooperation conditions (read, and the shape of a write), calls
with their destinations, applications, mobilities, learning agreements and the exchange balance.

Codes (direction, mobility type, semester, CEFR level, …) are given as their code with a ``…_label`` in the
reader's language; academic years as the year they start in (2026 = 2026/2027) with a ``…_label``; months
and credits as decimal strings with one decimal; dates as ISO dates. What only the university's own people
may read is ``null`` for everybody else: a condition's internal note; an application's eligibility check,
school note, score and rank. A student's personal data on a mobility (e-mail, programme, level, language,
motivation) is given only to those who may see it (``permissions.can_see_personal_data``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from meridian.accounts.permissions import is_internal
from meridian.mobility import permissions
from meridian.mobility.models import (
    Application,
    Call,
    CallDestination,
    CooperationCondition,
    LearningAgreement,
    LearningAgreementCourse,
    Mobility,
)
from meridian.workflow.api import CASE_FIELDS, CaseSerializerMixin


def _user(context: Mapping[str, Any]) -> Any:
    return getattr(context.get("request"), "user", None)


def _internal(context: Mapping[str, Any]) -> bool:
    user = _user(context)
    return bool(user is not None and getattr(user, "is_authenticated", False) and is_internal(user))


def _code(help_text: str) -> serializers.CharField:
    """A choice as its code (plain text in the schema: the codes are listed in the help text)."""
    return serializers.CharField(read_only=True, help_text=help_text)


def _label(source: str) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, help_text="In the reader's language.")


DIRECTION = "outgoing (we send) or incoming (the partner sends)"
MOBILITY_TYPE = (
    "semester, full_year, short_programme, summer_school, traineeship, staff_teaching or staff_training"
)
SEMESTER = "autumn, spring, full_year or summer"
CEFR = "A1, A2, B1, B2, C1 or C2 (empty: none)"


# --- cooperation conditions ---------------------------------------------------------------------------------


class ConditionLanguageSerializer(serializers.Serializer):
    language = serializers.CharField(help_text="ISO 639-1 code: en, de, fr, zh, …")
    cefr_level = serializers.CharField(help_text="Minimum level: A1, A2, B1, B2, C1 or C2.")


class ConditionSerializer(serializers.ModelSerializer):
    """A cooperation condition as the reader may see it (``internal_note`` for the university's staff)."""

    agreement_number = serializers.CharField(source="agreement.number", read_only=True)
    partner_name = serializers.CharField(source="partner.display_name", read_only=True)
    academic_year_label = serializers.CharField(
        source="year_label", read_only=True, help_text='"2026/2027"; empty: every year of the agreement.'
    )
    direction = _code(DIRECTION)
    direction_label = _label("get_direction_display")
    mobility_type = _code(MOBILITY_TYPE)
    mobility_type_label = _label("get_mobility_type_display")
    subject_areas = serializers.SerializerMethodField(help_text="ISCED-F 2013 codes.")
    eqf_levels = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    languages = ConditionLanguageSerializer(many=True, read_only=True)
    internal_note = serializers.SerializerMethodField(help_text="Null for readers outside the university.")

    class Meta:
        model = CooperationCondition
        fields = [
            "id",
            "version",
            "agreement",
            "agreement_number",
            "partner",
            "partner_name",
            "academic_year",
            "academic_year_label",
            "direction",
            "direction_label",
            "mobility_type",
            "mobility_type_label",
            "places",
            "total_months",
            "subject_areas",
            "eqf_levels",
            "languages",
            "home_unit",
            "partner_unit",
            "autumn_nomination_deadline",
            "autumn_application_deadline",
            "spring_nomination_deadline",
            "spring_application_deadline",
            "other_requirements",
            "internal_note",
            "updated_at",
        ]
        read_only_fields = fields

    def get_subject_areas(self, condition: CooperationCondition) -> list[str]:
        return sorted(field.code for field in condition.subject_areas.all())

    def get_internal_note(self, condition: CooperationCondition) -> str | None:
        return condition.internal_note if _internal(self.context) else None


class ConditionWriteSerializer(serializers.Serializer):
    """What a write of a condition may carry (the services check every value, with the messages of the
    pages). Fields not given keep their value on an update."""

    agreement = serializers.IntegerField(required=False, help_text="The agreement (creating only).")
    version = serializers.IntegerField(
        required=False,
        help_text="The version read; updating: this or the If-Match header is required (stale: 409).",
    )
    partner = serializers.IntegerField(
        required=False, help_text="A party of the agreement; may be left out when it has one partner."
    )
    academic_year = serializers.IntegerField(
        required=False, allow_null=True, help_text="2026 for 2026/2027; null: every year of the agreement."
    )
    direction = serializers.CharField(required=False, help_text=DIRECTION)
    mobility_type = serializers.CharField(required=False, help_text=MOBILITY_TYPE)
    places = serializers.IntegerField(required=False, help_text="Persons per academic year, 1–999.")
    total_months = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True, help_text="At most 12 per place."
    )
    subject_areas = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="ISCED-F 2013 codes, e.g. 0714."
    )
    eqf_levels = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="5 to 8, student mobility only."
    )
    languages = ConditionLanguageSerializer(many=True, required=False)
    home_unit = serializers.IntegerField(required=False, allow_null=True, help_text="Our unit.")
    partner_unit = serializers.IntegerField(required=False, allow_null=True, help_text="The partner's unit.")
    autumn_nomination_deadline = serializers.CharField(required=False, allow_blank=True, help_text="--MM-DD")
    autumn_application_deadline = serializers.CharField(required=False, allow_blank=True, help_text="--MM-DD")
    spring_nomination_deadline = serializers.CharField(required=False, allow_blank=True, help_text="--MM-DD")
    spring_application_deadline = serializers.CharField(required=False, allow_blank=True, help_text="--MM-DD")
    other_requirements = serializers.CharField(required=False, allow_blank=True)
    internal_note = serializers.CharField(required=False, allow_blank=True, help_text="Never shown outside.")


# --- calls --------------------------------------------------------------------------------------------------


class DestinationSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.display_name", read_only=True)
    mobility_type = _code(MOBILITY_TYPE)
    mobility_type_label = _label("get_mobility_type_display")
    min_cefr = _code(CEFR)

    class Meta:
        model = CallDestination
        fields = [
            "id",
            "partner",
            "partner_name",
            "condition",
            "mobility_type",
            "mobility_type_label",
            "places",
            "months",
            "language",
            "min_cefr",
            "note",
        ]
        read_only_fields = fields


class CallSerializer(CaseSerializerMixin, serializers.ModelSerializer):
    """A call with its destinations (places drawn from the outgoing conditions)."""

    title = serializers.CharField(read_only=True, help_text="In the reader's language.")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    academic_year_label = serializers.CharField(source="year_label", read_only=True)
    semester = _code(SEMESTER)
    semester_label = _label("get_semester_display")
    min_cefr = _code(CEFR)
    required_documents = serializers.ListField(child=serializers.CharField(), read_only=True)
    destinations = DestinationSerializer(many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "number",
            "title",
            "title_en",
            "title_zh",
            "description_en",
            "description_zh",
            "unit",
            "unit_name",
            "academic_year",
            "academic_year_label",
            "semester",
            "semester_label",
            "opens_at",
            "closes_at",
            "school_review_until",
            "max_preferences",
            "min_year_of_study",
            "min_grade",
            "grade_scale",
            "language",
            "min_cefr",
            "require_clean_record",
            "required_documents",
            "offer_days",
            "published_at",
            "results_published_at",
            "publicity_ends_on",
            "destinations",
            "version",
            *CASE_FIELDS,
        ]
        read_only_fields = fields


# --- applications -------------------------------------------------------------------------------------------


class PreferenceSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="1 = first choice.")
    destination = serializers.IntegerField(source="destination_id")
    partner = serializers.IntegerField(source="destination.partner_id")
    partner_name = serializers.CharField(source="destination.partner.display_name")


class ApplicationSerializer(CaseSerializerMixin, serializers.ModelSerializer):
    """An application with its ranked preferences; the committee's and the school's fields only for staff."""

    call_number = serializers.CharField(source="call.number", read_only=True)
    student_name = serializers.CharField(source="person.display_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    cefr_level = _code(CEFR)
    preferences = PreferenceSerializer(many=True, read_only=True)
    eligibility = serializers.SerializerMethodField(
        help_text='[{"rule", "outcome", "message"}]; null for the student.'
    )
    school_note = serializers.SerializerMethodField(help_text="Null for the student.")
    score = serializers.SerializerMethodField(help_text="0–100; null for the student.")
    rank = serializers.SerializerMethodField(help_text="1 = best; null for the student.")

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "call",
            "call_number",
            "student",
            "student_name",
            "unit",
            "unit_name",
            "programme",
            "year_of_study",
            "grade_average",
            "language",
            "cefr_level",
            "language_certificate",
            "clean_record",
            "motivation",
            "answers",
            "preferences",
            "submitted_at",
            "offered",
            "offered_preference",
            "offer_expires_on",
            "decided_at",
            "eligibility",
            "school_note",
            "score",
            "rank",
            "created_at",
            "version",
            *CASE_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField(), allow_null=True))
    def get_eligibility(self, application: Application) -> Any:
        return application.eligibility if _internal(self.context) else None

    def get_school_note(self, application: Application) -> str | None:
        return application.school_note if _internal(self.context) else None

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_score(self, application: Application) -> Any:
        if not _internal(self.context) or application.score is None:
            return None
        return f"{application.score:.2f}"

    def get_rank(self, application: Application) -> int | None:
        return application.rank if _internal(self.context) else None


# --- mobilities ---------------------------------------------------------------------------------------------

PERSONAL_FIELDS = (
    "student_email",
    "home_programme",
    "eqf_level",
    "isced_code",
    "language",
    "cefr_level",
    "motivation",
    "accommodation_needed",
)


class MobilitySerializer(CaseSerializerMixin, serializers.ModelSerializer):
    """A mobility in either direction; the student's personal data only for those who may see it."""

    direction = _code(DIRECTION)
    direction_label = _label("get_direction_display")
    partner_name = serializers.CharField(source="partner.display_name", read_only=True)
    agreement_number = serializers.CharField(source="agreement.number", read_only=True, default=None)
    student_name = serializers.CharField(source="person.display_name", read_only=True)
    home_unit_name = serializers.CharField(source="home_unit.name", read_only=True)
    mobility_type = _code(MOBILITY_TYPE)
    mobility_type_label = _label("get_mobility_type_display")
    academic_year_label = serializers.CharField(source="year_label", read_only=True)
    semester = _code(SEMESTER)
    semester_label = _label("get_semester_display")
    student_email = serializers.CharField(read_only=True, allow_null=True)
    home_programme = serializers.CharField(read_only=True, allow_null=True)
    eqf_level = serializers.IntegerField(read_only=True, allow_null=True)
    isced_code = serializers.CharField(read_only=True, allow_null=True)
    language = serializers.CharField(read_only=True, allow_null=True)
    cefr_level = serializers.CharField(read_only=True, allow_null=True, help_text=CEFR)
    motivation = serializers.CharField(read_only=True, allow_null=True)
    accommodation_needed = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Mobility
        fields = [
            "id",
            "number",
            "direction",
            "direction_label",
            "partner",
            "partner_name",
            "agreement",
            "agreement_number",
            "condition",
            "application",
            "student",
            "student_name",
            "home_unit",
            "home_unit_name",
            "mobility_type",
            "mobility_type_label",
            "academic_year",
            "academic_year_label",
            "semester",
            "semester_label",
            "months",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "nominated_at",
            "invited_at",
            "applied_at",
            "documents_requested",
            "decided_at",
            "decision_reason",
            "letter_number",
            "registered_on",
            *PERSONAL_FIELDS,
            "created_at",
            "version",
            *CASE_FIELDS,
        ]
        read_only_fields = fields

    def to_representation(self, instance: Mobility) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = _user(self.context)
        if user is None or not permissions.can_see_personal_data(user, instance):
            for name in PERSONAL_FIELDS:
                data[name] = None
        return data


# --- learning agreements ------------------------------------------------------------------------------------


class CourseSerializer(serializers.ModelSerializer):
    receiving_credit_system = _code("ects, local, us or cn")
    sending_credit_system = _code("ects, local, us or cn")
    change = _code('"" (unchanged), added or removed')

    class Meta:
        model = LearningAgreementCourse
        fields = [
            "id",
            "order",
            "receiving_code",
            "receiving_title",
            "receiving_credits",
            "receiving_credit_system",
            "receiving_term",
            "sending_code",
            "sending_title",
            "sending_credits",
            "sending_credit_system",
            "change",
            "change_reason",
        ]
        read_only_fields = fields


class LearningAgreementSerializer(CaseSerializerMixin, serializers.ModelSerializer):
    """One version of a mobility's learning agreement with its courses and the three parties' signatures."""

    mobility_number = serializers.CharField(source="mobility.number", read_only=True)
    kind = _code("before (before the mobility) or changes (during the mobility)")
    kind_label = _label("get_kind_display")
    courses = CourseSerializer(many=True, read_only=True)

    class Meta:
        model = LearningAgreement
        fields = [
            "id",
            "mobility",
            "mobility_number",
            "version_number",
            "kind",
            "kind_label",
            "previous",
            "student_signed_at",
            "sending_signed_at",
            "receiving_signed_at",
            "rejected_reason",
            "courses",
            "created_at",
            "version",
            *CASE_FIELDS,
        ]
        read_only_fields = fields
        extra_kwargs = {
            "version": {
                "help_text": "The record's edit version (its ETag), not the learning agreement's "
                "version_number."
            }
        }


# --- the exchange balance -----------------------------------------------------------------------------------


class BalanceSideSerializer(serializers.Serializer):
    places = serializers.IntegerField(help_text="Places (persons) of the conditions for the year.")
    capacity_months = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, help_text="Total months offered; null: not given."
    )
    realised = serializers.IntegerField(help_text="Persons accepted, in mobility, returned or completed.")
    planned = serializers.IntegerField(help_text="Persons nominated, asked for documents, invited, applied.")
    persons = serializers.IntegerField(help_text="realised + planned")
    realised_months = serializers.DecimalField(max_digits=8, decimal_places=1)
    planned_months = serializers.DecimalField(max_digits=8, decimal_places=1)
    months = serializers.DecimalField(max_digits=8, decimal_places=1)
    places_left = serializers.IntegerField()
    over_places = serializers.BooleanField()
    over_months = serializers.BooleanField()


class BalanceRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    year_label = serializers.CharField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.SerializerMethodField()
    agreement = serializers.IntegerField(source="agreement_id", allow_null=True)
    agreement_number = serializers.SerializerMethodField()
    outgoing = BalanceSideSerializer()
    incoming = BalanceSideSerializer()
    difference = serializers.IntegerField(help_text="Outgoing − incoming persons.")
    ratio = serializers.SerializerMethodField(
        help_text="Larger ÷ smaller side; null when both are 0 or only one is (see ratio_infinite)."
    )
    ratio_infinite = serializers.SerializerMethodField()
    leaning = serializers.CharField(help_text="outgoing, incoming or even")
    alerts = serializers.ListField(
        child=serializers.CharField(), help_text="imbalance, outgoing_over, incoming_over"
    )
    alert_messages = serializers.ListField(child=serializers.CharField())

    def get_partner_name(self, row) -> str:
        return getattr(row.partner, "display_name", "") or ""

    def get_agreement_number(self, row) -> str | None:
        return getattr(row.agreement, "number", None)

    def get_ratio(self, row) -> float | None:
        ratio = row.ratio
        return None if ratio is None or ratio == float("inf") else round(ratio, 2)

    def get_ratio_infinite(self, row) -> bool:
        return row.ratio == float("inf")


class BalanceGroupSerializer(BalanceRowSerializer):
    """A partner's year over all its agreements, with the agreement rows."""

    any_alert = serializers.BooleanField(help_text="This total or one of its agreement rows has an alert.")
    agreements = BalanceRowSerializer(many=True)


# One object, although the balance is the viewset's "list" action (the schema would make it an array).
@extend_schema_serializer(many=False)
class BalanceSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField(), help_text="Years with figures.")
    gap = serializers.IntegerField(help_text="Alert threshold: persons of difference (MOBILITY_BALANCE_GAP).")
    ratio = serializers.FloatField(help_text="Alert threshold: larger ÷ smaller (MOBILITY_BALANCE_RATIO).")
    alert_count = serializers.IntegerField(help_text="Partner-years with an alert.")
    groups = BalanceGroupSerializer(many=True)
