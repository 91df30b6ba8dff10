"""Reference data in the admin, for reading: the data comes from the load and import commands."""

from django.contrib import admin
from django.db import models

from meridian.core.admin import ReadOnlyModelAdmin, ReadOnlyTabularInline
from meridian.reference.models import (
    Country,
    EqfLevel,
    Institution,
    InstitutionDomain,
    InstitutionName,
    IscedField,
    Place,
    RegistryImport,
)


@admin.register(Country)
class CountryAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "alpha3", "numeric", "name_en", "name_zh", "region_en", "subregion_en"]
    list_filter = ["region_en", "subregion_en"]
    search_fields = ["code", "alpha3", "name_en", "name_zh"]


@admin.register(IscedField)
class IscedFieldAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "level", "name_en", "name_zh"]
    list_filter = ["level"]
    search_fields = ["code", "name_en", "name_zh"]
    list_select_related = ["parent"]


@admin.register(EqfLevel)
class EqfLevelAdmin(ReadOnlyModelAdmin):
    list_display = ["level", "qf_ehea_cycle", "knowledge"]


class InstitutionNameInline(ReadOnlyTabularInline):
    model = InstitutionName
    fields = ["kind", "value", "language", "source"]


class InstitutionDomainInline(ReadOnlyTabularInline):
    model = InstitutionDomain
    fields = ["domain", "source"]


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "country", "city", "ror_id", "erasmus_code", "pic", "status", "sources"]
    list_filter = ["status", "sources"]
    list_select_related = ["country"]
    search_fields = ["name", "ror_id", "erasmus_code", "pic"]
    show_full_result_count = False  # counting 100,000+ rows on every page is wasted work
    inlines = [InstitutionNameInline, InstitutionDomainInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(RegistryImport)
class RegistryImportAdmin(ReadOnlyModelAdmin):
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


@admin.register(Place)
class PlaceAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "name_en", "name_zh", "country_code", "population", "geonameid", "wikidata_id"]
    list_filter = ["country_code"]
    search_fields = ["name", "name_en", "name_ascii", "name_zh"]
