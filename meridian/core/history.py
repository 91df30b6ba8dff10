"""Change history (who, when, old value → new value) read from django-simple-history, as a reader reads it.

Each change names the field by its label (verbose name) and shows the values as the record's pages show them,
in the reader's language: choice labels, "Yes"/"No", related records by their display name, dates and times
in the site's time zone to the minute, file names without their storage folder. Fields people do not edit
(``editable=False``: the demo-data marker, search and sort-key columns, nonces, automatic timestamps) and the
version counter are not shown.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from meridian.core.errors import FieldChange

_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}

# Bookkeeping columns that are never history a reader needs, even where a model leaves them editable.
INTERNAL_FIELDS = frozenset({"id", "version", "is_demo", "search_text", "sort_key_en", "sort_key_zh"})


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)


def shown_fields(model: type[models.Model], tracked: Iterable[str], skip: Iterable[str] = ()) -> list[str]:
    """The names among `tracked` that a change history shows for `model`: editable concrete fields, without
    ``INTERNAL_FIELDS`` and `skip`."""
    hidden = INTERNAL_FIELDS.union(skip)
    names = []
    for name in tracked:
        if name in hidden:
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(model_field, "editable", True) and not getattr(model_field, "primary_key", False):
            names.append(name)
    return names


def related_names(
    model: type[models.Model], names: Iterable[str], records: Iterable[Any]
) -> dict[str, dict[Any, str]]:
    """For each foreign key among `names`: the display name (``str()``) of every record it points to in the
    historical `records`, read with one query per field. A record deleted since is left out (see
    ``value``)."""
    found: dict[str, dict[Any, str]] = {}
    rows = list(records)
    for name in names:
        model_field = model._meta.get_field(name)
        if not (model_field.many_to_one or model_field.one_to_one):
            continue
        ids = {getattr(row, model_field.attname, None) for row in rows} - {None, ""}
        target = model_field.related_model._base_manager  # type: ignore[union-attr]
        found[name] = {pk: str(obj) for pk, obj in target.in_bulk(list(ids)).items()} if ids else {}
    return found


def value(record: Any, model: type[models.Model], name: str, related: dict[str, dict[Any, str]]) -> str:
    """How the value of field `name` of the (historical) `record` reads to the reader; "" for no value.

    `related` is ``related_names(...)`` for the records shown. Times are converted to the site's time zone
    and shown to the minute (no seconds, no microseconds); dates as YYYY-MM-DD.
    """
    model_field = model._meta.get_field(name)
    raw = getattr(record, model_field.attname, None)
    if raw is None or raw == "":
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    if name in related:
        shown = related[name].get(raw)
        return shown if shown is not None else _("record %(id)s (deleted)") % {"id": raw}
    if isinstance(raw, bool):
        return _("Yes") if raw else _("No")
    if isinstance(raw, datetime):
        local = timezone.localtime(raw) if timezone.is_aware(raw) else raw
        return date_format(local, "Y-m-d H:i")
    if isinstance(raw, date):
        return date_format(raw, "Y-m-d")
    if isinstance(raw, time):
        return time_format(raw, "H:i")
    if isinstance(model_field, models.FileField):
        return posixpath.basename(str(raw))
    if isinstance(raw, dict | list):
        return json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
    return str(raw)


def history_entries(
    *, instance: models.Model, limit: int = 100, skip: tuple[str, ...] = ("version",)
) -> list[HistoryEntry]:
    """Newest first: each saved version (at most `limit`) with the fields that changed against the one before,
    read as described in the module docstring. `skip` names further fields not to show.

    Reads a fixed number of queries: the versions, then one per foreign key shown.
    """
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    model = type(instance)
    tracked = shown_fields(
        model,
        (f.name for f in instance.history.model.tracked_fields),  # type: ignore[attr-defined]
        skip,
    )
    related = related_names(model, tracked, records)
    entries: list[HistoryEntry] = []
    labels = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None:
            for name in tracked:
                before, after = value(previous, model, name, related), value(record, model, name, related)
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
