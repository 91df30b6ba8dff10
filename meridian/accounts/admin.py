"""Users, units and role grants in the admin.

Role grants are the one thing administrators change here, and they go through `membership_grant` and
`membership_revoke`, so each grant and revocation is recorded with who did it and when. Units are created
through `org_unit_create` (which keeps the tree's paths right); existing units and the grant records are
read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import Membership, OrgUnit, RoleGrantRecord, User
from meridian.accounts.permissions import is_administrator
from meridian.accounts.services import membership_grant, membership_revoke, org_unit_create
from meridian.accounts.tokens import admin as _token_admin  # noqa: F401  (registers ApiTokenAdmin)
from meridian.core.admin import ReadOnlyModelAdmin, ReadOnlyTabularInline
from meridian.core.errors import PermissionDeniedError


def _administrator(request: HttpRequest) -> User:
    """The signed-in user making the change (the admin lets in signed-in staff only)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


class MembershipInline(ReadOnlyTabularInline):
    """The user's roles with who granted each and when; grant and revoke them under Memberships."""

    model = Membership
    fk_name = "user"
    fields = ["role", "unit", "granted_by", "granted_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Meridian", {"fields": ("display_name", "preferred_language")}))
    list_display = ("username", "email", "display_name", "is_active", "is_staff")


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_zh", "kind", "code", "parent")
    search_fields = ("name_en", "name_zh", "code")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    fields = ("kind", "code", "name_en", "name_zh", "parent", "is_international_office", "path")
    readonly_fields = ("path",)
    actions = None

    def has_change_permission(self, request: HttpRequest, obj: OrgUnit | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: OrgUnit | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        created = org_unit_create(
            kind=obj.kind,
            code=obj.code,
            name_en=obj.name_en,
            name_zh=obj.name_zh,
            parent=obj.parent,
            is_international_office=obj.is_international_office,
        )
        obj.pk, obj.path = created.pk, created.path


class GrantForm(forms.ModelForm):
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    class Meta:
        model = Membership
        fields = ["user", "unit", "role"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Grant a role (add) or revoke it (delete); a grant is never edited in place."""

    form = GrantForm
    list_display = ("user", "unit", "role", "granted_by", "granted_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "unit__name_en", "unit__name_zh")
    list_select_related = ("user", "unit", "granted_by")
    autocomplete_fields = ["user", "unit"]
    readonly_fields = ("granted_by", "granted_at")

    def _may_grant(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_grant(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return self._may_grant(request) and super().has_delete_permission(request, obj)

    def get_fields(self, request: HttpRequest, obj: Membership | None = None) -> Any:
        if obj is None:
            return ["user", "unit", "role", "note"]
        return ["user", "unit", "role", "granted_by", "granted_at"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        try:
            granted = membership_grant(
                user=obj.user,
                unit=obj.unit,
                role=obj.role,
                actor=_administrator(request),
                note=form.cleaned_data.get("note", ""),
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk, obj.granted_at, obj.granted_by = granted.pk, granted.granted_at, granted.granted_by

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        try:
            membership_revoke(user=obj.user, unit=obj.unit, role=obj.role, actor=_administrator(request))
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user", "unit"):
            self.delete_model(request, membership)


@admin.register(RoleGrantRecord)
class RoleGrantRecordAdmin(ReadOnlyModelAdmin):
    list_display = ("at", "action", "username", "role", "unit_name", "actor", "note")
    list_filter = ("action", "role")
    search_fields = ("username", "unit_name", "actor__username")
    list_select_related = ("actor",)
    date_hierarchy = "at"
