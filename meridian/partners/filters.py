"""One filter definition for the partner list page, the API list and the CSV/XLSX export."""

from __future__ import annotations

import django_filters
import django_filters.constants
from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.core.filters import OrderingFilter, ShownNameChoiceFilter
from meridian.core.registry import registry
from meridian.core.search_index import search_condition
from meridian.core.sorting import localised_sort_field
from meridian.core.text import clean_spaces, normalise_domain
from meridian.partners.choices import PartnerType, RelationshipStatus
from meridian.partners.models import Partner
from meridian.reference.models import Country
from meridian.reference.selectors import region_choices as reference_region_choices

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def text_condition(query: str) -> Q:
    """Partners whose names (any language or script), acronym, place, country, domain or identifiers contain
    each word of `query`, ignoring case, accents, full-width forms and Traditional/Simplified Chinese.

    Uses the indexed search column (meridian/core/search_index.py); a pasted web address also finds the
    partner by its normalised domain.
    """
    condition = search_condition(Partner, query)
    words = clean_spaces(query).split()
    domain = normalise_domain(words[0]) if len(words) == 1 and "." in words[0] else ""
    return condition | Q(website_domain=domain) if domain else condition


def region_choices() -> list[tuple[str, str]]:
    """The world regions, named in the reader's language (``meridian.reference.selectors.region_choices``)."""
    return reference_region_choices()


class StableOrderingFilter(OrderingFilter):
    """Ties are broken by name and id so that pages never repeat or skip rows.

    "name" sorts by the name the list shows, in the reader's language: the partner's English or Chinese sort
    key (``meridian.core.sorting``; Chinese names by pinyin), each read from its index.
    Empty entries of the comma-separated value ("?ordering=,," or "name,") are ignored; only empty entries
    keep the list's default order.
    """

    def get_ordering_value(self, param: str) -> str:
        value = super().get_ordering_value(param)
        if value.lstrip("-") == "name":
            return ("-" if value.startswith("-") else "") + localised_sort_field()
        return value

    def filter(self, qs: QuerySet, value) -> QuerySet:
        keys = self.sort_keys(value)
        return qs.order_by(*keys, localised_sort_field(), "pk") if keys else qs


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    country = ShownNameChoiceFilter(
        label=_("Country or region"), queryset=Country.objects.all(), empty_label=_("All countries")
    )
    region = django_filters.ChoiceFilter(
        label=_("World region"),
        field_name="country__region_code",
        choices=region_choices,
        empty_label=_("All"),
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), field_name="kind", choices=PartnerType.choices, empty_label=_("All types")
    )
    status = django_filters.ChoiceFilter(
        label=_("Relationship status"), choices=RelationshipStatus.choices, empty_label=_("All")
    )
    active_partner = django_filters.ChoiceFilter(
        label=_("Active partner"), choices=YES_NO, method="filter_active_partner", empty_label=_("Any")
    )
    unit = ShownNameChoiceFilter(
        label=_("Responsible unit"),
        queryset=OrgUnit.objects.all(),
        method="filter_unit",
        empty_label=_("All units"),
        tree=True,
    )
    ordering = StableOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("name", "name"),
            ("country__name_en", "country"),
            ("kind", "type"),
            ("status", "status"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "name": _("Name"),
            "country__name_en": _("Country"),
            "kind": _("Type"),
            "status": _("Status"),
            "updated_at": _("Last updated"),
        },
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        contribute_filters(type(self))
        super().__init__(*args, **kwargs)

    @property
    def user(self):
        return getattr(self.request, "user", None)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(text_condition(value)) if value.strip() else queryset

    def filter_active_partner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Active partners as the dashboard and the public figures count them (one definition)."""
        from meridian.partners.selectors import active_partner_condition

        condition = active_partner_condition()
        return queryset.filter(condition) if value == "yes" else queryset.exclude(condition)

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit) -> QuerySet:
        """Partners managed by the unit or below it, or linked to it by records other contexts register."""
        condition = Q(owner_unit__path__startswith=value.path)
        for link in registry.partner_unit_links:
            condition |= Q(pk__in=Subquery(link.partner_ids(value.path, self.user)))
        return queryset.filter(condition)

    def filter_contributed(self, queryset: QuerySet, name: str, value) -> QuerySet:
        """A filter another context added (``registry.partner_filters``), applied as the user sees records."""
        return registry.partner_filters.get(name).apply(queryset, value, self.user)


def contribute_filters(filterset_class: type[django_filters.FilterSet]) -> type[django_filters.FilterSet]:
    """Add the filters of ``registry.partner_filters`` to the filter set class (before the sort order).

    Done when the class is first used rather than at import, because contexts register in their
    ``AppConfig.ready()``, which may run after this module is imported; redone when the registry changes.
    Returns the class, so the API's schema generator sees the same filters as the pages.
    """
    keys = tuple(entry.key for entry in registry.partner_filters)
    if getattr(filterset_class, "_contributed_keys", None) == keys:
        return filterset_class
    own = {
        name: f
        for name, f in filterset_class.base_filters.items()
        if name not in getattr(filterset_class, "_contributed_keys", ())
    }
    ordering = own.pop("ordering", None)
    for entry in registry.partner_filters:
        contributed = entry.field()
        contributed.field_name = entry.key
        contributed.method = "filter_contributed"
        own[entry.key] = contributed
    if ordering is not None:
        own["ordering"] = ordering
    filterset_class.base_filters = own
    filterset_class._contributed_keys = keys
    return filterset_class
