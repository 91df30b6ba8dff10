"""Reads of the import hub: the saved column mappings a user may use."""

from __future__ import annotations

from django.db.models import QuerySet

from meridian.imports.kinds import import_kinds
from meridian.imports.models import ColumnMapping
from meridian.imports.permissions import can_import


def mappings_for(*, user, kind: str = "") -> QuerySet[ColumnMapping]:
    """Saved mappings of the kinds ``user`` may import (only of ``kind`` when given), by kind and name."""
    if not can_import(user):
        return ColumnMapping.objects.none()
    kinds = [entry.key for entry in import_kinds(user)]
    if kind:
        kinds = [key for key in kinds if key == kind]
    return ColumnMapping.objects.filter(kind__in=kinds).select_related("owner").order_by("kind", "name")
