"""Optimistic locking for records edited in forms: a stale save is refused with what changed."""

from __future__ import annotations

from django.db import models

from meridian.core.errors import FieldChange, StaleEditError


def _display(instance: models.Model, field: models.Field) -> str:
    value = getattr(instance, field.attname, None)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value or ""))
    if field.is_relation and value is not None:
        related = getattr(instance, field.name, None)
        return str(related) if related is not None else str(value)
    return "" if value is None else str(value)


def ensure_fresh(*, instance: models.Model, expected_version: int | None, fields: list[str]) -> None:
    """Raise StaleEditError when `instance` (locked, current) moved past `expected_version`.

    The message lists the fields whose stored value differs from the version the editor started from,
    read from the record's history, so the editor can see what the other person changed.
    """
    current = instance.version  # type: ignore[attr-defined]
    if expected_version is None or int(expected_version) == current:
        return
    changes: list[FieldChange] = []
    changed_by = ""
    history = getattr(instance, "history", None)
    if history is not None:
        before = history.filter(version=expected_version).order_by("-history_date").first()
        latest = history.order_by("-history_date").first()
        if latest is not None and latest.history_user is not None:
            changed_by = str(latest.history_user)
        if before is not None:
            for name in fields:
                field = instance._meta.get_field(name)
                if field.many_to_many:
                    continue
                old, new = _display(before, field), _display(instance, field)
                if old != new:
                    changes.append(
                        FieldChange(field=name, label=str(field.verbose_name), before=old, after=new)
                    )
    from django.utils.translation import gettext as _

    raise StaleEditError(
        message=_(
            "Someone else saved this record while you were editing it. Nothing was overwritten: "
            "review their changes below, then apply yours again."
        ),
        changes=changes,
        changed_by=changed_by,
        current_version=current,
    )


def bump_version(instance: models.Model) -> None:
    instance.version = (instance.version or 0) + 1  # type: ignore[attr-defined]
