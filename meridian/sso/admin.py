from django.contrib import admin

from meridian.sso.models import ExternalIdentity


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Administrators link an existing local account to a campus identity by adding a row here."""

    list_display = ["provider", "subject", "user", "created_at", "last_login_at"]
    list_filter = ["provider"]
    search_fields = ["subject", "user__username", "user__display_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "last_login_at"]
