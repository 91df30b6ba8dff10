"""Forms of the trip application pages; they collect input, the services (``services.trips``) decide.

The application is one page: ``TripForm`` (the trip's own fields, links and uploads) and three formsets
(delegation, day-by-day itinerary, budget lines). ``*_rows()`` turn the formsets into the lists of dicts
``services.trips.trip_create`` / ``trip_update`` and ``rules.check_data`` take.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from meridian.agreements.models import Agreement
from meridian.core.widgets import PickerSelect, PickerSelectMultiple
from meridian.partners.models import Partner
from meridian.people.models import Person
from meridian.reference.models import Country, Institution
from meridian.travel.choices import BudgetKind, MemberRole, TripFileKind
from meridian.travel.models import Trip, TripPlanLine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Uploads offered on the application page: form field name -> kind of trip file.
UPLOAD_KINDS = {
    "invitation": TripFileKind.INVITATION,
    "invitation_translation": TripFileKind.INVITATION_TRANSLATION,
    "conference_notice": TripFileKind.CONFERENCE_NOTICE,
    "paper": TripFileKind.PAPER,
}
UPLOAD_HELP = _("PDF, Word, or a scan as PNG or JPEG.")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        name = str(obj)
        unit = obj.unit.name if obj.unit is not None else ""
        return f"{name} · {unit}" if unit else name


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


# --- formset rows -----------------------------------------------------------------------------------------
#
# An extra row the user leaves alone must count as unchanged (``has_changed()`` False), or the formset
# validates it and complains about its required fields. A browser posts every field of the row as rendered:
# a select without an empty choice posts the option it shows selected (the first one unless ``initial`` says
# otherwise), so each such field needs ``initial`` equal to that option. ``RowForm`` sees to it for every
# select of a row; ``RowFormSet`` starts a row the server added ("add a row" without JavaScript, nothing
# posted for it yet) from the same initial values, as if the browser had posted it untouched.


def _first_choice(field: forms.ChoiceField) -> Any:
    """The value of the option a select shows selected when nothing is: its first choice (None when the
    first choice is the empty one or a group)."""
    for value, label in cast("list[tuple[Any, Any]]", field.choices):
        if isinstance(label, (list, tuple)):  # an optgroup
            return None
        return None if value in ("", None) else value
    return None


class RowForm(forms.Form):
    """A row of a formset: every single-choice select without an empty choice and without ``initial`` gets
    its first choice as ``initial``, so that an untouched row is unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if (
                isinstance(field, forms.ChoiceField)
                and not isinstance(field, (forms.ModelChoiceField, forms.MultipleChoiceField))
                and field.initial is None
            ):
                field.initial = _first_choice(field)


class RowFormSet(forms.BaseFormSet):
    """A formset whose rows missing from the posted data (added by the server) hold their initial values."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]  # Django's hook, not in the stubs
        if form.is_bound and not any(str(key).startswith(f"{form.prefix}-") for key in form.data):
            data = QueryDict(mutable=True)
            data.update(form.data)
            for name, field in form.fields.items():
                value = field.prepare_value(form.get_initial_for_field(field, name))
                if value in (None, "", False, [], ()):
                    continue  # posted empty, or not at all (an unticked box)
                key = form.add_prefix(name)
                if isinstance(value, (list, tuple)):
                    data.setlist(key, [str(v) for v in value])
                else:
                    data[key] = "on" if value is True else str(value)
            form.data = data
        return form


def row_formset(form: type[forms.Form]) -> type[forms.BaseFormSet]:
    """The formset of ``form`` rows used on the travel pages: one extra row, rows can be removed."""
    return forms.formset_factory(form, formset=RowFormSet, extra=1, can_delete=True)


class TripForm(forms.ModelForm):
    """The trip's own fields. ``units``, ``applicants``, ``partners``, ``agreements`` and ``plan_lines`` are
    the querysets the user may choose from (see ``selectors.trips``)."""

    registry_institution = forms.ModelChoiceField(
        label=_("Inviting organisation from the registry"),
        queryset=Institution.objects.all(),
        required=False,
        widget=forms.HiddenInput,
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners concerned"),
        queryset=Partner.objects.none(),
        required=False,
        widget=PickerSelectMultiple(search_url="partners:search"),
    )
    agreements = forms.ModelMultipleChoiceField(
        label=_("Agreements concerned"), queryset=Agreement.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    invitation = forms.FileField(label=_("Invitation letter"), required=False, help_text=UPLOAD_HELP)
    invitation_translation = forms.FileField(
        label=_("Translation of the invitation letter"), required=False, help_text=UPLOAD_HELP
    )
    conference_notice = forms.FileField(
        label=_("Conference notice or acceptance"), required=False, help_text=UPLOAD_HELP
    )
    paper = forms.FileField(label=_("Paper or abstract"), required=False, help_text=UPLOAD_HELP)

    class Meta:
        model = Trip
        fields = [
            "title",
            "applicant",
            "unit",
            "region",
            "delegation_kind",
            "purpose",
            "task",
            "conference_name",
            "paper_title",
            "depart_on",
            "return_on",
            "inviter_partner",
            "inviter_name",
            "inviter_is_counterpart",
            "funding_source",
            "funding_note",
            "plan_line",
            "projects",
        ]
        widgets = {
            "depart_on": DATE,
            "return_on": DATE,
            "task": forms.Textarea(attrs={"rows": 3}),
            "inviter_partner": PickerSelect(search_url="partners:search"),
        }
        help_texts = {
            "inviter_partner": _(
                "Pick a partner, or a registry institution, or type the organisation's name."
            ),
            "plan_line": _(
                "The line of your unit's plan for the year; a trip outside the plan needs a reason."
            ),
        }

    def __init__(
        self,
        *args: Any,
        units: QuerySet,
        applicants: QuerySet,
        partners: QuerySet,
        agreements: QuerySet,
        plan_lines: QuerySet | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "unit").queryset = units
        _choices(self, "applicant").queryset = applicants
        self.fields["applicant"].help_text = _(
            "The traveller the application belongs to. "
            "A unit secretary files on behalf of a person of the unit."
        )
        _choices(self, "inviter_partner").queryset = partners
        self.fields["inviter_partner"].required = False
        _choices(self, "partners").queryset = partners
        _choices(self, "agreements").queryset = agreements
        _choices(self, "plan_line").queryset = (
            plan_lines if plan_lines is not None else TripPlanLine.objects.none()
        )
        self.fields["plan_line"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["registry_institution"].initial = self.instance.inviter_institution_id
            self.fields["partners"].initial = [p.pk for p in self.instance.partners.all()]
            self.fields["agreements"].initial = [a.pk for a in self.instance.agreements.all()]

    def _post_clean(self) -> None:
        # The model's own validation runs in the service, with the children; skip it here.
        pass

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        depart, back = data.get("depart_on"), data.get("return_on")
        if depart and back and back < depart:
            self.add_error("return_on", _("The return date lies before the departure date."))
        if not (data.get("inviter_partner") or data.get("registry_institution") or data.get("inviter_name")):
            self.add_error(
                "inviter_name",
                _(
                    "Name the inviting organisation: pick a partner or a registry institution, "
                    "or type its name."
                ),
            )
        return data

    def service_fields(self) -> dict[str, Any]:
        """The Trip fields for ``trip_create``/``trip_update`` (links and uploads are passed separately)."""
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["inviter_institution"] = self.cleaned_data.get("registry_institution")
        for name in (
            "title",
            "task",
            "conference_name",
            "paper_title",
            "inviter_name",
            "funding_note",
            "projects",
        ):
            data[name] = (data.get(name) or "").strip()
        return data

    def uploads(self) -> list[tuple[str, Any]]:
        """(kind, uploaded file) for each file chosen on the page."""
        return [
            (kind, self.cleaned_data[name])
            for name, kind in UPLOAD_KINDS.items()
            if self.cleaned_data.get(name)
        ]


class MemberForm(RowForm):
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(
        label=_("Role in the delegation"), choices=MemberRole.choices, initial=MemberRole.MEMBER
    )
    post = forms.CharField(label=_("Post or title"), max_length=200, required=False)
    is_unit_leader = forms.BooleanField(
        label=_("Leader of a unit"), required=False, help_text=_("Holds a leading post of their unit.")
    )

    def __init__(self, *args: Any, people: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            _choices(self, "person").queryset = people


class ItineraryForm(RowForm):
    day = forms.DateField(label=_("Date"), widget=DATE)
    country = forms.ModelChoiceField(
        label=_("Country or territory"), queryset=Country.objects.order_by("name_en")
    )
    city = forms.CharField(label=_("City"), max_length=120)
    is_transit = forms.BooleanField(label=_("Transit only"), required=False)
    activity = forms.CharField(label=_("Programme"), max_length=500, required=False)


class BudgetForm(RowForm):
    kind = forms.ChoiceField(label=_("Budget line"), choices=BudgetKind.choices, initial=BudgetKind.TRAVEL)
    country = forms.ModelChoiceField(
        label=_("Country or territory"), queryset=Country.objects.order_by("name_en"), required=False
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        initial="CNY",
        help_text=_("ISO code, e.g. CNY, EUR, USD."),
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0)
    persons = forms.IntegerField(label=_("Persons"), min_value=1, initial=1)
    days = forms.IntegerField(label=_("Days or nights"), min_value=1, initial=1)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].strip().upper()
        if not value.isalpha():
            raise forms.ValidationError(_("Give the three-letter currency code, e.g. CNY."))
        return value


MemberFormSet = row_formset(MemberForm)
ItineraryFormSet = row_formset(ItineraryForm)
BudgetFormSet = row_formset(BudgetForm)

FORMSET_PREFIXES = {"members": "members", "itinerary": "itinerary", "budget": "budget"}


def _kept(formset) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows


def member_rows(formset) -> list[dict[str, Any]]:
    """[{"person": Person, "role", "post", "is_unit_leader"}] in the page's order."""
    return [row for row in _kept(formset) if row.get("person")]


def itinerary_rows(formset) -> list[dict[str, Any]]:
    """[{"day": date, "country": Country, "city", "is_transit", "activity"}] sorted by day (stable)."""
    rows = [row for row in _kept(formset) if row.get("day") and row.get("country")]
    return sorted(rows, key=lambda row: row["day"])


def budget_rows(formset) -> list[dict[str, Any]]:
    """[{"kind", "amount": Decimal, "currency", "country": Country|None, "persons", "days", "note"}]."""
    return [row for row in _kept(formset) if row.get("kind") and row.get("amount") is not None]


def member_initial(trip: Trip) -> list[dict[str, Any]]:
    return [
        {"person": m.person_id, "role": m.role, "post": m.post, "is_unit_leader": m.is_unit_leader}
        for m in trip.members.all()
    ]


def itinerary_initial(trip: Trip) -> list[dict[str, Any]]:
    return [
        {
            "day": i.day,
            "country": i.country_id,
            "city": i.city,
            "is_transit": i.is_transit,
            "activity": i.activity,
        }
        for i in trip.itinerary.all()
    ]


def budget_initial(trip: Trip) -> list[dict[str, Any]]:
    return [
        {
            "kind": b.kind,
            "country": b.country_id,
            "currency": b.currency,
            "amount": b.amount,
            "persons": b.persons,
            "days": b.days,
            "note": b.note,
        }
        for b in trip.budget_lines.all()
    ]


class MoveForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
