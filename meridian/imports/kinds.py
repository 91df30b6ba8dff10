"""The import kinds, read from the registry: each context registers its own (see ``RowImporter``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from meridian.core.errors import DomainError
from meridian.core.registry import ImportKind, registry
from meridian.core.tabular.columns import Column
from meridian.core.tabular.engine import RowImporter


class UnknownImportKind(DomainError):
    code = "unknown_import_kind"


def import_kinds(user: Any = None) -> list[ImportKind]:
    """Registered kinds in menu order; with ``user``, only the kinds that user may import."""
    kinds = list(registry.import_kinds)
    if user is None:
        return kinds
    return [kind for kind in kinds if kind.permission(user)]


def kind_entry(kind: str) -> ImportKind:
    """The registered kind ``kind``; raises ``UnknownImportKind`` when no context registered it."""
    if kind not in registry.import_kinds:
        raise UnknownImportKind(_("Unknown kind of import: %(kind)s") % {"kind": kind})
    return registry.import_kinds.get(kind)


def kind_label(kind: str) -> str:
    """The kind's label for people, or its key when it is no longer registered."""
    return str(registry.import_kinds.get(kind).label) if kind in registry.import_kinds else kind


def importer_class(kind: str) -> type[RowImporter]:
    return kind_entry(kind).handler()


def columns_for(kind: str) -> list[Column]:
    """The columns of the registered import kind ``kind``; raises ``KeyError`` for an unknown kind."""
    return list(registry.import_kinds.get(kind).handler().declared_columns())


def field_label(kind: str, field_name: str) -> str:
    """A field of the kind ``kind`` as the reader knows it: its declared header in the active language
    (Chinese for ``zh*``, else English); the field name itself when the kind or the field is unknown."""
    from django.utils.translation import get_language

    try:
        columns = columns_for(kind)
    except KeyError:
        return field_name
    chinese = (get_language() or "").lower().startswith("zh")
    for column in columns:
        if column.field == field_name:
            return column.header_zh if chinese else column.header_en
    return field_name
