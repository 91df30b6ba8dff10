"""Import batches in the admin, for reading: imports run through the import page and command."""

from django.contrib import admin

from meridian.core.admin import ReadOnlyModelAdmin
from meridian.imports.models import ColumnMapping, ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyModelAdmin):
    list_display = ["original_name", "kind", "owner", "status", "created_at", "committed_at"]
    list_filter = ["kind", "status"]
    search_fields = ["original_name", "owner__username"]
    list_select_related = ["owner"]


@admin.register(ColumnMapping)
class ColumnMappingAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "kind", "owner", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
