"""Who may import spreadsheets: those who may change any partner and agreement (officers, administrators)."""

from __future__ import annotations

from meridian.accounts.permissions import can_write_university


def can_import(user) -> bool:
    return can_write_university(user)


def can_see_batch(user, batch) -> bool:
    """An uploaded file and its report belong to the person who uploaded it."""
    return can_import(user) and batch.owner_id == user.pk
