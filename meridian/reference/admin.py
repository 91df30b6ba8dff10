"""Admin for reference data: mostly for reading; the data comes from the load and import commands."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from meridian.reference.models import (
    Country,
    EqfLevel,
    Institution,
    InstitutionDomain,
    InstitutionName,
    IscedField,
    RegistryImport,
)


class ReadMostlyAdmin(admin.ModelAdmin):
    """Loaded by commands, so nothing is added or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Country)
class CountryAdmin(ReadMostlyAdmin):
    list_display = ["code", "alpha3", "numeric", "name_en", "name_zh", "region_en", "subregion_en"]
    list_filter = ["region_en", "subregion_en"]
    search_fields = ["code", "alpha3", "name_en", "name_zh"]


@admin.register(IscedField)
class IscedFieldAdmin(ReadMostlyAdmin):
    list_display = ["code", "level", "name_en", "name_zh"]
    list_filter = ["level"]
    search_fields = ["code", "name_en", "name_zh"]
    raw_id_fields = ["parent"]


@admin.register(EqfLevel)
class EqfLevelAdmin(ReadMostlyAdmin):
    list_display = ["level", "qf_ehea_cycle", "knowledge"]


class InstitutionNameInline(admin.TabularInline):
    model = InstitutionName
    fields = ["kind", "value", "language", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class InstitutionDomainInline(InstitutionNameInline):
    model = InstitutionDomain
    fields = ["domain", "source"]
    readonly_fields = fields


@admin.register(Institution)
class InstitutionAdmin(ReadMostlyAdmin):
    list_display = ["name", "country", "city", "ror_id", "erasmus_code", "pic", "status", "sources"]
    list_filter = ["status", "sources"]
    list_select_related = ["country"]
    search_fields = ["name", "ror_id", "erasmus_code", "pic"]
    show_full_result_count = False  # counting 100,000+ rows on every page is wasted work
    raw_id_fields = ["country"]
    readonly_fields = ["ror_id", "erasmus_code", "pic", "oid", "sources", "updated_at"]
    inlines = [InstitutionNameInline, InstitutionDomainInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(RegistryImport)
class RegistryImportAdmin(ReadMostlyAdmin):
    list_display = [
        "source",
        "file_name",
        "edition",
        "total",
        "created",
        "updated",
        "unchanged",
        "withdrawn",
        "started_at",
    ]
    list_filter = ["source"]
    readonly_fields = list_display + ["finished_at"]
