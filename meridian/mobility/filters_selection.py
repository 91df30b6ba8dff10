"""One filter definition for the staff list of applications: the page, its CSV/XLSX export (and an API list)
use it, so the three never disagree.

``ApplicationFilter(data, queryset=selectors.selection.application_list(user=…), request=request)``: the
queryset passed in must already be restricted to what the reader may see; the filter only narrows it. An
invalid value (an unknown state, a call or partner the reader may not choose, an unknown sort key) makes the
filter invalid: the page lists nothing and says why.

Every condition is a column of the application or a non-correlated ``IN`` subquery (preferences, people), so
that the list stays on its indexes with 50,000 applications and never needs ``DISTINCT``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.core.i18n import localised
from meridian.mobility.choices import ApplicationState
from meridian.mobility.models import Application, ApplicationPreference, Call
from meridian.partners.models import Partner
from meridian.people.models import Person
from meridian.people.selectors import person_search


class QuickSelect(forms.Select):
    """A select rendered by string building instead of one template per option: the filter bar holds every
    unit and hundreds of partners, and rendering them through templates dominated the list's time."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        chosen = {str(v) for v in self.format_value(value) if v is not None}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, mark_safe(" selected") if str(option_value) in chosen else "", label)
                for option_value, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class QuickModelSelect(QuickSelect):
    """A ``QuickSelect`` for a model choice: reads only ``fields`` of the choices' queryset (no model
    instances) and builds each label with ``label(row)``."""

    def __init__(self, *, fields: tuple[str, ...], label, attrs=None) -> None:
        super().__init__(attrs)
        self.fields, self.label = fields, label

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.fields, copy.label = self.fields, self.label
        return copy

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        if queryset is None:
            return super().render(name, value, attrs, renderer)
        empty = getattr(getattr(iterator, "field", None), "empty_label", None)
        rows = [("", empty)] if empty is not None else []
        rows += [(row[0], self.label(row)) for row in queryset.values_list(*self.fields)]
        self.choices = rows
        try:
            return super().render(name, value, attrs, renderer)
        finally:
            self.choices = iterator


def _named(row) -> str:
    """``(pk, name_en, name_zh)`` → the name in the reader's language."""
    return localised(row[1], row[2])


def _partner_named(row) -> str:
    """``(pk, name_en, name, name_zh)`` → as ``Partner.display_name``."""
    return localised(row[1] or row[2], row[3])


def _call_named(row) -> str:
    """``(pk, number, title_en, title_zh)`` → as ``str(Call)``."""
    return f"{row[1]} {localised(row[2], row[3])}"


class QuickSelectMultiple(QuickSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name) -> bool:
        return False


# Sort keys offered to readers → the order they stand for (ties always end on the primary key).
ORDERING = {
    "number": ("number",),
    "name": ("person__family_name", "person__given_name"),
    "score": ("score",),
    "rank": ("rank",),
    "state": ("state",),
    "submitted": ("submitted_at",),
}
DEFAULT_ORDER = "-number"  # newest first (numbers run by year and sequence), on the unique index


def _calls(request) -> QuerySet[Call]:
    return (
        Call.objects.visible_to(getattr(request, "user", None))
        .only("pk", "number", "title_en", "title_zh", "academic_year")
        .order_by("-academic_year", "number")
    )


def _units(request) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.only("pk", "name_en", "name_zh", "path").order_by("path")


def _partners(request) -> QuerySet[Partner]:
    """Partners offered as destinations in some call the reader may see."""
    from meridian.mobility.models import CallDestination

    calls = Call.objects.visible_to(getattr(request, "user", None)).values("pk")
    # Only what a label needs: hundreds of partners are listed on every page.
    return (
        Partner.objects.filter(pk__in=CallDestination.objects.filter(call__in=calls).values("partner_id"))
        .only("pk", "name", "name_en", "name_zh")
        .order_by("name")
    )


def order_by_key(queryset: QuerySet, key: str) -> QuerySet:
    """Sort by one of ``ORDERING`` (``-`` first for descending); nulls (no score, no rank) always last."""
    descending = key.startswith("-")
    fields = ORDERING[key.lstrip("-")]
    terms = [F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in fields]
    terms.append(F("pk").desc() if descending else F("pk").asc())
    return queryset.order_by(*terms)


def ordering_choices() -> list[tuple[str, Any]]:
    labels = {
        "number": _("Number"),
        "name": _("Name"),
        "score": _("Score"),
        "rank": _("Rank"),
        "state": _("State"),
        "submitted": _("Submitted"),
    }
    choices: list[tuple[str, Any]] = []
    for key, label in labels.items():
        choices.append((key, label))
        choices.append((f"-{key}", _("%(label)s (descending)") % {"label": label}))
    # The default order first, so that an untouched select shows what the list does.
    choices.sort(key=lambda choice: choice[0] != DEFAULT_ORDER)
    return choices


class ApplicationFilter(django_filters.FilterSet):
    """Applications by call, state, school (with its subunits), destination partner (any of the ranked
    preferences), words of the number or the student's name (Latin or Chinese) or student number, and the
    sort order."""

    q = django_filters.CharFilter(label=_("Number or name"), method="filter_text")
    call = django_filters.ModelChoiceFilter(
        label=_("Call"),
        queryset=_calls,
        field_name="call",
        distinct=False,
        empty_label=_("All"),
        widget=QuickModelSelect(fields=("pk", "number", "title_en", "title_zh"), label=_call_named),
    )
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=ApplicationState.choices, distinct=False, widget=QuickSelectMultiple
    )
    school = django_filters.ModelChoiceFilter(
        label=_("School (with subunits)"),
        queryset=_units,
        method="filter_school",
        empty_label=_("All"),
        widget=QuickModelSelect(fields=("pk", "name_en", "name_zh"), label=_named),
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("Destination partner"),
        queryset=_partners,
        method="filter_partner",
        empty_label=_("All"),
        widget=QuickModelSelect(fields=("pk", "name_en", "name", "name_zh"), label=_partner_named),
    )
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=ordering_choices,
        method="filter_ordering",
        empty_label=None,
        widget=QuickSelect,
    )

    class Meta:
        model = Application
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not (self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("ordering")):
            queryset = order_by_key(queryset, DEFAULT_ORDER)
        return queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Each word in the number, or the student's name or student number."""
        words = value.split()[:5]
        if not words:
            return queryset
        people = person_search(Person.objects.all(), " ".join(words))
        by_number = Person.objects.filter(member_number__iexact=value.strip())
        condition = Q(person_id__in=people.values("pk")) | Q(person_id__in=by_number.values("pk"))
        number = Q()
        for word in words:
            number &= Q(number__icontains=word)
        return queryset.filter(condition | number)

    def filter_school(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(unit_id__in=OrgUnit.objects.filter(path__startswith=value.path).values("pk"))

    def filter_partner(self, queryset: QuerySet, name: str, value: Partner | None) -> QuerySet:
        if not value:
            return queryset
        chosen = ApplicationPreference.objects.filter(destination__partner=value).values("application_id")
        return queryset.filter(pk__in=chosen)

    def filter_ordering(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return order_by_key(queryset, value or DEFAULT_ORDER)


def filter_errors(filterset: ApplicationFilter) -> list[tuple[str, str]]:
    """``(field label, message)`` for every invalid filter value."""
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows
