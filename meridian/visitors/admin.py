"""Visitors and foreign experts in the Django admin, read only: visits, guests, standards, registrations,
lectures and hiring cases are changed through their services (checks, versions, activity, clocks), never
here. Guests' CVs and travel plans are personal data: the admin lists guests by name and place only."""

from django.contrib import admin

from meridian.core.admin import ReadOnlyHistoryAdmin, ReadOnlyModelAdmin, ReadOnlyTabularInline
from meridian.visitors.models import (
    AccommodationRegistration,
    ExpertChange,
    ExpertDocument,
    ExpertHiring,
    HostingStandard,
    Lecture,
    ProgrammeItem,
    Visit,
    VisitBudgetLine,
    VisitFile,
    VisitGuest,
)


class GuestInline(ReadOnlyTabularInline):
    model = VisitGuest
    fields = ["person", "is_head", "rank", "position", "submitted_at", "locked_at", "arrived_at"]


class ProgrammeInline(ReadOnlyTabularInline):
    model = ProgrammeItem
    fields = ["day", "starts_at", "ends_at", "kind", "title", "place"]


class BudgetInline(ReadOnlyTabularInline):
    model = VisitBudgetLine
    fields = ["kind", "description", "persons", "days", "amount"]


class VisitFileInline(ReadOnlyTabularInline):
    model = VisitFile
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at", "uploaded_by"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "number",
        "title",
        "category",
        "host_unit",
        "arrive_on",
        "depart_on",
        "state",
        "escalated",
    ]
    list_filter = ["state", "category", "invitation_kind", "escalated"]
    search_fields = ["number", "title", "guest_organisation"]
    list_select_related = ["host_unit"]
    date_hierarchy = "arrive_on"
    exclude = ["justifications", "rule_results"]
    inlines = [GuestInline, ProgrammeInline, BudgetInline, VisitFileInline]


@admin.register(HostingStandard)
class HostingStandardAdmin(ReadOnlyHistoryAdmin):
    list_display = ["kind", "rank", "basis", "cap", "valid_from", "valid_until"]
    list_filter = ["kind", "basis"]


@admin.register(AccommodationRegistration)
class AccommodationRegistrationAdmin(ReadOnlyModelAdmin):
    list_display = ["guest", "reason", "occurred_at", "due_at", "state", "registered_at"]
    list_filter = ["state", "reason"]
    list_select_related = ["guest__person"]


@admin.register(Lecture)
class LectureAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title_en", "speaker", "unit", "starts_at", "state", "review"]
    list_filter = ["state", "review", "is_public"]
    search_fields = ["title_en", "title_zh", "speaker"]
    list_select_related = ["unit"]


class ExpertDocumentInline(ReadOnlyTabularInline):
    model = ExpertDocument
    fields = ["kind", "received_on", "expires_on", "original_name", "uploaded_at"]


class ExpertChangeInline(ReadOnlyTabularInline):
    model = ExpertChange
    fields = ["kind", "description", "happened_on", "due_on", "reported_on"]


@admin.register(ExpertHiring)
class ExpertHiringAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "position", "host_unit", "permit_category", "contract_starts_on", "state"]
    list_filter = ["state", "kind", "permit_category"]
    search_fields = ["number", "position"]
    list_select_related = ["host_unit"]
    inlines = [ExpertDocumentInline, ExpertChangeInline]
