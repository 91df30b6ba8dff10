from django.contrib import admin

from meridian.imports.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "owner", "status", "created_at", "committed_at"]
    list_filter = ["kind", "status"]
    search_fields = ["original_name", "owner__username"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
