"""Forms of the selection pages. They only read input; the services check it (ranges, who may act) and their
``ValidationError`` messages are put back on the fields."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meridian.mobility.choices import CriterionSource
from meridian.mobility.models import Call, Review
from meridian.mobility.services.selection import MAX_COMMENT, MAX_REASON, SCHOOL_MOVES


def put_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form's fields (unknown keys as form errors)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ReviewForm(forms.Form):
    """One number field per reviewer-scored criterion of the call (0…max points), a comment, and the
    button pressed: "save" (draft) or "submit"."""

    comment = forms.CharField(
        label=_("Comment for the committee"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, call: Call, review: Review | None = None, **kwargs) -> None:
        initial = kwargs.pop("initial", None) or {}
        if review is not None:
            points = {f"points_{k}": v for k, v in (review.points or {}).items()}
            initial = {**points, "comment": review.comment, **initial}
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.criteria = list(call.criteria.filter(source=CriterionSource.REVIEWERS))
        fields = {}
        for criterion in self.criteria:
            fields[f"points_{criterion.code}"] = forms.DecimalField(
                label=criterion.label,
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(criterion.max_points),
                decimal_places=2,
                help_text=_("0 to %(max)s points; weight %(weight)s")
                % {"max": criterion.max_points, "weight": criterion.weight.normalize()},
                # Two decimals, as the points are stored (the step follows ``decimal_places``).
                widget=forms.NumberInput(attrs={"min": 0, "max": criterion.max_points}),
            )
        self.fields = {**fields, **self.fields}

    def points(self) -> dict[str, object]:
        """``{criterion code: value}`` of the criteria filled in (the service checks them again)."""
        values = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"points_{criterion.code}")
            if value is not None:
                values[criterion.code] = value
        return values

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            field = f"points_{name}"
            if field in self.fields:
                self.add_error(field, messages)
            elif name in self.fields:
                self.add_error(name, messages)
            else:
                self.add_error(None, messages)


class SchoolDecisionForm(forms.Form):
    move = forms.ChoiceField(choices=[(m, m) for m in SCHOOL_MOVES], widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConflictForm(forms.Form):
    """A conflict of interest: the reason, and (for the office) which committee member it concerns."""

    reviewer = forms.TypedChoiceField(label=_("Reviewer"), coerce=int, required=False)
    reason = forms.CharField(
        label=_("Conflict of interest"),
        max_length=MAX_REASON,
        help_text=_("For example: a relative, or the student's thesis supervisor."),
    )

    def __init__(self, *args, reviewers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(u.pk, str(u.get_full_name() or u.username)) for u in reviewers]
