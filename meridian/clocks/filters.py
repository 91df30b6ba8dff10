"""One filter definition for the deadlines list: the page and the CSV export use it."""

from __future__ import annotations

from datetime import datetime, time

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import can_read_university, coordinated_unit_ids
from meridian.clocks.choices import ObligationState
from meridian.clocks.rules import clock_rules


def _units(request) -> QuerySet[OrgUnit]:
    user = getattr(request, "user", None)
    if can_read_university(user):
        return OrgUnit.objects.order_by("path")
    return OrgUnit.objects.filter(pk__in=coordinated_unit_ids(user)).order_by("path")


class ObligationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=ObligationState.choices, method="filter_state", empty_label=None
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (and its sub-units)"), queryset=_units, method="filter_unit"
    )
    rule = django_filters.ChoiceFilter(label=_("Rule"), choices=lambda: clock_rules.choices())
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    due_before = django_filters.DateFilter(
        label=_("Due before"),
        method="filter_due_before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs) -> None:
        data = data.copy() if data is not None else {}
        data.setdefault("state", ObligationState.OPEN)
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset, name, value):
        return queryset.filter(state=value or ObligationState.OPEN)

    def filter_unit(self, queryset, name, value):
        if not value:
            return queryset
        # Ids first: the list then runs on the (state, unit, due) index instead of joining every unit row.
        ids = list(OrgUnit.objects.filter(path__startswith=value.path).values_list("pk", flat=True))
        return queryset.filter(unit_id__in=ids)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(due_at__lte=timezone.now()) if value else queryset

    def filter_due_before(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(due_at__lt=timezone.make_aware(datetime.combine(value, time(0, 0))))
