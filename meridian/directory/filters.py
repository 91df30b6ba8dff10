"""One filter definition for the public directory page, the open data feeds, the map and the widget."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from meridian.agreements.choices import AgreementState, Channel
from meridian.core.i18n import is_chinese
from meridian.core.text import clean_spaces
from meridian.partners.choices import PartnerType
from meridian.partners.models import Partner
from meridian.reference.models import Country

TEXT_FIELDS = ("name", "name_en", "name_zh", "acronym", "city")


_chinese = is_chinese


def public_text_condition(query: str) -> Q:
    """Every word of `query` is in a public name (English, Chinese, official), the acronym or the city."""
    condition = Q()
    for word in clean_spaces(query).split():
        part = Q()
        for name in TEXT_FIELDS:
            part |= Q(**{f"{name}__icontains": word})
        condition &= part
    return condition


def region_choices() -> list[tuple[str, str]]:
    """UN regions, each followed by its sub-regions, named in the reader's language."""
    zh = _chinese()
    rows = (
        Country.objects.exclude(region_code="")
        .values_list(
            "region_code", "region_en", "region_zh", "subregion_code", "subregion_en", "subregion_zh"
        )
        .distinct()
    )
    regions: dict[str, str] = {}
    subregions: dict[str, dict[str, str]] = {}
    for code, en, zh_name, sub_code, sub_en, sub_zh in rows:
        regions[code] = (zh_name if zh and zh_name else en) or code
        if sub_code:
            subregions.setdefault(code, {})[sub_code] = (sub_zh if zh and sub_zh else sub_en) or sub_code
    choices: list[tuple[str, str]] = []
    for code, name in sorted(regions.items(), key=lambda item: item[1]):
        choices.append((code, name))
        for sub_code, sub_name in sorted(subregions.get(code, {}).items(), key=lambda item: item[1]):
            if sub_code != code:
                choices.append((sub_code, f"— {sub_name}"))
    return choices


def active_party_ids(condition: Q | None = None) -> Subquery:
    """Partners that are party to an ACTIVE agreement (matching `condition`): drafts never count publicly."""
    from meridian.agreements.models import AgreementPartner

    rows = AgreementPartner.objects.filter(agreement__state=AgreementState.ACTIVE)
    if condition is not None:
        rows = rows.filter(condition)
    return Subquery(rows.order_by().values("partner_id"))


class CountryChoiceFilter(django_filters.ModelChoiceFilter):
    """Countries that have public partners, labelled in the reader's language."""

    def get_queryset(self, request):
        order = "name_zh" if _chinese() else "name_en"
        with_partners = Partner.objects.filter(is_public=True).order_by().values("country_id")
        return Country.objects.filter(code__in=Subquery(with_partners)).order_by(order, "code")


class PublicPartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    country = CountryChoiceFilter(label=_("Country or region"), empty_label=_("All countries and regions"))
    region = django_filters.ChoiceFilter(
        label=_("World region"), choices=region_choices, method="filter_region", empty_label=_("All regions")
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), field_name="kind", choices=PartnerType.choices, empty_label=_("All types")
    )
    channel = django_filters.ChoiceFilter(
        label=_("Cooperation channel"),
        choices=Channel.choices,
        method="filter_channel",
        empty_label=_("All channels"),
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(public_text_condition(value)) if value.strip() else queryset

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(country__region_code=value) | Q(country__subregion_code=value))

    def filter_channel(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=active_party_ids(Q(agreement__channels__channel=value)))


FILTER_NAMES = ("q", "country", "region", "type", "channel")


def filter_params(data) -> dict[str, str]:
    """The filter parameters present in a query dict, as a plain dict (for links, feeds and the map)."""
    params: dict[str, str] = {}
    for name in FILTER_NAMES:
        value = data.get(name)
        value = str(getattr(value, "pk", value) or "").strip()  # a chosen Country stands for its code
        if value:
            params[name] = value
    return params
