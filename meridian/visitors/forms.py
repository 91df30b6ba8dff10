"""Forms of the visit pages; they collect input, the services (``services.visits``) decide.

The filing page is one form: ``VisitForm`` (the visit's own fields and links) and three formsets (guests,
day-by-day programme, budget). Row forms have no initial values and every select starts empty, so a row the
user leaves alone is "unchanged" and ignored. ``*_rows()`` turn the formsets into the lists of dicts
``visit_create``/``visit_update`` take.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from meridian.agreements.models import Agreement
from meridian.core.widgets import PickerSelect
from meridian.people.choices import Gender
from meridian.people.models import Person
from meridian.reference.models import Country, Institution
from meridian.visitors.choices import BudgetKind, GuestRank, ProgrammeKind, VisitFileKind
from meridian.visitors.models import Visit
from meridian.visitors.services.visits import (
    MAX_CAPTION,
    MAX_COMMENT,
    MAX_DESCRIPTION,
    MAX_FOLLOW_UP,
    MAX_OUTCOMES,
    MAX_POSITION,
    MAX_PROGRAMME,
    MAX_PURPOSE,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
EMPTY = [("", "—")]
UPLOAD_ACCEPT = ".pdf,.doc,.docx,.xls,.xlsx,.png,.jpg,.jpeg"


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _limit_text(field: forms.Field, limit: int) -> forms.Field:
    """A long free text refused past ``limit`` characters with Django's "at most N characters (it has M)"
    message. The browser's ``maxlength`` is left off: it would cut pasted text without a word."""
    assert isinstance(field, forms.CharField)
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs.pop("maxlength", None)
    said = lazy(lambda: gettext("At most %(n)s characters.") % {"n": f"{limit:,}"}, str)()
    field.help_text = format_lazy("{} {}", field.help_text, said) if field.help_text else said
    return field


def long_text(limit: int, *, rows: int = 3, **kwargs: Any) -> forms.CharField:
    """A textarea field of at most ``limit`` characters (see ``_limit_text``)."""
    field = forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)
    return cast(forms.CharField, _limit_text(field, limit))


class GuestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        country = obj.nationality.name if obj.nationality is not None else ""
        return f"{obj} · {country}" if country else str(obj)


class VisitForm(forms.ModelForm):
    """The visit's own fields. ``units``, ``hosts``, ``partners`` and ``agreements`` are the querysets the
    user may choose from (``selectors.visits``)."""

    registry_institution = forms.ModelChoiceField(
        label=_("Guests' organisation from the registry"),
        queryset=Institution.objects.all(),
        required=False,
        widget=forms.HiddenInput,
    )
    agreements = forms.ModelMultipleChoiceField(
        label=_("Agreements concerned"), queryset=Agreement.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Visit
        fields = [
            "title",
            "category",
            "host_unit",
            "host",
            "purpose",
            "arrive_on",
            "depart_on",
            "guest_partner",
            "guest_organisation",
            "guest_country",
            "reception_level",
            "reception_leader",
            "invitation_kind",
            "accommodation",
            "accommodation_address",
            "reciprocal",
            "projects",
            "funding_note",
        ]
        widgets = {
            "arrive_on": DATE,
            "depart_on": DATE,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "host": PickerSelect(search_url="accounts:people_search", depends={"unit": "host_unit"}),
            "guest_partner": PickerSelect(search_url="partners:search"),
        }
        help_texts = {
            "guest_partner": _("Pick a partner, or a registry institution, or type the organisation's name."),
            "host": _(
                "The member of staff who hosts the guests. A unit secretary files for the unit's hosts."
            ),
        }

    def __init__(
        self,
        *args: Any,
        units: QuerySet,
        hosts: QuerySet,
        partners: QuerySet,
        agreements: QuerySet,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "host_unit").queryset = units
        _model_choice(self, "host").queryset = hosts
        _model_choice(self, "guest_partner").queryset = partners
        _model_choice(self, "guest_country").queryset = Country.objects.order_by("name_en")
        _model_choice(self, "agreements").queryset = agreements
        _limit_text(self.fields["purpose"], MAX_PURPOSE)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["registry_institution"].initial = self.instance.guest_institution_id
            self.fields["agreements"].initial = [a.pk for a in self.instance.agreements.all()]

    def _post_clean(self) -> None:
        # The model's own validation runs in the service, with the guests, programme and budget.
        pass

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        arrive, depart = data.get("arrive_on"), data.get("depart_on")
        if arrive and depart and depart < arrive:
            self.add_error("depart_on", _("The departure date lies before the arrival date."))
        if not (
            data.get("guest_partner") or data.get("registry_institution") or data.get("guest_organisation")
        ):
            self.add_error(
                "guest_organisation",
                _(
                    "Name the guests' organisation: pick a partner or a registry institution, "
                    "or type its name."
                ),
            )
        return data

    def service_fields(self) -> dict[str, Any]:
        """The Visit fields for ``visit_create``/``visit_update`` (agreements are passed separately)."""
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["guest_institution"] = self.cleaned_data.get("registry_institution")
        for name in ("title", "purpose", "guest_organisation", "reception_leader", "accommodation_address"):
            data[name] = (data.get(name) or "").strip()
        for name in ("projects", "funding_note"):
            data[name] = (data.get(name) or "").strip()
        return data


# --- formset rows ----------------------------------------------------------------------------------------


class GuestForm(forms.Form):
    """A guest: a person on record, or a new guest by name (their passport data comes later through their
    self-service link)."""

    person = GuestChoiceField(
        label=_("Person on record"), queryset=Person.objects.none(), required=False, empty_label="—"
    )
    family_name = forms.CharField(label=_("Family name (new guest)"), max_length=100, required=False)
    given_name = forms.CharField(label=_("Given names (new guest)"), max_length=150, required=False)
    name_zh = forms.CharField(label=_("Name in Chinese"), max_length=60, required=False)
    nationality = forms.ModelChoiceField(
        label=_("Nationality"), queryset=Country.objects.order_by("name_en"), required=False, empty_label="—"
    )
    gender = forms.TypedChoiceField(
        label=_("Gender"), choices=EMPTY + list(Gender.choices), coerce=int, required=False, empty_value=None
    )
    position = forms.CharField(label=_("Position or title"), max_length=MAX_POSITION, required=False)
    rank = forms.ChoiceField(label=_("Standing"), choices=EMPTY + list(GuestRank.choices), required=False)
    is_head = forms.BooleanField(label=_("Head of the delegation"), required=False)
    # Shown only when a typed new guest matches guests on record (``matches``, set by the page).
    use_person = forms.ModelChoiceField(
        label=_("Use the guest on record"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    allow_duplicate = forms.BooleanField(
        label=_("This is a different person: create a new record"), required=False
    )
    EXTRA = ("use_person", "allow_duplicate")

    def __init__(self, *args: Any, people: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.matches: list[Person] = []
        if people is not None:
            _model_choice(self, "person").queryset = people
            _model_choice(self, "use_person").queryset = people

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("DELETE"):
            return data
        if data.get("use_person"):
            # The user picked the guest on record the page offered instead of the name they typed.
            data["person"] = data["use_person"]
            for name in ("family_name", "given_name", "name_zh"):
                data[name] = ""
            return data
        typed = (data.get("family_name") or "").strip()
        if data.get("person") and typed:
            self.add_error(
                "family_name", _("Either choose a person on record or type a new guest's name, not both.")
            )
        elif not data.get("person") and not typed:
            self.add_error("person", _("Choose a person on record or type the new guest's family name."))
        return data


class ProgrammeForm(forms.Form):
    day = forms.DateField(label=pgettext_lazy("programme item", "Day"), widget=DATE)
    starts_at = forms.TimeField(label=_("From"), widget=TIME, required=False)
    ends_at = forms.TimeField(label=_("Until"), widget=TIME, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=EMPTY + list(ProgrammeKind.choices))
    title = forms.CharField(
        label=pgettext_lazy("programme item", "Activity"), max_length=MAX_PROGRAMME["title"]
    )
    place = forms.CharField(label=_("Place"), max_length=MAX_PROGRAMME["place"], required=False)
    participants = forms.CharField(
        label=_("Our participants"), max_length=MAX_PROGRAMME["participants"], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The item ends before it starts."))
        return data


class BudgetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Budget line"), choices=EMPTY + list(BudgetKind.choices))
    description = forms.CharField(label=_("Description"), max_length=MAX_DESCRIPTION, required=False)
    persons = forms.IntegerField(
        label=_("Persons"), min_value=1, max_value=999, required=False, help_text=_("1 when left empty.")
    )
    days = forms.IntegerField(
        label=_("Days or nights"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("1 when left empty."),
    )
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=0)


def _formset(form: type[forms.Form]) -> type[forms.BaseFormSet]:
    return forms.formset_factory(form, extra=1, can_delete=True)


GuestFormSet = _formset(GuestForm)
ProgrammeFormSet = _formset(ProgrammeForm)
BudgetFormSet = _formset(BudgetForm)
FORMSETS = ("guests", "programme", "budget")


def _kept(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        # An extra row left alone has no cleaned data (the formset skips it); a removed row is ticked.
        if not data or data.get("DELETE"):
            continue
        rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows


def guest_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """``[{"person", "new_person", "is_head", "rank", "position"}]`` in the page's order."""
    rows = []
    for row in _kept(formset):
        new = None
        if not row.get("person"):
            new = {k: row.get(k) for k in ("family_name", "given_name", "name_zh", "nationality", "gender")}
            new["allow_duplicate"] = bool(row.get("allow_duplicate"))
        rows.append(
            {
                "person": row.get("person"),
                "new_person": new,
                "is_head": bool(row.get("is_head")),
                "rank": row.get("rank") or GuestRank.OTHER,
                "position": row.get("position") or "",
            }
        )
    return rows


def programme_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [row for row in _kept(formset) if row.get("day")]


def budget_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [row for row in _kept(formset) if row.get("kind") and row.get("amount") is not None]


def guest_initial(visit: Visit) -> list[dict[str, Any]]:
    return [
        {"person": g.person_id, "position": g.position, "rank": g.rank, "is_head": g.is_head}
        for g in visit.guests.all()
    ]


def programme_initial(visit: Visit) -> list[dict[str, Any]]:
    return [
        {
            "day": p.day,
            "starts_at": p.starts_at,
            "ends_at": p.ends_at,
            "kind": p.kind,
            "title": p.title,
            "place": p.place,
            "participants": p.participants,
        }
        for p in visit.programme.all()
    ]


def budget_initial(visit: Visit) -> list[dict[str, Any]]:
    return [
        {
            "kind": b.kind,
            "description": b.description,
            "persons": b.persons,
            "days": b.days,
            "amount": b.amount,
        }
        for b in visit.budget_lines.all()
    ]


# --- the visit page ----------------------------------------------------------------------------------------


class VisitFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of file"), choices=VisitFileKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PNG or JPEG; photos as PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=MAX_CAPTION, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; returns a list (empty when none was chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class VisitNoteForm(forms.Form):
    """The visit note written after the guests have left."""

    outcomes = long_text(
        MAX_OUTCOMES,
        rows=5,
        label=pgettext_lazy("visit note", "Outcomes"),
        help_text=_("What the visit achieved: talks held, agreements reached, lectures given."),
    )
    follow_up = long_text(
        MAX_FOLLOW_UP,
        label=_("Follow-up"),
        required=False,
        help_text=_("What happens next, and who does it."),
    )
    photos = MultipleFileField(
        label=_("Photos"), required=False, help_text=_("PNG or JPEG; you may choose several.")
    )


class EscalateForm(forms.Form):
    escalated = forms.BooleanField(label=_("Refer to a university leader"), required=False)
    comment = forms.CharField(label=_("Comment"), max_length=MAX_COMMENT, required=False)
