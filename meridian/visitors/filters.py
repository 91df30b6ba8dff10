"""One filter definition for the visit list: the HTML page, the CSV/XLSX export and the API use it.

``VisitFilter(data, queryset=Visit.objects.visible_to(user), request=request)``; the queryset passed in must
already be restricted to what the user may see — the filter only narrows it. Invalid values make the filter
invalid (``is_valid()`` False, messages in ``form.errors``): callers show them instead of listing everything.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.core.filters import OrderingFilter
from meridian.partners.models import Partner
from meridian.people.models import Person
from meridian.people.selectors import person_search
from meridian.reference.models import Institution
from meridian.visitors.choices import VisitCategory, VisitState
from meridian.visitors.models import Visit, VisitGuest

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORDERING = {"arrive_on": "arrive_on", "number": "number", "state": "state"}


def _visible_partners(request) -> QuerySet[Partner]:
    return Partner.objects.visible_to(getattr(request, "user", None))


class VisitFilterForm(forms.Form):
    """An arrival range whose end lies before its start is an error, not an empty list without a word."""

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        start, end = cleaned.get("arrive_from"), cleaned.get("arrive_to")
        if start and end and end < start:
            self.add_error("arrive_to", _("The end of the range lies before its start."))
        return cleaned


class VisitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    mine = django_filters.BooleanFilter(label=_("My visits"), method="filter_mine", widget=forms.HiddenInput)
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=VisitState.choices, distinct=False)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=VisitCategory.choices, distinct=False)
    host_unit = django_filters.ModelChoiceFilter(
        label=_("Host unit (with its subunits)"),
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_unit",
    )
    arrive_from = django_filters.DateFilter(
        label=_("Arrives on or after"), field_name="arrive_on", lookup_expr="gte", widget=DATE, distinct=False
    )
    arrive_to = django_filters.DateFilter(
        label=_("Arrives on or before"),
        field_name="arrive_on",
        lookup_expr="lte",
        widget=DATE,
        distinct=False,
    )
    guest = django_filters.CharFilter(label=_("Guest's name"), method="filter_guest")
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        queryset=_visible_partners,
        field_name="guest_partner",
        distinct=False,
        # Partner pages link here with ?partner=<id>; a select of every partner would be too heavy.
        widget=forms.HiddenInput,
    )
    ordering = OrderingFilter(
        label=_("Sort by"),
        fields=tuple(ORDERING.items()),
        field_labels={
            "arrive_on": _("Arrival"),
            "-arrive_on": _("Arrival (latest first)"),
            "number": _("Number"),
            "-number": _("Number (descending)"),
            "state": _("State"),
            "-state": _("State (descending)"),
        },
    )

    class Meta:
        model = Visit
        fields: list[str] = []
        form = VisitFilterForm

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Number, title, or the guests' organisation (typed name, partner or registry institution)."""
        value = value.strip()
        if not value:
            return queryset
        partners = Partner.objects.filter(
            Q(name__icontains=value) | Q(name_en__icontains=value) | Q(name_zh__icontains=value)
        )
        institutions = Institution.objects.filter(
            pk__in=Visit.objects.filter(guest_institution__isnull=False).values("guest_institution_id"),
            name__icontains=value,
        )
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(guest_organisation__icontains=value)
            | Q(guest_partner_id__in=partners.values("pk"))
            | Q(guest_institution_id__in=institutions.values("pk"))
        )

    def filter_mine(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Visits the signed-in user hosts or filed."""
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(Q(host_id=user.pk) | Q(created_by_id=user.pk))

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(host_unit__path__startswith=value.path) if value else queryset

    def filter_guest(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word must occur in a guest's Latin family or given name or Chinese name."""
        if not value.split():
            return queryset
        persons = person_search(Person.objects.all(), value)
        return queryset.filter(
            pk__in=VisitGuest.objects.filter(person_id__in=persons.values("pk")).values("visit_id")
        )
