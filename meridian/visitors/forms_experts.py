"""Forms of the foreign experts' pages: the list filter (shared by the page and any API list), the hiring
form with its candidate (an existing foreign expert's record or a new one), documents, changes and
justifications."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.core.widgets import PickerSelect
from meridian.people.choices import Gender, PersonKind
from meridian.people.models import Person
from meridian.reference.models import Country
from meridian.visitors import permissions
from meridian.visitors.choices import (
    ExpertChangeKind,
    ExpertDocumentKind,
    ExpertKind,
    ExpertState,
    PermitCategory,
)
from meridian.visitors.models import ExpertHiring
from meridian.visitors.selectors.experts import expiring_within
from meridian.visitors.services.experts import SUPERVISOR_REFUSED

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_EXPIRING_DAYS = 3650


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ExpertFilter(django_filters.FilterSet):
    """Filters of the hiring-case list, the one definition for the list page (``visitors:expert_list``) and
    the API (``/api/v1/visitors/experts/``): ``q`` (number, position, candidate's name), ``state``,
    ``kind``, ``category`` (work permit category), ``unit`` (host unit with its subunits) and ``expiring``
    (open cases whose contract or permit ends within 1 to ``MAX_EXPIRING_DAYS`` calendar days). The
    queryset passed in is already restricted to what the user may see. An invalid value makes the filter
    invalid (``is_valid()`` False, errors in ``form.errors``): the page shows the errors and lists nothing,
    the API answers 400 with them — never everything as if unfiltered."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    state = django_filters.ChoiceFilter(label=_("State"), choices=ExpertState.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ExpertKind.choices)
    category = django_filters.ChoiceFilter(
        label=_("Work permit category"), field_name="permit_category", choices=PermitCategory.choices
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Host unit (with its subunits)"),
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_unit",
    )
    expiring = IntegerFilter(
        label=_("Contract or permit ends within (days)"),
        method="filter_expiring",
        min_value=1,
        max_value=MAX_EXPIRING_DAYS,
    )

    class Meta:
        model = ExpertHiring
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(position__icontains=word)
                | Q(person__family_name__icontains=word)
                | Q(person__given_name__icontains=word)
                | Q(person__name_zh__icontains=word)
            )
        return queryset

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(host_unit__path__startswith=value.path) if value else queryset

    def filter_expiring(self, queryset: QuerySet, name: str, value: int | None) -> QuerySet:
        if not value:
            return queryset
        from meridian.visitors.casework_experts import today

        return expiring_within(queryset, int(value), today=today())


def filter_errors(filterset: django_filters.FilterSet) -> list[tuple[str, str]]:
    """(field label, message) for every invalid filter value."""
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows


class ExpertHiringForm(forms.ModelForm):
    """The hiring case. The candidate is chosen among foreign experts' records the user may see, or recorded
    anew with the ``new_*`` fields. Fields that may no longer change in the case's state are disabled."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    new_family_name = forms.CharField(label=_("New candidate: family name"), max_length=80, required=False)
    new_given_name = forms.CharField(label=_("New candidate: given name"), max_length=80, required=False)
    new_name_zh = forms.CharField(label=_("New candidate: name in Chinese"), max_length=60, required=False)
    new_gender = forms.TypedChoiceField(
        label=_("New candidate: gender"), choices=Gender.choices, coerce=int, initial=Gender.NOT_KNOWN
    )
    new_birth_date = forms.DateField(label=_("New candidate: date of birth"), required=False, widget=DATE)
    new_nationality = forms.ModelChoiceField(
        label=_("New candidate: nationality"), queryset=Country.objects.order_by("name_en"), required=False
    )
    new_email = forms.EmailField(label=_("New candidate: e-mail"), required=False)
    allow_duplicate = forms.BooleanField(
        label=_("The new candidate is not the person already on record"), required=False
    )

    class Meta:
        model = ExpertHiring
        fields = [
            "kind",
            "position",
            "duties",
            "host_unit",
            "supervisor",
            "person",
            "contract_starts_on",
            "contract_ends_on",
            "annual_salary",
            "permit_category",
            "degree",
            "experience_years",
            "talent_programme",
            "programme_funds",
        ]
        widgets = {
            "contract_starts_on": DATE,
            "contract_ends_on": DATE,
            "duties": forms.Textarea(attrs={"rows": 3}),
            "supervisor": PickerSelect(search_url="accounts:people_search", depends={"unit": "host_unit"}),
        }

    NEW_PERSON = ("new_family_name", "new_given_name", "new_name_zh", "new_birth_date", "new_nationality")

    def __init__(self, *args: Any, user: Any = None, editable: tuple[str, ...] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.order_by("path")
        if not permissions.is_office(user):
            units = units.filter(pk__in=permissions.acted_unit_ids(user))
        if self.instance.pk:
            units = units | OrgUnit.objects.filter(pk=self.instance.host_unit_id)
        cast(forms.ModelChoiceField, self.fields["host_unit"]).queryset = units.distinct()
        # Candidates: the foreign experts' records the user may see, and those of the units they act for.
        people = Person.objects.filter(kind=PersonKind.FOREIGN_EXPERT, purged_at__isnull=True)
        if not permissions.is_office(user):
            people = people.visible_to(user) | people.filter(unit_id__in=permissions.acted_unit_ids(user))
        if self.instance.person_id:
            people = people | Person.objects.filter(pk=self.instance.person_id)
        person_field = cast(forms.ModelChoiceField, self.fields["person"])
        person_field.queryset = people.distinct().order_by("family_name", "given_name")
        person_field.help_text = _("Or record a new candidate below.")
        # Only staff of the units offered (with the units above and below them): never students, partner
        # contacts, leadership viewers or accounts without a role (permissions.expert_supervisors).
        offered = None if permissions.is_office(user) else list(units)
        supervisor_field = cast(forms.ModelChoiceField, self.fields["supervisor"])
        supervisor_field.queryset = permissions.expert_supervisors(offered)
        supervisor_field.help_text = _(
            "A member of staff of the host unit, of a unit above it or of a subunit."
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if editable is not None:
            for name in self.Meta.fields:
                if name not in editable:
                    self.fields[name].disabled = True
            if "person" not in editable:
                for name in (*self.NEW_PERSON, "new_gender", "new_email", "allow_duplicate"):
                    del self.fields[name]
        self.editable = editable

    def clean(self) -> dict:
        data = super().clean() or {}
        starts, ends = data.get("contract_starts_on"), data.get("contract_ends_on")
        if starts and ends and ends <= starts:
            self.add_error("contract_ends_on", _("The contract must end after it starts."))
        supervisor, unit = data.get("supervisor"), data.get("host_unit")
        if supervisor and unit and not permissions.may_supervise_expert(supervisor, unit):
            self.add_error(
                "supervisor",
                str(SUPERVISOR_REFUSED),
            )
        if "new_family_name" in self.fields:
            wants_new = any(data.get(name) for name in self.NEW_PERSON)
            if wants_new and data.get("person"):
                self.add_error("person", _("Choose a candidate on record or record a new one, not both."))
            elif wants_new:
                for name in ("new_family_name", "new_given_name", "new_nationality"):
                    if not data.get(name):
                        self.add_error(name, _("Needed for a new candidate."))
        return data

    def new_person_fields(self) -> dict[str, Any] | None:
        """The new candidate's fields for ``expert_person_create``, or None when none was entered."""
        data = self.cleaned_data
        if "new_family_name" not in self.fields or not data.get("new_family_name"):
            return None
        return {
            "family_name": data["new_family_name"],
            "given_name": data["new_given_name"],
            "name_zh": data.get("new_name_zh", ""),
            "gender": data.get("new_gender") or Gender.NOT_KNOWN,
            "birth_date": data.get("new_birth_date"),
            "nationality": data.get("new_nationality"),
            "email": data.get("new_email", ""),
        }

    def service_fields(self) -> dict[str, Any]:
        names = self.editable if self.editable is not None else self.Meta.fields
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in names}


class ExpertDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=ExpertDocumentKind.choices)
    file = forms.FileField(
        label=_("File (PDF, Word, Excel, PNG or JPEG)"),
        required=False,
        help_text=_("Checked by its content, not its name."),
    )
    received_on = forms.DateField(label=_("Original received on"), required=False, widget=DATE)
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ExpertChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("What changed"), choices=ExpertChangeKind.choices)
    description = forms.CharField(label=_("Description"), max_length=500)
    happened_on = forms.DateField(label=_("Changed on"), widget=DATE)


class ChangeReportedForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)


class JustifyForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    justification = forms.CharField(
        label=_("Justification"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
