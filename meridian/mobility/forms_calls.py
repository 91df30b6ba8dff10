"""Forms of the call pages: the call itself (fields as ``services.calls.EDITABLE_FIELDS``; while the call is
open only the deadline, the school pre-approval date and the descriptions are enabled), a destination drawn
from a cooperation condition, a selection criterion, a question and a committee member.

The forms check the shape of the input; the rules (places left, weights, who may review) are the services'."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit, User
from meridian.core.widgets import PickerTextInput
from meridian.mobility import permissions
from meridian.mobility.choices import CefrLevel, CriterionSource, DocumentKind, QuestionKind, Semester
from meridian.mobility.models import Call
from meridian.mobility.models.base import DESTINATION_MONTHS, GRADE_SCALE_MIN, PLACES
from meridian.mobility.selectors.calls import ConditionChoice
from meridian.mobility.services import calls as services

BLANK = [("", "—")]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def unit_choices(user, *, keep_unit_id: int | None = None):
    """Units ``user`` may run calls for: every unit for the office, the units they coordinate otherwise
    (``keep_unit_id``: a call's current unit stays choosable)."""
    units = OrgUnit.objects.order_by("path")
    if permissions.is_office(user):
        return units
    condition = Q(pk__in=list(permissions.acted_unit_ids(user)))
    if keep_unit_id is not None:
        condition |= Q(pk=keep_unit_id)
    return units.filter(condition)


class CallForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title_en = forms.CharField(label=_("Title in English"), max_length=300)
    title_zh = forms.CharField(label=_("Title in Chinese"), max_length=300, required=False)
    unit = forms.ModelChoiceField(label=_("Unit running the call"), queryset=OrgUnit.objects.none())
    academic_year = forms.IntegerField(
        label=_("Academic year"),
        min_value=services.YEARS[0],
        max_value=services.YEARS[1],
        help_text=_("The year it starts in: 2026 for 2026/2027."),
    )
    semester = forms.ChoiceField(label=_("Semester"), choices=Semester.choices)
    opens_at = forms.DateTimeField(label=_("Applications open"), widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(
        label=_("Application deadline"),
        widget=DateTimeLocalInput(),
        help_text=_("Local time of the university."),
    )
    school_review_until = forms.DateField(
        label=_("School pre-approval until"), required=False, widget=DateInput()
    )
    max_preferences = forms.IntegerField(
        label=_("Destinations a student may rank"), min_value=1, max_value=services.MAX_PREFERENCES, initial=3
    )
    min_year_of_study = forms.IntegerField(
        label=_("Minimum year of study"),
        required=False,
        min_value=1,
        max_value=services.MAX_YEAR_OF_STUDY,
        help_text=_("1 = first year. Empty: any year."),
    )
    min_grade = forms.DecimalField(
        label=_("Minimum grade average"), required=False, min_value=0, max_digits=5, decimal_places=2
    )
    grade_scale = forms.DecimalField(
        label=_("Grade scale maximum"),
        min_value=GRADE_SCALE_MIN,
        max_digits=5,
        decimal_places=2,
        initial=4,
        help_text=_("4 for GPA, 100 for marks."),
    )
    language = forms.CharField(
        label=_("Language required"),
        max_length=3,
        required=False,
        help_text=_("ISO 639-1 code: en, de, fr, ja, …"),
    )
    min_cefr = forms.ChoiceField(
        label=_("Minimum language level (CEFR)"), choices=BLANK + list(CefrLevel.choices), required=False
    )
    require_clean_record = forms.BooleanField(
        label=_("No disciplinary record required"), required=False, initial=True
    )
    required_documents = forms.MultipleChoiceField(
        label=_("Required documents"),
        choices=DocumentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    offer_days = forms.IntegerField(
        label=_("Days to accept an offered place"),
        min_value=1,
        max_value=services.MAX_OFFER_DAYS,
        initial=lambda: settings.MOBILITY_OFFER_DAYS,
        help_text=_("Calendar days."),
    )
    description_en = forms.CharField(
        label=_("Description in English"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    description_zh = forms.CharField(
        label=_("Description in Chinese"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, user=None, call: Call | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = unit_choices(user, keep_unit_id=call.unit_id if call is not None else None)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        if call is not None:
            allowed = set(services.editable_fields(call))
            for name, field in self.fields.items():
                if name != "version" and name not in allowed:
                    field.disabled = True

    @classmethod
    def initial_for(cls, call: Call) -> dict[str, Any]:
        from django.utils import timezone

        initial: dict[str, Any] = {name: getattr(call, name) for name in services.EDITABLE_FIELDS}
        initial["unit"] = call.unit_id
        initial["version"] = call.version
        initial["opens_at"] = timezone.localtime(call.opens_at)
        initial["closes_at"] = timezone.localtime(call.closes_at)
        return initial

    def values(self, call: Call | None = None) -> dict[str, Any]:
        """The cleaned values to save (without the version; for an open call only the enabled fields)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if call is not None:
            allowed = set(services.editable_fields(call))
            data = {k: v for k, v in data.items() if k in allowed}
        return data


class DestinationAddForm(forms.Form):
    condition = forms.TypedChoiceField(label=_("Cooperation condition"), coerce=int)
    places = forms.IntegerField(label=_("Places"), min_value=PLACES[0], max_value=PLACES[1])
    months = forms.DecimalField(
        label=_("Months per person"),
        required=False,
        min_value=DESTINATION_MONTHS[0],
        max_value=DESTINATION_MONTHS[1],
        max_digits=4,
        decimal_places=1,
        help_text=_("Empty: the condition's total months divided by its places."),
    )
    note = forms.CharField(label=_("Note for applicants"), max_length=500, required=False)

    def __init__(self, *args: Any, choices: Sequence[ConditionChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conditions = {choice.pk: choice for choice in choices}
        cast(forms.TypedChoiceField, self.fields["condition"]).choices = BLANK + [
            (choice.pk, condition_label(choice)) for choice in choices if not choice.offered
        ]


def condition_label(choice: ConditionChoice) -> str:
    """ "Partner · Semester study · 2026/2027 · 2 of 3 places left" for the condition picker."""
    from meridian.mobility.models.base import academic_year_label

    condition = choice.condition
    year = academic_year_label(condition.academic_year) or str(_("every year"))
    left = str(_("%(left)s of %(places)s places left")) % {
        "left": choice.left.places,
        "places": condition.places,
    }
    return f"{condition.partner} · {condition.get_mobility_type_display()} · {year} · {left}"


class DestinationForm(forms.Form):
    places = forms.IntegerField(label=_("Places"), min_value=PLACES[0], max_value=PLACES[1])
    months = forms.DecimalField(
        label=_("Months per person"),
        required=False,
        min_value=DESTINATION_MONTHS[0],
        max_value=DESTINATION_MONTHS[1],
        max_digits=4,
        decimal_places=1,
    )
    language = forms.CharField(label=_("Language"), max_length=3, required=False)
    min_cefr = forms.ChoiceField(
        label=_("Minimum level (CEFR)"), choices=BLANK + list(CefrLevel.choices), required=False
    )
    note = forms.CharField(label=_("Note for applicants"), max_length=500, required=False)


class CriterionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30, help_text=_("Such as grades, motivation."))
    label_en = forms.CharField(label=_("Name in English"), max_length=200)
    label_zh = forms.CharField(label=_("Name in Chinese"), max_length=200, required=False)
    weight = forms.DecimalField(
        label=_("Weight (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    max_points = forms.IntegerField(label=_("Maximum points"), min_value=1, max_value=1000, initial=10)
    source = forms.ChoiceField(label=_("Points come from"), choices=CriterionSource.choices)


class QuestionForm(forms.Form):
    text_en = forms.CharField(label=_("Question in English"), max_length=500)
    text_zh = forms.CharField(label=_("Question in Chinese"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)


class ReviewerForm(forms.Form):
    user = forms.CharField(
        label=_("User name or e-mail"),
        max_length=254,
        help_text=_("A member of the university's staff."),
        widget=PickerTextInput(search_url="accounts:people_search", params={"key": "username"}),
    )

    def clean_user(self) -> User:
        value = self.cleaned_data["user"].strip()
        user = User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value)).first()
        if user is None:
            raise forms.ValidationError(_("No account has this user name or e-mail."))
        return user
