"""Forms of guests' self-service and of the office's guest page. They validate input; services write.

The guest form extends people's self-service form (person data, one travel document with its scan, consent)
with what a visit needs: photo, itinerary, dietary and accessibility needs; the CV is a formset of rows.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from meridian.people.forms import SelfServiceForm, date_input
from meridian.visitors.models import VisitGuest
from meridian.visitors.services.guests import ITINERARY_FIELDS, MONTH, NEEDS_FIELDS


def month_input() -> forms.TextInput:
    """A month picker where browsers have one; elsewhere a text box expecting YYYY-MM."""
    return forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})


class GuestForm(SelfServiceForm):
    """People's self-service fields plus photo, itinerary and needs (labels from the ``VisitGuest`` model)."""

    photo = forms.FileField(
        label=_("Photo (JPEG or PNG)"),
        required=False,
        help_text=_(
            "A recent passport-style photo. A new photo is added to those you sent before; the earlier ones "
            "stay."
        ),
    )
    # ``services.guests.guest_data_fingerprint`` of the data this page was opened on (stale-edit check).
    fingerprint = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        generated = fields_for_model(VisitGuest, fields=ITINERARY_FIELDS + NEEDS_FIELDS)
        for name in ITINERARY_FIELDS + NEEDS_FIELDS:
            field = generated[name]
            if isinstance(field, forms.DateField):
                field.widget = date_input()
            self.fields[name] = field
        self.fields["document_number"].help_text = _("As printed on the passport's data page.")
        consent = self.fields.pop("consent")
        version = self.fields.pop("version")
        self.fields["consent"], self.fields["version"] = consent, version

    @classmethod
    def itinerary_initial(cls, guest: VisitGuest) -> dict[str, Any]:
        return {name: getattr(guest, name) for name in ITINERARY_FIELDS + NEEDS_FIELDS}

    def itinerary(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ITINERARY_FIELDS}

    def needs(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in NEEDS_FIELDS}

    def field_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The visible fields in the sections the page shows (consent apart)."""
        about = ["family_name", "given_name", "name_zh", "gender", "birth_date", "birth_place", "nationality"]
        passport = [
            "document_kind",
            "document_number",
            "issuing_country",
            "issue_date",
            "expiry_date",
            "scan",
        ]
        groups = [
            (_("About you"), [*about, "email", "phone", "photo"]),
            (_("Passport"), passport),
            (_("Travel plan"), ITINERARY_FIELDS),
            (_("Needs"), NEEDS_FIELDS),
        ]
        return [
            (str(title), [self[name] for name in names if name in self.fields]) for title, names in groups
        ]


class CVRowForm(forms.Form):
    """One CV row: from and to month (YYYY-MM; "to" empty means until now), organisation and position."""

    start = forms.CharField(label=_("From (month)"), max_length=7, widget=month_input())
    end = forms.CharField(
        label=_("To (month)"), max_length=7, required=False, widget=month_input(),
        help_text=_("Leave empty for your current position."),
    )  # fmt: skip
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200)

    def _month(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if value and not MONTH.match(value):
            raise ValidationError(_("Enter a month as YYYY-MM, for example 2019-09."))
        return value

    def clean_start(self) -> str:
        return self._month("start")

    def clean_end(self) -> str:
        return self._month("end")


class BaseCVFormSet(forms.BaseFormSet):
    """Every row may be left (or emptied) blank: a blank row is no row."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        kwargs["empty_permitted"] = True
        kwargs["use_required_attribute"] = False
        return super()._construct_form(i, **kwargs)  # type: ignore[misc]  # Django's private hook

    def clean(self) -> None:
        """A row that ends before it starts is refused, on the row and above the CV, named as the page numbers
        its rows ("CV, row 2")."""
        problems = []
        for number, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None) or {}
            start, end = data.get("start"), data.get("end")
            if start and end and end < start:
                form.add_error("end", _("The end is before the start."))
                problems.append(
                    ValidationError(
                        _("CV, row %(row)s: the end is before the start."), params={"row": number}
                    )
                )
        if problems:
            raise ValidationError(problems)

    def rows(self) -> list[dict[str, str]]:
        """The filled rows as the service takes them: {from, to, organisation, position}, newest first."""
        rows = [
            {
                "from": form.cleaned_data["start"],
                "to": form.cleaned_data.get("end", ""),
                "organisation": form.cleaned_data["organisation"],
                "position": form.cleaned_data["position"],
            }
            for form in self.forms
            if getattr(form, "cleaned_data", None) and form.cleaned_data.get("start")
        ]
        return sorted(rows, key=lambda r: r["from"], reverse=True)


CVFormSet = formset_factory(CVRowForm, formset=BaseCVFormSet, extra=0, max_num=30, absolute_max=30)
CV_PREFIX = "cv"
CV_BLANK_ROWS = 3


def cv_formset(data: Any = None, *, rows: list[dict[str, Any]] | None = None, more: int = 0) -> Any:
    """The CV formset: bound to ``data`` (with ``more`` blank rows added, for the "more rows" button), or
    showing the stored ``rows`` plus blank rows to fill."""
    if data is not None:
        if more:
            data = data.copy()
            key = f"{CV_PREFIX}-TOTAL_FORMS"
            data[key] = str(min(int(data.get(key) or 0) + more, 30))
        return CVFormSet(data, prefix=CV_PREFIX)
    initial = [
        {"start": r.get("from", ""), "end": r.get("to", ""), "organisation": r.get("organisation", ""),
         "position": r.get("position", "")}
        for r in rows or []
    ]  # fmt: skip
    formset = formset_factory(
        CVRowForm, formset=BaseCVFormSet, extra=CV_BLANK_ROWS, max_num=30, absolute_max=30
    )
    return formset(initial=initial, prefix=CV_PREFIX)


class LockForm(forms.Form):
    action = forms.ChoiceField(choices=[("lock", "lock"), ("unlock", "unlock")])
    confirm_failing = forms.BooleanField(label=_("Lock despite the failing checks"), required=False)


class LinkForm(forms.Form):
    action = forms.ChoiceField(choices=[("issue", "issue"), ("revoke", "revoke")])
