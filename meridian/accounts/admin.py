from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from meridian.accounts.models import Membership, OrgUnit, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


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
    readonly_fields = ("path",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role")
    list_filter = ("role",)
    autocomplete_fields = ["user", "unit"]
