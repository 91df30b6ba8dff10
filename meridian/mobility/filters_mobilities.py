"""One filter definition for the mobility list: the HTML page and its CSV/XLSX export use it.

``MobilityFilter(data, queryset=selectors.mobilities.mobility_list(user=user), request=request)``: the
queryset must already be restricted to what the user may see — the filter only narrows it. Invalid values make
the filter invalid (``is_valid()`` False, messages in ``form.errors``): callers show them instead of listing
everything.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.core.filters import OrderingFilter
from meridian.mobility.choices import Direction, MobilityState, MobilityType, Semester
from meridian.mobility.models import Mobility
from meridian.partners.models import Partner

ORDERING = {
    "number": "number",
    "academic_year": "academic_year",
    "planned_start": "planned_start",
    "state": "state",
    "created_at": "created_at",
}


class MobilityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices, distinct=False)
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=MobilityState.choices, distinct=False
    )
    partner = django_filters.ModelChoiceFilter(label=_("Partner"), queryset=Partner.objects.none())
    academic_year = django_filters.ChoiceFilter(label=_("Academic year"), choices=[], distinct=False)
    semester = django_filters.ChoiceFilter(label=_("Semester"), choices=Semester.choices, distinct=False)
    home_unit = django_filters.ModelChoiceFilter(
        label=_("School (with its subunits)"), queryset=OrgUnit.objects.none(), method="filter_unit"
    )
    mobility_type = django_filters.ChoiceFilter(
        label=_("Mobility type"), choices=MobilityType.choices, distinct=False
    )
    ordering = OrderingFilter(
        label=_("Sort by"),
        fields=tuple(ORDERING.items()),
        field_labels={
            "number": _("Number"),
            "-number": _("Number (descending)"),
            "academic_year": _("Academic year"),
            "-academic_year": _("Academic year (latest first)"),
            "planned_start": _("Planned start"),
            "-planned_start": _("Planned start (latest first)"),
            "state": _("State"),
            "-state": _("State (descending)"),
            "created_at": _("Created"),
            "-created_at": _("Created (newest first)"),
        },
    )

    class Meta:
        model = Mobility
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        visible = self.queryset
        # Only what occurs among the mobilities the user may see: no list of every partner or unit.
        self.filters["partner"].queryset = Partner.objects.filter(
            pk__in=visible.order_by().values("partner_id")
        ).order_by("name")
        self.filters["home_unit"].queryset = OrgUnit.objects.filter(
            pk__in=visible.order_by().values("home_unit_id")
        ).order_by("path")
        years = sorted(set(visible.order_by().values_list("academic_year", flat=True)), reverse=True)
        year_filter = self.filters["academic_year"]
        year_filter.extra["choices"] = [(str(y), f"{y}/{y + 1}") for y in years]
        # A form field built earlier (the API schema builds the class's fields) would keep the empty choices.
        year_filter.__dict__.pop("_field", None)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word in the number, the student's names or e-mail, or the partner's names."""
        for word in value.split()[:6]:
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(person__family_name__icontains=word)
                | Q(person__given_name__icontains=word)
                | Q(person__name_zh__icontains=word)
                | Q(student_email__icontains=word)
                | Q(partner__name__icontains=word)
                | Q(partner__name_en__icontains=word)
                | Q(partner__name_zh__icontains=word)
            )
        return queryset

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(home_unit__path__startswith=value.path) if value else queryset
