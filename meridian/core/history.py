"""Change history (who, when, old value → new value) read from django-simple-history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meridian.core.errors import FieldChange

_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)


def _value(record: models.Model, model: type[models.Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    raw = getattr(record, model_field.attname, None)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw or ""))
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return _("yes") if raw else _("no")
    if isinstance(raw, datetime):
        # Shown in the university's time zone, to the minute, like every other time on the page.
        local = timezone.localtime(raw) if timezone.is_aware(raw) else raw
        return date_format(local, "Y-m-d H:i")
    return str(raw)


def history_entries(
    *, instance: models.Model, limit: int = 100, skip: tuple[str, ...] = ("version",)
) -> list[HistoryEntry]:
    """Newest first: each saved version with the fields that changed against the one before.

    Fields people cannot edit (``editable=False``: markers such as "demo data", bookkeeping) are not shown.
    """
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    model = type(instance)
    tracked = [
        f.name
        for f in instance.history.model.tracked_fields  # type: ignore[attr-defined]
        if f.name not in skip and getattr(model._meta.get_field(f.name), "editable", True)
    ]
    entries: list[HistoryEntry] = []
    labels = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None:
            for name in tracked:
                before, after = _value(previous, model, name), _value(record, model, name)
                if before != after:
                    label = str(model._meta.get_field(name).verbose_name)
                    changes.append(FieldChange(field=name, label=label, before=before, after=after))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "",
                action=labels[_ACTIONS.get(record.history_type, "changed")],
                changes=changes,
            )
        )
    return entries
