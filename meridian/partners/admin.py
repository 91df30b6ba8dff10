"""Partners in the admin, for reading: creating, editing and merging go through the partner pages and services
(name normalisation, duplicate refusal, version bump, activity)."""

from typing import Any

from django.contrib import admin
from django.db import models

from meridian.core.admin import ReadOnlyHistoryAdmin, ReadOnlyModelAdmin, ReadOnlyTabularInline
from meridian.partners.models import Partner, PartnerContact, PartnerUnit, Tag

HTTPS_URLS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class PartnerContactInline(ReadOnlyTabularInline):
    model = PartnerContact
    fields = ["name", "position", "email", "phone", "preferred_language", "is_primary", "user"]


class PartnerUnitInline(ReadOnlyTabularInline):
    model = PartnerUnit
    fields = ["name_en", "name_zh", "kind", "website"]
    formfield_overrides = HTTPS_URLS


@admin.register(Partner)
class PartnerAdmin(ReadOnlyHistoryAdmin):
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
    inlines = [PartnerContactInline, PartnerUnitInline]
    formfield_overrides = HTTPS_URLS


@admin.register(Tag)
class TagAdmin(ReadOnlyModelAdmin):
    search_fields = ["name"]


@admin.register(PartnerContact)
class PartnerContactAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "partner", "email", "preferred_language", "is_primary", "user"]
    search_fields = ["name", "email", "partner__name", "partner__name_en"]
    list_select_related = ["partner", "user"]


@admin.register(PartnerUnit)
class PartnerUnitAdmin(ReadOnlyModelAdmin):
    list_display = ["name_en", "name_zh", "kind", "partner"]
    search_fields = ["name_en", "name_zh", "partner__name"]
    list_select_related = ["partner"]
    formfield_overrides = HTTPS_URLS
