"""One filter definition for the agreement list: the HTML page, the API and the exports all use it."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.agreements.choices import AgreementState, AgreementType, Channel
from meridian.agreements.models import Agreement, AgreementChannel, AgreementPartner
from meridian.core.filters import OrderingFilter, ShownNameChoiceFilter
from meridian.core.search_index import search_filter
from meridian.core.sorting import localised_sort_field
from meridian.partners.models import Partner
from meridian.reference.models import Country
from meridian.reference.selectors import region_choices

# Sort keys of the list page, the API and the exports (``?ordering=title`` or ``-title``) → model fields.
ORDERING = {
    "number": "number",
    "title": "title_en",
    "end_date": "end_date",
    "state": "state",
}


def _visible_partners(request) -> QuerySet[Partner]:
    user = getattr(request, "user", None)
    return Partner.objects.visible_to(user)


def _region_choices() -> list[tuple[str, str]]:
    return region_choices()  # named in the reader's language


class AgreementOrderingFilter(OrderingFilter):
    """ "title" sorts by the title the list shows, in the reader's language: the English or Chinese sort key
    (``Agreement.title_sort_en`` / ``title_sort_zh``; Chinese titles by pinyin), each read from its index."""

    def get_ordering_value(self, param: str) -> str:
        value = super().get_ordering_value(param)
        if value.lstrip("-") == ORDERING["title"]:
            field = localised_sort_field(english="title_sort_en", chinese="title_sort_zh")
            return ("-" if value.startswith("-") else "") + field
        return value


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    # Columns of the agreement itself: no join, so no DISTINCT (which would make the database sort every row).
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=AgreementState.choices, distinct=False
    )
    kind = django_filters.MultipleChoiceFilter(label=_("Type"), choices=AgreementType.choices, distinct=False)
    channel = django_filters.MultipleChoiceFilter(
        label=_("Channel"), choices=Channel.choices, method="filter_channel"
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        queryset=_visible_partners,
        method="filter_partner",
        # Thousands of partners make a select too heavy; the partner page links here with ?partner=<id>.
        widget=forms.HiddenInput,
    )
    country = ShownNameChoiceFilter(
        label=_("Partner country"), queryset=Country.objects.all(), method="filter_country"
    )
    region = django_filters.ChoiceFilter(label=_("Region"), choices=_region_choices, method="filter_region")
    unit = ShownNameChoiceFilter(
        label=_("Responsible unit"), queryset=OrgUnit.objects.all(), method="filter_unit", tree=True
    )
    expiring_within = django_filters.NumberFilter(
        label=_("Expiring within (days)"), method="filter_expiring", min_value=0, max_value=36500
    )
    ends_after = django_filters.DateFilter(
        label=_("Ends on or after"), field_name="end_date", lookup_expr="gte"
    )
    ends_before = django_filters.DateFilter(
        label=_("Ends on or before"), field_name="end_date", lookup_expr="lte"
    )
    ordering = AgreementOrderingFilter(
        label=_("Sort by"),
        # django-filter takes (model field, parameter) pairs.
        fields=tuple((field, key) for key, field in ORDERING.items()),
        field_labels={
            "number": _("Number"),
            "title_en": _("Title"),
            "end_date": _("End date"),
            "state": _("State"),
        },
    )

    class Meta:
        model = Agreement
        fields: list[str] = []

    def _party(self, condition: Q) -> Q:
        # A non-correlated IN: the database finds the matching parties once, not once per agreement row.
        return Q(pk__in=AgreementPartner.objects.filter(condition).values("agreement_id"))

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Each word in the number, a title or a partner's name or acronym (case, accents, width and Chinese
        script ignored), through the indexed search column."""
        return search_filter(queryset, value)

    def filter_channel(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(
            pk__in=AgreementChannel.objects.filter(channel__in=value).values("agreement_id")
        )

    def filter_partner(self, queryset: QuerySet, name: str, value: Partner | None) -> QuerySet:
        return queryset.filter(self._party(Q(partner=value))) if value else queryset

    def filter_country(self, queryset: QuerySet, name: str, value: Country | None) -> QuerySet:
        return queryset.filter(self._party(Q(partner__country=value))) if value else queryset

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(self._party(Q(partner__country__region_code=value))) if value else queryset

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(responsible_unit__path__startswith=value.path)

    def filter_expiring(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(
            state=AgreementState.ACTIVE, end_date__gte=today, end_date__lte=today + timedelta(days=int(value))
        )
