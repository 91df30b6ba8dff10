"""Reusable form widgets."""

from meridian.core.widgets.picker import PickerSelect, PickerSelectMultiple, PickerTextInput

__all__ = ["PickerSelect", "PickerSelectMultiple", "PickerTextInput"]
