"""Forms of the partner portal: the partner's nomination of one of their students, and the reason that goes
with a decision on one of our nominations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meridian.mobility.choices import STUDENT_MOBILITY_TYPES, CefrLevel, MobilityType, Semester
from meridian.mobility.models import CooperationCondition, academic_year_label
from meridian.mobility.selectors.conditions import iso_639_1_codes
from meridian.reference.models import Country, IscedField

EQF_CHOICES = [
    (5, _("EQF 5 (short cycle)")),
    (6, _("EQF 6 (bachelor)")),
    (7, _("EQF 7 (master)")),
    (8, _("EQF 8 (doctorate)")),
]


class ConditionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CooperationCondition) -> str:
        year = academic_year_label(obj.academic_year) or str(_("every year"))
        return f"{obj.agreement.title} · {obj.get_mobility_type_display()} · {year} · " + str(
            _("%(places)s places") % {"places": obj.places}
        )


class IscedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: IscedField) -> str:
        from meridian.mobility.labels import isced_field_label

        return isced_field_label(obj.code, obj.name_en, obj.name_zh)


class PartnerNominationForm(forms.Form):
    """One student the partner nominates to us. The service checks the places, the deadline and the fit with
    the condition; the form only checks the shape of the input."""

    condition = ConditionChoiceField(
        label=_("Places"),
        queryset=CooperationCondition.objects.none(),
        help_text=_("The places of our agreement that the student comes under."),
    )
    academic_year = forms.IntegerField(
        label=_("Academic year"),
        required=False,
        min_value=2000,
        max_value=2200,
        help_text=_(
            "The year the academic year starts in (2026 for 2026/2027); only for places of every year."
        ),
    )
    semester = forms.ChoiceField(label=_("Semester"), choices=Semester.choices)
    mobility_type = forms.ChoiceField(
        label=_("Mobility type"),
        choices=[(value, label) for value, label in MobilityType.choices if value in STUDENT_MOBILITY_TYPES],
    )
    family_name = forms.CharField(label=_("Family name (as in the passport)"), max_length=150)
    given_name = forms.CharField(label=_("Given names (as in the passport)"), max_length=150)
    email = forms.EmailField(label=_("Student's e-mail"), help_text=_("The invitation to apply goes here."))
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    nationality = forms.ModelChoiceField(label=_("Nationality"), queryset=Country.objects.all())
    home_programme = forms.CharField(label=_("Programme at the home institution"), max_length=200)
    eqf_level = forms.TypedChoiceField(label=_("Study level (EQF)"), choices=EQF_CHOICES, coerce=int)
    isced_field = IscedChoiceField(
        label=_("Subject area (ISCED-F)"), queryset=IscedField.objects.all(), required=False
    )
    language = forms.CharField(
        label=_("Language of study"),
        max_length=10,
        required=False,
        help_text=_("ISO 639-1 code: en, de, fr, zh, …"),
    )
    cefr_level = forms.ChoiceField(
        label=_("Language level (CEFR)"), choices=[("", "—"), *CefrLevel.choices], required=False
    )

    def __init__(self, *args: Any, conditions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if conditions is not None:
            self.fields["condition"].queryset = conditions  # type: ignore[attr-defined]

    def clean_language(self) -> str:
        """A language the project knows (ISO 639-1, as the conditions' language requirements)."""
        code = (self.cleaned_data.get("language") or "").strip().lower()
        if code and code not in iso_639_1_codes():
            raise forms.ValidationError(
                _("“%(code)s” is not an ISO 639-1 language code (two letters: en, de, fr, ja, …).")
                % {"code": code}
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cefr_level") and not data.get("language") and "language" not in self.errors:
            self.add_error("language", _("Say which language the level is for."))
        return data

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as ``services.partner_portal.partner_nomination_create`` takes them."""
        data = dict(self.cleaned_data)
        isced = data.pop("isced_field", None)
        data["isced_code"] = isced.code if isced is not None else ""
        return data


class DecisionForm(forms.Form):
    """The reason of a rejection, or the documents the partner asks for."""

    comment = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
