"""Who may import spreadsheets: those who may change any partner and agreement (officers, administrators)."""

from __future__ import annotations

from meridian.accounts.permissions import can_write_university, is_administrator
from meridian.imports.kinds import import_kinds


def can_import(user) -> bool:
    """The import hub's gate; each registered kind also has its own ``permission(user)``."""
    return can_write_university(user)


def can_use_imports(user) -> bool:
    """Whether the Import page is any use to ``user``: they may import, and may import at least one kind."""
    return can_import(user) and bool(import_kinds(user))


def can_see_batch(user, batch) -> bool:
    """An uploaded file and its report belong to the person who uploaded it."""
    return can_import(user) and batch.owner_id == user.pk


def can_import_kind(user, kind: str) -> bool:
    """Whether ``user`` may import the registered kind ``kind`` (the hub's gate and the kind's own)."""
    from meridian.imports.kinds import kind_entry

    if kind not in {entry.key for entry in import_kinds()}:
        return False
    return can_import(user) and bool(kind_entry(kind).permission(user))


def can_use_mapping(user, mapping) -> bool:
    """A saved column mapping is shared by everyone who may import its kind."""
    return can_import_kind(user, mapping.kind)


def can_change_mapping(user, mapping) -> bool:
    """Replacing or deleting a saved mapping: the person who saved it, or an administrator."""
    if not can_use_mapping(user, mapping):
        return False
    return mapping.owner_id == getattr(user, "pk", None) or is_administrator(user)
