"""Generated documents in the Django admin: read-only (templates are edited on the documents pages, and
documents are generated and revoked through the services)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from meridian.documents.models import DocumentEvent, DocumentTemplate, GeneratedDocument


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "source", "kind", "languages", "fmt", "is_active")
    list_filter = ("source", "kind", "fmt")


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ReadOnlyAdmin):
    list_display = ("serial", "title_en", "source", "issued_on", "revoked_at")
    search_fields = ("serial",)
    exclude = ("token",)


@admin.register(DocumentEvent)
class DocumentEventAdmin(ReadOnlyAdmin):
    list_display = ("document", "kind", "actor", "at")
