"""Read-only admin classes: the Django admin shows domain records but never writes them.

Every change of a domain record goes through its service (normalisation, version bump, activity entry,
duplicate refusal), so the admin may not be a second write path. These classes refuse adding, changing and
deleting in the admin's permission checks, and refuse again at the point of saving, so that a crafted POST (or
django-simple-history's "revert" form, which saves without asking for the change permission) changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyAdminMixin:
    """Mix into a ModelAdmin or an inline: view only, and saving or deleting raises PermissionDenied."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def _refuse(self) -> None:
        raise PermissionDenied(
            _("This record is changed through the application's own pages, not the admin.")
        )

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        self._refuse()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self._refuse()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._refuse()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        self._refuse()


class ReadOnlyModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A ModelAdmin for reading: lists, filters, search and the detail view, no writes."""

    actions = None


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only, with the change history (who changed what, when) viewable and its "revert" refused."""

    actions = None

    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            self._refuse()
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An inline that lists related rows without forms for adding, changing or deleting them."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return list(self.fields or [f.name for f in self.model._meta.fields])
