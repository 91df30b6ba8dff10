"""Form fields of the student-exchange forms: a yearly day (a partner's deadline, stored as XML Schema
gMonthDay "--MM-DD") chosen as a month by its name and a day, so nobody reads or types the stored code."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

MONTH_DAY_HELP = _("The same day every year.")


class MonthDayWidget(forms.MultiWidget):
    """A month (by name, in the reader's language) and a day of the month. The value posted is "--MM-DD",
    "" when both are empty; a client that posts the whole value under the field's own name ("--03-15",
    "03-15") is understood too."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        months = [("", "—"), *((str(n), name) for n, name in MONTHS.items())]
        days = [("", "—"), *((str(n), str(n)) for n in range(1, 32))]
        super().__init__(
            (
                forms.Select(choices=months, attrs={"aria-label": _("Month")}),
                forms.Select(choices=days, attrs={"aria-label": _("Day")}),
            ),
            attrs,
        )

    def decompress(self, value: Any) -> list[str]:
        text = str(value or "").strip()
        if text.startswith("--") and len(text) == 7 and text[2:4].isdigit() and text[5:7].isdigit():
            return [str(int(text[2:4])), str(int(text[5:7]))]
        return ["", ""]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data:
            return str(data.get(name) or "")
        month, day = (str(part or "").strip() for part in super().value_from_datadict(data, files, name))
        if not month and not day:
            return ""
        return f"--{month.zfill(2) if month else ''}-{day.zfill(2) if day else ''}"

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


class MonthDayField(forms.CharField):
    """A yearly day, "--MM-DD" or "" (the services complete and check it again). A month without a day, or a
    day the month does not have, is a field error."""

    widget = MonthDayWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("help_text", MONTH_DAY_HELP)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}  # no "maxlength" on the two selects

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value.startswith("--"):
            return  # a typed "03-15" or a stray value: the service normalises or refuses it
        month, _sep, day = value[2:].partition("-")
        if not month or not day:
            raise forms.ValidationError(_("Choose both the month and the day."), code="month_day_partial")
        try:
            datetime.date(2024, int(month), int(day))  # a leap year: 29 February is a valid yearly day
        except ValueError as exc:
            raise forms.ValidationError(_("That month has no such day."), code="month_day_invalid") from exc
