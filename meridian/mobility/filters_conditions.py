"""One filter definition for lists of cooperation conditions (the staff page ``/exchange/places/``, and any
API or export of them): ``ConditionFilter(data, queryset=…)`` narrows a queryset already restricted to what
the reader may see. An invalid value (unknown partner, unit or choice, a year or ISCED-F code that is not
one) makes the filter invalid: the page lists nothing and says why (status 400), never an unfiltered list.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.mobility.choices import Direction, MobilityType
from meridian.mobility.models import CooperationCondition
from meridian.partners.models import Partner


class ConditionFilter(django_filters.FilterSet):
    """Conditions by partner, direction, mobility type, academic year (that year's conditions and those for
    every year), subject area (the ISCED-F field, its subfields and the broader fields it belongs to) and
    unit (the condition's unit at our university with its subunits; without one, the agreement's
    responsible unit)."""

    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        queryset=Partner.objects.filter(cooperation_conditions__isnull=False).distinct().order_by("name"),
        empty_label=_("All"),
    )
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Direction.choices, empty_label=_("All")
    )
    mobility_type = django_filters.ChoiceFilter(
        label=_("Mobility type"), choices=MobilityType.choices, empty_label=_("All")
    )
    academic_year = django_filters.NumberFilter(
        label=_("Academic year"),
        method="filter_year",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": "2026", "size": 6}),
    )
    subject_area = django_filters.CharFilter(
        label=_("Subject area (ISCED-F)"),
        method="filter_subject",
        widget=forms.TextInput(attrs={"placeholder": "0714", "size": 6}),
        validators=[
            RegexValidator(r"^\d{2,4}$", _("Give an ISCED-F code of 2 to 4 digits, e.g. 07 or 0714."))
        ],
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (with subunits)"),
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_unit",
        empty_label=_("All"),
    )

    class Meta:
        model = CooperationCondition
        fields: list[str] = []

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value in (None, ""):
            return queryset
        return queryset.filter(Q(academic_year=int(value)) | Q(academic_year__isnull=True))

    def filter_subject(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = (value or "").strip()
        if not code:
            return queryset
        broader = [code[:n] for n in range(2, len(code))]
        matched = CooperationCondition.objects.filter(
            Q(subject_areas__code__startswith=code) | Q(subject_areas__code__in=broader)
        ).values("pk")
        return queryset.filter(pk__in=matched)

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(
            Q(home_unit__path__startswith=value.path)
            | Q(home_unit__isnull=True, agreement__responsible_unit__path__startswith=value.path)
        )


def filter_errors(filterset: ConditionFilter) -> list[tuple[str, str]]:
    """``(field label, message)`` for every invalid filter value."""
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows
