from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meridian.clocks.choices import Audience, CalendarDayKind, DueUnit


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Kept with the deadline and in the case's activity."),
    )


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDayKind.choices)
    name_en = forms.CharField(label=_("English name"), max_length=200)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=200, required=False)


class LadderForm(forms.Form):
    grace_amount = forms.IntegerField(label=_("Grace before missed"), min_value=0, max_value=3650)
    grace_unit = forms.ChoiceField(label=_("Grace unit"), choices=DueUnit.choices)


class LadderStepForm(forms.Form):
    offset = forms.IntegerField(
        label=_("Offset"),
        min_value=-3650,
        max_value=3650,
        help_text=_("Negative: before the due time; positive: after it."),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=DueUnit.choices)
    audience = forms.ChoiceField(label=_("Who is told"), choices=Audience.choices)


LadderStepFormSet = forms.formset_factory(LadderStepForm, extra=2, can_delete=True, max_num=30)
