from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from meridian.agreements.models import (
    Agreement,
    AgreementChannel,
    AgreementDocument,
    AgreementPartner,
    AgreementTransition,
    ReminderSent,
    Signatory,
)


class PartyInline(admin.TabularInline):
    model = AgreementPartner
    extra = 0
    raw_id_fields = ["partner", "partner_unit", "coordinator"]


class ChannelInline(admin.TabularInline):
    model = AgreementChannel
    extra = 0


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    raw_id_fields = ["partner"]


class DocumentInline(admin.TabularInline):
    """Documents are uploaded through the agreement page, where their type and size are checked."""

    model = AgreementDocument
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "version",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    model = AgreementTransition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title_en", "kind", "state", "responsible_unit", "start_date", "end_date"]
    list_filter = ["state", "kind", "auto_renew", "is_demo"]
    search_fields = ["number", "title_en", "title_zh", "parties__partner__name"]
    raw_id_fields = ["umbrella", "renews", "home_coordinator"]
    readonly_fields = ["state", "state_changed_at", "version", "created_at", "updated_at", "created_by"]
    inlines = [PartyInline, ChannelInline, SignatoryInline, DocumentInline, TransitionInline]
    list_select_related = ["responsible_unit"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["agreement", "kind", "end_date", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["agreement"]
