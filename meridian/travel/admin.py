"""Official travel in the Django admin, read only: trips, plans, notices, passports and reports are changed
through their services (checks, versions, activity, clocks), never here."""

from django.contrib import admin

from meridian.core.admin import ReadOnlyHistoryAdmin, ReadOnlyModelAdmin, ReadOnlyTabularInline
from meridian.travel.models import (
    BudgetLine,
    CountryStandard,
    CustodyItem,
    CustodyMovement,
    ExchangeRate,
    ExternalApproval,
    ItineraryItem,
    LongStay,
    NoticeObjection,
    ProgressReport,
    PublicityNotice,
    Trip,
    TripChange,
    TripFile,
    TripMember,
    TripOutcome,
    TripPlan,
    TripPlanLine,
    TripReport,
    TripReportPhoto,
)


class TripPlanLineInline(ReadOnlyTabularInline):
    model = TripPlanLine
    fields = ["category", "purpose", "description", "trip_count", "persons", "days", "budget", "quarter"]


@admin.register(TripPlan)
class TripPlanAdmin(ReadOnlyHistoryAdmin):
    list_display = ["unit", "year", "kind", "state", "submitted_at", "consolidated_at"]
    list_filter = ["year", "kind", "state"]
    list_select_related = ["unit"]
    inlines = [TripPlanLineInline]


class TripMemberInline(ReadOnlyTabularInline):
    model = TripMember
    fields = ["person", "role", "post", "is_unit_leader", "unit"]


class ItineraryInline(ReadOnlyTabularInline):
    model = ItineraryItem
    fields = ["day", "country", "city", "is_transit", "activity"]


class BudgetInline(ReadOnlyTabularInline):
    model = BudgetLine
    fields = ["kind", "country", "currency", "amount", "persons", "days", "note"]


class TripFileInline(ReadOnlyTabularInline):
    model = TripFile
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at", "uploaded_by"]


@admin.register(Trip)
class TripAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "number",
        "title",
        "unit",
        "delegation_kind",
        "region",
        "depart_on",
        "return_on",
        "state",
        "rules_version",
    ]
    list_filter = ["state", "region", "delegation_kind", "purpose"]
    search_fields = ["number", "title", "inviter_name"]
    list_select_related = ["unit"]
    date_hierarchy = "depart_on"
    inlines = [TripMemberInline, ItineraryInline, BudgetInline, TripFileInline]


@admin.register(CountryStandard)
class CountryStandardAdmin(ReadOnlyModelAdmin):
    list_display = ["country", "city", "currency", "accommodation", "meals", "incidentals", "valid_from"]
    list_filter = ["currency"]
    search_fields = ["country__name_en", "country__code", "city"]
    list_select_related = ["country"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyModelAdmin):
    list_display = ["currency", "cny_per_unit", "valid_from"]
    list_filter = ["currency"]


class ObjectionInline(ReadOnlyTabularInline):
    model = NoticeObjection
    fields = ["text", "raised_by", "raised_at", "upheld", "resolved_at"]


@admin.register(PublicityNotice)
class PublicityNoticeAdmin(ReadOnlyModelAdmin):
    list_display = ["trip", "phase", "state", "starts_on", "ends_on", "working_days"]
    list_filter = ["phase", "state"]
    search_fields = ["trip__number"]
    list_select_related = ["trip"]
    inlines = [ObjectionInline]


@admin.register(ExternalApproval)
class ExternalApprovalAdmin(ReadOnlyModelAdmin):
    list_display = ["document_number", "trip", "issued_on", "authority", "recorded_at"]
    search_fields = ["document_number", "trip__number"]
    list_select_related = ["trip"]


@admin.register(TripChange)
class TripChangeAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "trip", "state", "created_at"]
    list_filter = ["state"]
    search_fields = ["number", "trip__number"]
    list_select_related = ["trip"]


class PhotoInline(ReadOnlyTabularInline):
    model = TripReportPhoto
    fields = ["caption", "content_type", "size", "uploaded_at"]


@admin.register(TripReport)
class TripReportAdmin(ReadOnlyHistoryAdmin):
    list_display = ["trip", "state", "due_on", "submitted_at", "accepted_at"]
    list_filter = ["state"]
    search_fields = ["trip__number"]
    list_select_related = ["trip"]
    inlines = [PhotoInline]


@admin.register(TripOutcome)
class TripOutcomeAdmin(ReadOnlyModelAdmin):
    list_display = ["trip", "kind", "partner", "description"]
    list_filter = ["kind"]
    list_select_related = ["trip", "partner"]


class MovementInline(ReadOnlyTabularInline):
    model = CustodyMovement
    fields = ["action", "on", "trip", "note", "actor", "at"]


@admin.register(CustodyItem)
class CustodyItemAdmin(ReadOnlyHistoryAdmin):
    # The document's number stays in the protected identity record; the admin shows only where it is.
    list_display = ["holder", "unit", "state", "trip", "issued_on", "due_back_on"]
    list_filter = ["state"]
    list_select_related = ["holder", "unit", "trip"]
    exclude = ["document"]
    inlines = [MovementInline]


class ProgressInline(ReadOnlyTabularInline):
    model = ProgressReport
    fields = ["quarter", "submitted_at", "submitted_by"]


@admin.register(LongStay)
class LongStayAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "person", "unit", "programme", "country", "starts_on", "ends_on", "state"]
    list_filter = ["state", "programme"]
    search_fields = ["number", "host_name"]
    list_select_related = ["person", "unit", "country"]
    inlines = [ProgressInline]
