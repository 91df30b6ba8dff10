"""API tokens in the admin: administrators see everyone's and revoke them (delete); nothing else changes."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from meridian.accounts.models import User
from meridian.accounts.permissions import is_administrator
from meridian.accounts.tokens.models import ApiToken
from meridian.accounts.tokens.services import api_token_revoke
from meridian.core.errors import PermissionDeniedError


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens listed read-only (never their secrets); deleting one revokes it (``api_token_revoke``)."""

    list_display = ("name", "user", "created", "last_used", "expiry")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "user__display_name")
    list_filter = ("expiry",)
    date_hierarchy = "created"
    fields = ("name", "user", "created", "last_used", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return is_administrator(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        if not isinstance(request.user, User):
            raise PermissionDenied
        try:
            api_token_revoke(token=obj, actor=request.user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.select_related("user"):
            self.delete_model(request, token)
