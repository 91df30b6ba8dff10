"""Forms of learning agreements, grade conversion tables and recognition. They only shape the input: the
services check the rules (credits, required titles, changes, grades) and raise the errors users see."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from meridian.mobility.choices import ComponentChange, ConversionBasis, CreditSystem, RecognitionDecision

CREDITS = forms.NumberInput(attrs={"step": "0.1", "min": "0.1", "max": "60", "style": "width: 5.5em"})
CODE = forms.TextInput(attrs={"size": "8"})
TITLE = forms.TextInput(attrs={"size": "28"})
SHORT = forms.TextInput(attrs={"size": "10"})
PERCENT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "style": "width: 6em"})


# --- learning agreement courses -----------------------------------------------------------------------------


class CourseRowForm(forms.Form):
    """One course row: the course at the receiving institution and the course it replaces at the sending
    one (``services.learning.ROW_FIELDS``)."""

    receiving_code = forms.CharField(label=_("Code"), max_length=40, required=False, widget=CODE)
    receiving_title = forms.CharField(
        label=_("Course at the receiving institution"), max_length=300, required=False, widget=TITLE
    )
    receiving_credits = forms.DecimalField(
        label=_("Credits"), max_digits=5, decimal_places=1, required=False, widget=CREDITS
    )
    receiving_credit_system = forms.ChoiceField(
        label=_("Credit system"), choices=CreditSystem.choices, initial=CreditSystem.ECTS
    )
    receiving_term = forms.CharField(label=_("Term"), max_length=40, required=False, widget=SHORT)
    sending_code = forms.CharField(label=_("Code"), max_length=40, required=False, widget=CODE)
    sending_title = forms.CharField(
        label=_("Course replaced at the sending institution"), max_length=300, required=False, widget=TITLE
    )
    sending_credits = forms.DecimalField(
        label=_("Credits"), max_digits=5, decimal_places=1, required=False, widget=CREDITS
    )
    sending_credit_system = forms.ChoiceField(
        label=_("Credit system"), choices=CreditSystem.choices, initial=CreditSystem.CN
    )
    change = forms.ChoiceField(label=_("Change"), choices=ComponentChange.choices, required=False)
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"size": "16"}),
    )
    equivalence = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            data.get(name) not in (None, "")
            for name in (
                "receiving_code",
                "receiving_title",
                "receiving_credits",
                "sending_code",
                "sending_title",
            )
        )


class BaseCourseRowFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The filled rows, in order (empty extra rows and rows marked for deletion left out)."""
        result = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE") or form.is_blank():
                continue
            data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            result.append(data)
        return result


CourseRowFormSet = forms.formset_factory(
    CourseRowForm, formset=BaseCourseRowFormSet, extra=3, can_delete=True, max_num=80, validate_max=True
)


def course_formset(la: Any, data: Any = None, *, extra: int = 3) -> BaseCourseRowFormSet:
    """The course rows of ``la`` as a formset with ``extra`` empty rows (marked "added" in a change)."""
    from meridian.mobility.choices import LearningAgreementKind

    initial = [
        {
            "receiving_code": c.receiving_code,
            "receiving_title": c.receiving_title,
            "receiving_credits": c.receiving_credits,
            "receiving_credit_system": c.receiving_credit_system,
            "receiving_term": c.receiving_term,
            "sending_code": c.sending_code,
            "sending_title": c.sending_title,
            "sending_credits": c.sending_credits,
            "sending_credit_system": c.sending_credit_system,
            "change": c.change,
            "change_reason": c.change_reason,
            "equivalence": c.equivalence_id,
        }
        for c in la.courses.all()
    ]
    formset_class = forms.formset_factory(
        CourseRowForm,
        formset=BaseCourseRowFormSet,
        extra=extra,
        can_delete=True,
        max_num=80,
        validate_max=True,
    )
    formset = cast(BaseCourseRowFormSet, formset_class(data, initial=initial, prefix="rows"))
    changes = la.kind == LearningAgreementKind.CHANGES
    for index, form in enumerate(formset.forms):
        if not changes:
            del form.fields["change"]
            del form.fields["change_reason"]
        elif index >= len(initial):
            form.fields["change"].initial = ComponentChange.ADDED
    return formset


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SuggestionForm(forms.Form):
    equivalence = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for adding"), max_length=300, required=False)


# --- grade conversion tables --------------------------------------------------------------------------------


class ConversionTableForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    basis = forms.ChoiceField(label=_("Basis"), choices=ConversionBasis.choices, widget=forms.RadioSelect)
    home_scale = forms.CharField(
        label=_("Our grade scale"),
        max_length=100,
        initial="百分制 0–100",
        help_text=_("For example: 0–100, pass 60"),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    active = forms.BooleanField(
        label=_("In use (the partner's other tables are taken out of use)"), required=False, initial=True
    )


class ConversionRowForm(forms.Form):
    partner_grade = forms.CharField(label=_("Partner grade"), max_length=20, required=False)
    partner_percent = forms.DecimalField(
        label=_("Share at the partner (%)"), max_digits=5, decimal_places=2, required=False, widget=PERCENT
    )
    home_grade = forms.CharField(label=_("Our grade"), max_length=20, required=False)
    home_percent = forms.DecimalField(
        label=_("Share at our university (%)"), max_digits=5, decimal_places=2, required=False, widget=PERCENT
    )
    passing = forms.BooleanField(label=_("Pass"), required=False, initial=True)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            data.get(name) not in (None, "")
            for name in ("partner_grade", "partner_percent", "home_grade", "home_percent")
        )


class BaseConversionRowFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        return [
            dict(form.cleaned_data)
            for form in self.forms
            if hasattr(form, "cleaned_data") and not form.is_blank()
        ]


def conversion_formset(table: Any = None, data: Any = None, *, extra: int = 6) -> BaseConversionRowFormSet:
    initial = []
    if table is not None:
        initial = [
            {
                "partner_grade": r.partner_grade,
                "partner_percent": r.partner_percent,
                "home_grade": r.home_grade,
                "home_percent": r.home_percent,
                "passing": r.passing,
            }
            for r in table.rows.all()
        ]
    formset_class = forms.formset_factory(
        ConversionRowForm, formset=BaseConversionRowFormSet, extra=extra, max_num=60, validate_max=True
    )
    return cast(BaseConversionRowFormSet, formset_class(data, initial=initial, prefix="grades"))


class ConvertTryForm(forms.Form):
    grade = forms.CharField(label=_("Partner grade"), max_length=20)


# --- transcript and recognition -----------------------------------------------------------------------------


class ResultRowForm(forms.Form):
    """One transcript row with its recognition decision (``services.recognition.RESULT_FIELDS``)."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    partner_code = forms.CharField(label=_("Code"), max_length=40, required=False, widget=CODE)
    partner_title = forms.CharField(label=_("Course"), max_length=300, required=False, widget=TITLE)
    credits = forms.DecimalField(
        label=_("Credits"), max_digits=5, decimal_places=1, required=False, widget=CREDITS
    )
    credit_system = forms.ChoiceField(
        label=_("Credit system"), choices=CreditSystem.choices, initial=CreditSystem.ECTS
    )
    partner_grade = forms.CharField(label=_("Grade"), max_length=20, required=False, widget=CODE)
    passed = forms.BooleanField(label=_("Passed"), required=False, initial=True)
    converted_grade = forms.CharField(
        label=_("Converted grade"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to convert with the partner's table."),
        widget=CODE,
    )
    home_code = forms.CharField(label=_("Our course code"), max_length=40, required=False, widget=CODE)
    home_title = forms.CharField(label=_("Our course"), max_length=300, required=False, widget=TITLE)
    home_credits = forms.DecimalField(
        label=_("Our credits"), max_digits=5, decimal_places=1, required=False, widget=CREDITS
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=RecognitionDecision.choices, initial=RecognitionDecision.PENDING
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.TextInput(attrs={"size": "24"})
    )
    la_course = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("id") and not any(
            data.get(name) not in (None, "")
            for name in ("partner_code", "partner_title", "credits", "partner_grade")
        )


class BaseResultRowFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        result = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE") or form.is_blank():
                continue
            result.append({k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
        return result


def result_formset(results: list[Any], data: Any = None, *, extra: int = 2) -> BaseResultRowFormSet:
    initial = [
        {
            "id": r.pk,
            "partner_code": r.partner_code,
            "partner_title": r.partner_title,
            "credits": r.credits,
            "credit_system": r.credit_system,
            "partner_grade": r.partner_grade,
            "passed": r.passed,
            "converted_grade": r.converted_grade,
            "home_code": r.home_code,
            "home_title": r.home_title,
            "home_credits": r.home_credits,
            "decision": r.decision,
            "reason": r.reason,
            "la_course": r.la_course_id,
        }
        for r in results
    ]
    formset_class = forms.formset_factory(
        ResultRowForm,
        formset=BaseResultRowFormSet,
        extra=extra,
        can_delete=True,
        max_num=80,
        validate_max=True,
    )
    return cast(BaseResultRowFormSet, formset_class(data, initial=initial, prefix="results"))


class TranscriptUploadForm(forms.Form):
    file = forms.FileField(label=_("Transcript file (PDF, Word, Excel, PNG or JPEG)"))
