"""One filter definition for the course-equivalence catalogue (``equivalence_list``).

``EquivalenceFilter(data, queryset=…)``: the queryset passed in is already restricted to what the reader may
see; the filter only narrows it. An unknown partner or school makes the filter invalid (``is_valid()`` False,
messages in ``form.errors``): the page lists nothing and shows the messages (status 400).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.mobility.models import CourseEquivalence
from meridian.partners.models import Partner

OFFERED = (("offered", _("offered")), ("withdrawn", _("withdrawn")), ("all", _("all")))


class EquivalenceFilter(django_filters.FilterSet):
    """Entries by partner, our school (with its subunits), text (codes and titles on both sides) and whether
    they are still offered (default: offered)."""

    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        queryset=Partner.objects.filter(course_equivalences__isnull=False).distinct().order_by("name"),
        empty_label=_("All"),
    )
    school = django_filters.ModelChoiceFilter(
        label=_("School"),
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_school",
        empty_label=_("All"),
    )
    q = django_filters.CharFilter(label=_("Course"), method="filter_text")
    status = django_filters.ChoiceFilter(
        label=_("Offered"), choices=OFFERED, method="filter_status", empty_label=None
    )

    class Meta:
        model = CourseEquivalence
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not self.is_bound or not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(withdrawn=False)
        return queryset.order_by("partner__name", "-times_approved", "partner_title", "id")

    def filter_school(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(home_unit__path__startswith=value.path) if value else queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        from meridian.mobility.selectors.learning import search_q

        return queryset.filter(search_q(value)) if value.strip() else queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "withdrawn":
            return queryset.filter(withdrawn=True)
        if value == "all":
            return queryset
        return queryset.filter(withdrawn=False)


def filter_errors(filterset: EquivalenceFilter) -> list[tuple[str, str]]:
    """``(field label, message)`` for every invalid filter value."""
    form = filterset.form
    return [
        (str(form.fields[name].label) if name in form.fields else "", " ".join(str(e) for e in errors))
        for name, errors in form.errors.items()
    ]
