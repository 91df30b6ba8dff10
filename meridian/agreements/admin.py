"""Agreements in the admin, for reading: every change goes through the agreement pages, API and services."""

from django.contrib import admin

from meridian.agreements.models import (
    Agreement,
    AgreementChannel,
    AgreementDocument,
    AgreementPartner,
    ReminderSent,
    Signatory,
)
from meridian.core.admin import ReadOnlyHistoryAdmin, ReadOnlyModelAdmin, ReadOnlyTabularInline


class PartyInline(ReadOnlyTabularInline):
    model = AgreementPartner
    fields = ["partner", "partner_unit", "coordinator"]


class ChannelInline(ReadOnlyTabularInline):
    model = AgreementChannel
    fields = ["channel"]


class SignatoryInline(ReadOnlyTabularInline):
    model = Signatory
    fields = ["side", "partner", "name", "title", "signed_on"]


class DocumentInline(ReadOnlyTabularInline):
    model = AgreementDocument
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


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "title_en", "kind", "state", "responsible_unit", "start_date", "end_date"]
    list_filter = ["state", "kind", "auto_renew", "is_demo"]
    search_fields = ["number", "title_en", "title_zh", "parties__partner__name"]
    list_select_related = ["responsible_unit"]
    inlines = [PartyInline, ChannelInline, SignatoryInline, DocumentInline]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyModelAdmin):
    list_display = ["agreement", "kind", "end_date", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["agreement"]
