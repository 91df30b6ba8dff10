"""One filter definition for the public directory page, the open data feeds, the map and the widget."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from meridian.core.filters import ShownNameChoiceFilter
from meridian.core.registry import registry
from meridian.core.search_index import search_condition
from meridian.partners.choices import PartnerType
from meridian.partners.models import Partner
from meridian.partners.selectors import public_partner_condition
from meridian.reference.models import Country
from meridian.reference.selectors import region_choices as reference_region_choices


def public_text_condition(query: str) -> Q:
    """Every word of `query` is in what the directory shows: a name (English, Chinese, official), the acronym,
    the city, the country or the website's domain; case, accents, full-width forms and Chinese script
    variants are ignored. Identifiers and other internal values are never matched.
    """
    return search_condition(Partner, query, public=True)


def region_choices() -> list[tuple[str, str]]:
    """UN regions, each followed by its sub-regions, named in the reader's language."""
    return reference_region_choices(subregions=True)


class CountryChoiceFilter(ShownNameChoiceFilter):
    """Countries that have public partners, named and ordered (Chinese by pinyin) in the reader's language."""

    def get_queryset(self, request):
        with_partners = Partner.objects.filter(public_partner_condition()).order_by().values("country_id")
        return Country.objects.filter(code__in=Subquery(with_partners)).order_by("code")


class PublicPartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    country = CountryChoiceFilter(label=_("Country or region"), empty_label=_("All countries and regions"))
    region = django_filters.ChoiceFilter(
        label=_("World region"), choices=region_choices, method="filter_region", empty_label=_("All regions")
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), field_name="kind", choices=PartnerType.choices, empty_label=_("All types")
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Facets other contexts publish (cooperation channels from agreements), as choice filters.
        for facet in registry.public_partner_facets:
            contributed = django_filters.ChoiceFilter(
                label=facet.label, choices=facet.choices, empty_label=_("All channels")
            )
            contributed.field_name = facet.key
            contributed.method = "filter_facet"
            contributed.model = self._meta.model
            contributed.parent = self
            self.filters[facet.key] = contributed

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(public_text_condition(value)) if value.strip() else queryset

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(country__region_code=value) | Q(country__subregion_code=value))

    def filter_facet(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=Subquery(registry.public_partner_facets.get(name).partner_ids(value)))


BASE_FILTER_NAMES = ("q", "country", "region", "type")


def filter_names() -> tuple[str, ...]:
    """Every directory filter parameter: the directory's own, then each published facet's."""
    return BASE_FILTER_NAMES + tuple(facet.key for facet in registry.public_partner_facets)


def filter_params(data) -> dict[str, str]:
    """The filter parameters present in a query dict, as a plain dict (for links, feeds and the map)."""
    params: dict[str, str] = {}
    for name in filter_names():
        value = data.get(name)
        value = str(getattr(value, "pk", value) or "").strip()  # a chosen Country stands for its code
        if value:
            params[name] = value
    return params
