"""One filter definition for the trip list: the HTML page, the CSV/XLSX exports and the API all use it.

``TripFilter(data, queryset=Trip.objects.visible_to(user), request=request)``; the queryset passed in must
already be restricted to what the user may see — the filter only narrows it.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.core.filters import OrderingFilter
from meridian.partners.models import Partner
from meridian.people.models import Person
from meridian.people.selectors import person_search
from meridian.reference.models import Country, Institution
from meridian.travel.choices import DelegationKind, Purpose, RegionKind, TripState
from meridian.travel.models import ItineraryItem, Trip, TripMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuickSelect(forms.Select):
    """A select rendered by string building instead of one template per option: the filter bar holds a few
    hundred countries and units, and rendering them through templates dominated the list's time."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        values = {str(v) for v in self.format_value(value) if v is not None}
        options = []
        for group_name, group_choices, _index in self.optgroups(name, []):
            for option in group_choices:
                chosen = str(option["value"]) in values
                options.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        option["value"],
                        mark_safe(" selected") if chosen else "",
                        option["label"],
                    )
                )
            del group_name
        return format_html(
            "<select{}>{}</select>", flatatt(final), mark_safe("".join(str(o) for o in options))
        )


class QuickSelectMultiple(QuickSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name) -> bool:
        return False


# Sort keys offered to users (and the API) -> model fields.
ORDERING = {
    "depart_on": "depart_on",
    "number": "number",
    "state": "state",
}


def _visible_people(request) -> QuerySet[Person]:
    return Person.objects.visible_to(getattr(request, "user", None))


def _member_trip_ids(condition: Q) -> QuerySet:
    # A non-correlated IN: the database finds the matching members once, not once per trip row.
    return TripMember.objects.filter(condition).values("trip_id")


class TripFilterForm(forms.Form):
    """The filter form of the trip list: a departure range whose end lies before its start is an error, not an
    empty list without a word."""

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        start, end = cleaned.get("depart_from"), cleaned.get("depart_to")
        if start and end and end < start:
            self.add_error("depart_to", _("The end of the range lies before its start."))
        return cleaned


class TripFilter(django_filters.FilterSet):
    """Filters of the trip list. Unknown or invalid values make the filter invalid (``is_valid()`` False,
    errors in ``form.errors``); callers show the errors instead of silently listing everything."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    mine = django_filters.BooleanFilter(label=_("My trips"), method="filter_mine", widget=forms.HiddenInput)
    # Columns of the trip itself: no join, so no DISTINCT.
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=TripState.choices, distinct=False, widget=QuickSelectMultiple
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (with its subunits)"),
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_unit",
        widget=QuickSelect,
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=RegionKind.choices, distinct=False, widget=QuickSelect
    )
    purpose = django_filters.ChoiceFilter(
        label=_("Purpose"), choices=Purpose.choices, distinct=False, widget=QuickSelect
    )
    delegation_kind = django_filters.ChoiceFilter(
        label=_("Kind of delegation"), choices=DelegationKind.choices, distinct=False, widget=QuickSelect
    )
    country = django_filters.ModelChoiceFilter(
        label=_("Country or territory (itinerary)"),
        queryset=Country.objects.order_by("name_en"),
        method="filter_country",
        widget=QuickSelect,
    )
    depart_from = django_filters.DateFilter(
        label=_("Departs on or after"), field_name="depart_on", lookup_expr="gte", widget=DATE, distinct=False
    )
    depart_to = django_filters.DateFilter(
        label=_("Departs on or before"),
        field_name="depart_on",
        lookup_expr="lte",
        widget=DATE,
        distinct=False,
    )
    traveller = django_filters.CharFilter(label=_("Traveller's name"), method="filter_traveller")
    person = django_filters.ModelChoiceFilter(
        label=_("Traveller"),
        queryset=_visible_people,
        method="filter_person",
        # Thousands of people make a select too heavy; person pages link here with ?person=<id>.
        widget=forms.HiddenInput,
    )
    ordering = OrderingFilter(
        label=_("Sort by"),
        fields=tuple(ORDERING.items()),
        field_labels={
            "depart_on": _("Departure"),
            "-depart_on": _("Departure (latest first)"),
            "number": _("Number"),
            "-number": _("Number (descending)"),
            "state": _("State"),
            "-state": _("State (descending)"),
        },
    )

    class Meta:
        model = Trip
        fields: list[str] = []
        form = TripFilterForm

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Number, title, or the inviting organisation (typed name, partner or registry institution)."""
        value = value.strip()
        if not value:
            return queryset
        # Partners and institutions are matched first (IN subqueries), so that trips need no outer joins.
        partners = Partner.objects.filter(Q(name__icontains=value) | Q(name_en__icontains=value))
        institutions = Institution.objects.filter(
            pk__in=Trip.objects.filter(inviter_institution__isnull=False).values("inviter_institution_id"),
            name__icontains=value,
        )
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(inviter_name__icontains=value)
            | Q(inviter_partner_id__in=partners.values("pk"))
            | Q(inviter_institution_id__in=institutions.values("pk"))
        )

    def filter_mine(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Trips the signed-in user applies for or travels on."""
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        condition = Q(applicant_id=user.pk)
        person = getattr(user, "person", None)
        if person is not None:
            condition |= Q(pk__in=_member_trip_ids(Q(person_id=person.pk)))
        return queryset.filter(condition)

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_country(self, queryset: QuerySet, name: str, value: Country | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(pk__in=ItineraryItem.objects.filter(country=value).values("trip_id"))

    def filter_traveller(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word must occur in a member's Latin family or given name or Chinese name."""
        if not value.split():
            return queryset
        # People first (a small table), then their memberships through the person index.
        persons = person_search(Person.objects.all(), value)
        return queryset.filter(pk__in=_member_trip_ids(Q(person_id__in=persons.values("pk"))))

    def filter_person(self, queryset: QuerySet, name: str, value: Person | None) -> QuerySet:
        return queryset.filter(pk__in=_member_trip_ids(Q(person=value))) if value else queryset
