"""One filter definition for the partner list page, the API list and the CSV/XLSX export."""

from __future__ import annotations

import django_filters
import django_filters.constants
from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.core.text import clean_spaces, normalise_domain
from meridian.partners.choices import PartnerType, RelationshipStatus
from meridian.partners.models import Partner
from meridian.reference.models import Country

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
TEXT_FIELDS = (
    "name", "name_en", "name_zh", "acronym", "city", "province", "ror_id", "erasmus_code", "pic",
    "schac_code", "other_identifiers", "website_domain",
)  # fmt: skip


def text_condition(query: str) -> Q:
    """Names in any language, acronym, city or identifiers contain each word of `query`, in any case."""
    condition = Q()
    for word in clean_spaces(query).split():
        part = Q()
        for name in TEXT_FIELDS:
            part |= Q(**{f"{name}__icontains": word})
        domain = normalise_domain(word) if "." in word else ""
        if domain:
            part |= Q(website_domain=domain)
        condition &= part
    return condition


def region_choices() -> list[tuple[str, str]]:
    rows = Country.objects.exclude(region_code="").values_list("region_code", "region_en").distinct()
    return sorted({(code, name) for code, name in rows}, key=lambda row: row[1])


def channel_choices() -> list[tuple[str, str]]:
    from meridian.agreements.choices import Channel

    return list(Channel.choices)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ties are broken by name and id so that pages never repeat or skip rows."""

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, "name", "pk")


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    country = django_filters.ModelChoiceFilter(
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
    channel = django_filters.ChoiceFilter(
        label=_("Cooperation channel"), choices=channel_choices, method="filter_channel", empty_label=_("All")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit"),
        queryset=OrgUnit.objects.all(),
        method="filter_unit",
        empty_label=_("All units"),
    )
    active = django_filters.ChoiceFilter(
        label=_("Has an active agreement"), choices=YES_NO, method="filter_active", empty_label=_("Any")
    )
    expiring = django_filters.NumberFilter(
        label=_("Agreement expiring within (days)"), method="filter_expiring", min_value=0, max_value=3650
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

    def _partner_ids(self, condition: Q) -> Subquery:
        """Partners in agreement links matching `condition`, restricted to the agreements the user may see.

        A plain (not correlated) subquery: the database works out the matching partners once instead of
        once per partner row, and filtering never reveals agreements the user may not see.
        """
        from meridian.agreements.models import AgreementPartner
        from meridian.partners.selectors import visible_parties

        user = getattr(self.request, "user", None)
        rows = visible_parties(user) if user is not None else AgreementPartner.objects.all()
        return Subquery(rows.filter(condition).order_by().values("partner_id"))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(text_condition(value)) if value.strip() else queryset

    def filter_channel(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=self._partner_ids(Q(agreement__channels__channel=value)))

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit) -> QuerySet:
        in_subtree = self._partner_ids(Q(agreement__responsible_unit__path__startswith=value.path))
        return queryset.filter(Q(pk__in=in_subtree) | Q(owner_unit__path__startswith=value.path))

    def filter_active(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        from meridian.agreements.choices import AgreementState

        has_active = Q(pk__in=self._partner_ids(Q(agreement__state=AgreementState.ACTIVE)))
        return queryset.filter(has_active if value == "yes" else ~has_active)

    def filter_expiring(self, queryset: QuerySet, name: str, value) -> QuerySet:
        from meridian.agreements.models import Agreement

        if value is None:
            return queryset
        ending = Agreement.objects.expiring_within(int(value)).values("pk")
        return queryset.filter(pk__in=self._partner_ids(Q(agreement__in=ending)))
