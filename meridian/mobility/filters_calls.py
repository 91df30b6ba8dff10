"""One filter definition for call lists (the staff list page; an API list would use the same class).

``CallFilter(data, queryset=…)``: the queryset passed in must already be restricted to what the reader may
see; the filter only narrows it. An invalid value (an unknown state or semester, a year that is not a
number, an unknown unit) makes the filter invalid: the page lists nothing and says why (status 400).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.mobility.choices import CallState, Semester
from meridian.mobility.models import Call


def _units(request) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(pk__in=Call.objects.values("unit_id")).order_by("path")


class CallFilter(django_filters.FilterSet):
    """Calls by academic year, semester, state, running unit (with its subunits) and words of the number or
    the title (English or Chinese)."""

    q = django_filters.CharFilter(label=_("Number or title"), method="filter_text")
    academic_year = django_filters.NumberFilter(label=_("Academic year"), field_name="academic_year")
    semester = django_filters.ChoiceFilter(
        label=_("Semester"), choices=Semester.choices, distinct=False, empty_label=_("All")
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=CallState.choices, distinct=False, empty_label=_("All")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (with subunits)"), queryset=_units, method="filter_unit", empty_label=_("All")
    )

    class Meta:
        model = Call
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(number__icontains=word) | Q(title_en__icontains=word) | Q(title_zh__icontains=word)
            )
        return queryset

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset


def filter_errors(filterset: CallFilter) -> list[tuple[str, str]]:
    """``(field label, message)`` for every invalid filter value."""
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows
