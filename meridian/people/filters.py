"""Filters of the people list and of the access log (the page and its CSV export share each one)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import can_read_university, coordinated_unit_ids
from meridian.people.choices import AccessAction, DocumentType, PersonKind
from meridian.people.forms import date_input
from meridian.people.models import AccessLog, Person
from meridian.people.selectors import person_search


def _units(request) -> QuerySet[OrgUnit]:
    user = getattr(request, "user", None)
    if user is None or can_read_university(user):
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(pk__in=coordinated_unit_ids(user))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name (Latin or Chinese)"), method="filter_q")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=PersonKind.choices, empty_label=_("All kinds")
    )
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))

    class Meta:
        model = Person
        fields = ["q", "kind", "unit"]

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return person_search(queryset, value)


class AccessLogFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("User name"), field_name="username", lookup_expr="icontains")
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AccessAction.choices, empty_label=_("All actions")
    )
    person = django_filters.NumberFilter(label=_("Person record"), field_name="person_ref")
    document_kind = django_filters.ChoiceFilter(
        label=_("Document type"), choices=DocumentType.choices, empty_label=_("All types")
    )
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=date_input(),
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="at",
        lookup_expr="date__lte",
        widget=date_input(),
    )

    class Meta:
        model = AccessLog
        fields = ["username", "action", "person", "document_kind", "since", "until"]
