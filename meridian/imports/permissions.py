"""Who may import spreadsheets: those who may change any partner and agreement (officers, administrators)."""

from __future__ import annotations

from meridian.accounts.permissions import can_write_university
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
