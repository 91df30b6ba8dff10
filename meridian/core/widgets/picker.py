"""The search-as-you-type picker: one widget for choosing people, partners and organisations.

Without JavaScript it is the plain `<select>` of the field's choices (which the owning form restricts to the
eligible records), so the form still works and the server validates the choice. `core/static/core/picker.js`
turns it into an ARIA 1.2 combobox: the user types, the search endpoint (which checks permissions and
returns only records the user may see) answers with JSON, the results show as a listbox (arrow keys, Enter,
Escape) and chosen records as chips with a remove button. The select stays the form's value.

Where a select of every choice would be too long, `PickerTextInput` keeps a text input for the record's
key (a user name) instead; the field looks the key up and validates it.

Search endpoints answer `GET <url>?q=<text>[&<param>=<value>...]` with
`{"results": [{"value": "<pk>", "label": "<name>", "detail": "<secondary text>"}]}`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse


class PickerMixin:
    """Shared by the single and multiple pickers.

    `search_url` is a URL name (reversed at render time, so the widget can be declared at import time);
    `params` fixed query parameters for the search; `depends` maps a query parameter to the name of another
    field of the same form whose current value is sent with it (e.g. {"unit": "responsible_unit"}).
    """

    template_name = "core/widgets/picker.html"
    control_template = "django/forms/widgets/select.html"

    def __init__(
        self,
        *,
        search_url: str,
        params: dict[str, str] | None = None,
        depends: dict[str, str] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs=attrs)  # type: ignore[call-arg]
        self.search_url = search_url
        self.params = dict(params or {})
        self.depends = dict(depends or {})

    def __deepcopy__(self, memo: dict) -> Any:
        copied = super().__deepcopy__(memo)  # type: ignore[misc]
        copied.params = dict(self.params)
        copied.depends = dict(self.depends)
        return copied

    def picker_url(self) -> str:
        """The search endpoint with the fixed parameters."""
        url = reverse(self.search_url)
        return f"{url}?{urlencode(self.params)}" if self.params else url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)  # type: ignore[misc]
        context["widget"]["picker"] = {
            "url": self.picker_url(),
            "multiple": self.allow_multiple_selected,  # type: ignore[attr-defined]
            "depends": json.dumps(self.depends) if self.depends else "",
            "control": self.control_template,
        }
        return context


class PickerSelect(PickerMixin, forms.Select):
    """Choose one record by searching; a plain select without JavaScript."""


class PickerSelectMultiple(PickerMixin, forms.SelectMultiple):
    """Choose several records by searching, shown as removable chips; a plain multi-select without JS."""


class PickerTextInput(PickerMixin, forms.TextInput):
    """Choose one record by searching where a select of every choice would be too long: without JavaScript
    a text input for the record's key (e.g. a user name), which the field looks up and validates. The search
    endpoint must answer that key as `value`."""

    control_template = "django/forms/widgets/input.html"

    @property
    def allow_multiple_selected(self) -> bool:
        return False
