"""Purposes of processing and their retention periods are configured in the admin.

Person records, identity documents, consents and the access log are not registered here on purpose: reading
them in the admin would bypass the access log, and changes go through the people pages and their services.
"""

from django.contrib import admin

from meridian.people.models import Purpose


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "retention_days")
    search_fields = ("code", "name_en", "name_zh")
    fields = ("code", "name_en", "name_zh", "retention_days", "description")

    def get_readonly_fields(self, request, obj=None):
        # Self-service links and case contexts name purposes by code: a code never changes once in use.
        return ("code",) if obj is not None else ()
