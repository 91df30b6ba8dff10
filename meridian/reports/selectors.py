"""Rows of a report dataset shaped for a spreadsheet: one cell per declared column, plain values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from meridian.core.registry import ReportDataset


def cell(value: Any) -> object:
    """Booleans read "Yes"/"No" in the user's language; dates ISO 8601; None an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def dataset_headers(dataset: ReportDataset) -> list[str]:
    return [str(label) for _key, label in dataset.columns]


def dataset_rows(dataset: ReportDataset, *, user) -> Iterator[list[object]]:
    """The dataset's rows for `user`, in column order (a missing key is an empty cell)."""
    keys = [key for key, _label in dataset.columns]
    for row in dataset.rows(user):
        yield [cell(row.get(key)) for key in keys]
