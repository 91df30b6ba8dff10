"""Forms of cooperation conditions and partners' factsheets. The forms only read the input; every rule is
checked by the services (``services.conditions``), whose messages the views put on the fields.

``FactsheetForm`` is shared with the partner portal::

    form = FactsheetForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            factsheet_update(partner=partner, actor=request.user, expected_version=form.expected_version(),
                             **form.values())
        except StaleEditError as exc:  # show core/stale_edit.html with ``stale=exc``, status 409
            form.take_saved_version(exc)
        except ValidationError as exc:
            apply_errors(form, exc)
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.core.errors import StaleEditError
from meridian.mobility import permissions
from meridian.mobility.choices import CefrLevel, Direction, MobilityType
from meridian.mobility.models import PartnerFactsheet
from meridian.mobility.models.base import PLACES, TOTAL_MONTHS, academic_year_label
from meridian.mobility.selectors.conditions import EQF_LABELS, agreement_academic_years, current_academic_year
from meridian.mobility.services.conditions import DEADLINE_NAMES, FACTSHEET_FIELDS
from meridian.mobility.widgets import MonthDayField
from meridian.partners.models import Partner, PartnerUnit

YEARS_WHEN_OPEN_ENDED = 6  # years offered after the current one when the agreement has no end date


class VersionedForm(forms.Form):
    """A form of a record with a version: the version the editor started from travels in a hidden field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def take_saved_version(self, exc: StaleEditError) -> None:
        """After a refused stale save the form keeps the editor's values and takes the saved version: once
        they have read what the other person changed (``core/stale_edit.html``), saving again applies
        theirs on top."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict from the request
        data["version"] = str(exc.current_version)
        self.data = data


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: per field where the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- factsheets ---------------------------------------------------------------------------------------------


def _https_urls(model_field, **kwargs: Any):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # people type "www.tu.example"; the web is https
    return model_field.formfield(**kwargs)


class FactsheetForm(VersionedForm):
    """A partner's factsheet: every field of ``services.conditions.FACTSHEET_FIELDS``, labelled and checked
    as the model says, and the version the editor starts from (0 when the partner has no factsheet yet)."""

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        self.partner = partner
        self.factsheet = PartnerFactsheet.objects.filter(partner_id=partner.pk).first()
        if "initial" not in kwargs:
            initial: dict[str, Any] = {"version": self.factsheet.version if self.factsheet else 0}
            if self.factsheet is not None:
                initial.update({name: getattr(self.factsheet, name) for name in FACTSHEET_FIELDS})
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        built = fields_for_model(PartnerFactsheet, fields=FACTSHEET_FIELDS, formfield_callback=_https_urls)
        for name, model_field in built.items():
            if name in DEADLINE_NAMES:
                # The service completes "03-15" to "--03-15" and checks the day; the model's validator would
                # refuse the short form before it gets there.
                model_field = MonthDayField(label=model_field.label, required=False)
            elif isinstance(model_field.widget, forms.Textarea):
                model_field.widget.attrs.update({"rows": 3})
            self.fields[name] = model_field

    def values(self) -> dict[str, Any]:
        """The cleaned fields, for ``services.conditions.factsheet_update``."""
        return {name: self.cleaned_data.get(name, "") or "" for name in FACTSHEET_FIELDS}


# --- conditions ---------------------------------------------------------------------------------------------


class SubjectAreasField(forms.CharField):
    """ISCED-F 2013 codes separated by commas or spaces ("0714, 0613"); the service checks they exist."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [code for code in text.replace(",", " ").replace("，", " ").split() if code]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(getattr(item, "code", str(item)) for item in value)
        return value


class LanguagesField(forms.CharField):
    """Language requirements as "en B2, de B1": a language code and a CEFR level per item."""

    def to_python(self, value: Any) -> list[tuple[str, str]]:  # type: ignore[override]
        text = (super().to_python(value) or "").replace("，", ",").replace(";", ",").replace("\n", ",")
        rows: list[tuple[str, str]] = []
        for item in text.split(","):
            parts = item.split()
            if not parts:
                continue
            if len(parts) != 2:
                raise ValidationError(
                    _("Write each requirement as a language code and a CEFR level, e.g. “en B2, de B1”."),
                    code="language_item",
                )
            rows.append((parts[0], parts[1]))
        return rows

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(f"{language} {level}" for language, level in value)
        return value


def year_choices(agreement, keep: int | None = None) -> list[tuple[str, str]]:
    """The academic years of ``agreement``'s period (a few years ahead when it is open-ended), and
    ``keep`` (a condition's own year, even outside)."""
    first, last = agreement_academic_years(agreement)
    now = current_academic_year()
    first = first if first is not None else now - 1
    last = last if last is not None else max(now, first) + YEARS_WHEN_OPEN_ENDED
    years = set(range(first, last + 1))
    if keep is not None:
        years.add(keep)
    return [("", str(_("Every year of the agreement")))] + [
        (str(year), academic_year_label(year)) for year in sorted(years)
    ]


class ConditionForm(VersionedForm):
    """One cooperation condition of ``agreement``; the partner and units offered are the agreement's."""

    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False)
    academic_year = forms.TypedChoiceField(
        label=_("Academic year"), choices=(), coerce=int, empty_value=None, required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", "—"), *Direction.choices], required=False
    )
    mobility_type = forms.ChoiceField(
        label=_("Mobility type"), choices=[("", "—"), *MobilityType.choices], required=False
    )
    places = forms.CharField(
        label=_("Places (persons per year)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": PLACES[0], "max": PLACES[1], "step": 1}),
    )
    total_months = forms.CharField(
        label=_("Total months per year"),
        required=False,
        # One decimal, as the service stores it (4.3 months is a valid answer).
        widget=forms.NumberInput(attrs={"min": 0, "max": TOTAL_MONTHS[1], "step": "0.1"}),
        help_text=_("The months of all places together, e.g. 2 places × 5 months = 10."),
    )
    subject_areas = SubjectAreasField(
        label=_("Subject areas (ISCED-F 2013 codes)"),
        required=False,
        help_text=_("Codes separated by commas, e.g. 0714, 0613; leave empty for every subject."),
    )
    eqf_levels = forms.MultipleChoiceField(
        label=_("Study levels (EQF)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(str(level), f"{level} · {label}") for level, label in EQF_LABELS.items()],
    )
    languages = LanguagesField(
        label=_("Language requirements"),
        required=False,
        help_text=_("Language code and minimum CEFR level, e.g. en B2, de B1 (levels: %(levels)s).")
        % {"levels": ", ".join(CefrLevel.values)},
    )
    home_unit = forms.ModelChoiceField(
        label=_("Unit at our university"), queryset=OrgUnit.objects.none(), required=False
    )
    partner_unit = forms.ModelChoiceField(
        label=_("Unit at the partner"), queryset=PartnerUnit.objects.none(), required=False
    )
    # The partner's deadlines: the same day every year, chosen as a month and a day.
    autumn_nomination_deadline = MonthDayField(
        label=_("Nomination deadline, autumn semester"), required=False
    )
    autumn_application_deadline = MonthDayField(
        label=_("Application deadline, autumn semester"), required=False
    )
    spring_nomination_deadline = MonthDayField(
        label=_("Nomination deadline, spring semester"), required=False
    )
    spring_application_deadline = MonthDayField(
        label=_("Application deadline, spring semester"), required=False
    )
    other_requirements = forms.CharField(
        label=_("Other requirements (public)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Never shown to partners or on the public site."),
    )

    def __init__(self, *args: Any, agreement, condition=None, user=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        partners = Partner.objects.filter(agreement_parties__agreement=agreement).order_by("name")
        cast(forms.ModelChoiceField, self.fields["partner"]).queryset = partners
        if partners.count() == 1 and condition is None:
            self.fields["partner"].initial = partners.first()
        units = OrgUnit.objects.all()
        if user is not None and not permissions.is_office(user):
            # A coordinator chooses among their own units (and keeps the one the office chose).
            keep_unit = condition.home_unit_id if condition is not None else None
            units = units.filter(Q(pk__in=permissions.acted_unit_ids(user)) | Q(pk=keep_unit))
        cast(forms.ModelChoiceField, self.fields["home_unit"]).queryset = units.order_by("path")
        cast(forms.ModelChoiceField, self.fields["partner_unit"]).queryset = PartnerUnit.objects.filter(
            partner__in=partners
        ).select_related("partner")
        keep = condition.academic_year if condition is not None else None
        cast(forms.TypedChoiceField, self.fields["academic_year"]).choices = year_choices(agreement, keep)

    @staticmethod
    def initial_for(condition) -> dict[str, Any]:
        """The form's values for an existing condition."""
        return {
            "version": condition.version,
            "partner": condition.partner_id,
            "academic_year": condition.academic_year,
            "direction": condition.direction,
            "mobility_type": condition.mobility_type,
            "places": condition.places,
            "total_months": condition.total_months,
            "subject_areas": [f.code for f in condition.subject_areas.all()],
            "eqf_levels": [str(level) for level in condition.eqf_levels or []],
            "languages": [(row.language, row.cefr_level) for row in condition.languages.all()],
            "home_unit": condition.home_unit_id,
            "partner_unit": condition.partner_unit_id,
            **{name: getattr(condition, name) for name in DEADLINE_NAMES},
            "other_requirements": condition.other_requirements,
            "internal_note": condition.internal_note,
        }

    def values(self) -> dict[str, Any]:
        """The cleaned fields, for ``condition_create`` and ``condition_update``."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data
