"""Read-only admin views: clocks change only through the services (deadlines pages, jobs, case services)."""

from django.contrib import admin

from meridian.clocks.models import CalendarDay, Ladder, LadderStep, Obligation, ObligationEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ObligationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "step_key", "audience", "recipients", "actor", "at", "comment"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = ["subject_label", "title", "rule", "due_at", "state", "responsible", "unit"]
    list_filter = ["state", "rule"]
    search_fields = ["subject_label", "title", "title_zh"]
    list_select_related = ["responsible", "unit"]
    inlines = [EventInline]


class StepInline(admin.TabularInline):
    model = LadderStep
    extra = 0
    can_delete = False


@admin.register(Ladder)
class LadderAdmin(ReadOnlyAdmin):
    list_display = ["rule", "grace_amount", "grace_unit", "updated_at"]
    inlines = [StepInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "name_en", "name_zh"]
