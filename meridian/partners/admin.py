from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from meridian.partners.models import Partner, PartnerContact, PartnerUnit, Tag

HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class PartnerContactInline(admin.TabularInline):
    model = PartnerContact
    extra = 0
    fields = ["name", "position", "email", "phone", "preferred_language", "is_primary"]


class PartnerUnitInline(admin.TabularInline):
    model = PartnerUnit
    extra = 0
    formfield_overrides = HTTPS_URLS


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_en", "kind", "country", "status", "ror_id", "erasmus_code", "updated_at"]
    list_filter = ["kind", "status", "is_public", "is_demo", "country"]
    search_fields = [
        "name",
        "name_en",
        "name_zh",
        "acronym",
        "ror_id",
        "erasmus_code",
        "pic",
        "website_domain",
    ]
    list_select_related = ["country"]
    raw_id_fields = ["parent", "registry_institution", "created_by"]
    filter_horizontal = ["tags"]
    readonly_fields = ["website_domain", "version", "created_at", "updated_at"]
    inlines = [PartnerContactInline, PartnerUnitInline]
    formfield_overrides = HTTPS_URLS


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(PartnerContact)
class PartnerContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "partner", "email", "preferred_language", "is_primary"]
    search_fields = ["name", "email", "partner__name", "partner__name_en"]
    raw_id_fields = ["partner", "user"]
    list_select_related = ["partner"]


@admin.register(PartnerUnit)
class PartnerUnitAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_zh", "kind", "partner"]
    search_fields = ["name_en", "name_zh", "partner__name"]
    raw_id_fields = ["partner"]
    list_select_related = ["partner"]
    formfield_overrides = HTTPS_URLS
