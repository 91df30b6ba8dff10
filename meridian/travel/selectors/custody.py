"""Reads of the passport register: one filter for the list page and the CSV export, and the detail page.

Numbers are never read here: pages show ``IdentityDocument.masked_number`` to those who may see the holder's
documents (``people.permissions.can_view_documents``) and log the view in the people access log.
"""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.travel.choices import CustodyState
from meridian.travel.models import CustodyItem

ACTIVE_STATES = (CustodyState.IN_CUSTODY, CustodyState.ISSUED, CustodyState.AT_AUTHORITY)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day when it is shorter)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def custody_list(*, user) -> QuerySet[CustodyItem]:
    """The register rows ``user`` may see, with document, holder, unit and trip loaded."""
    return CustodyItem.objects.visible_to(user).select_related(
        "document", "document__issuing_country", "holder", "unit", "trip"
    )


def custody_get(*, user, pk: int) -> CustodyItem:
    """One register row the user may see; raises ``CustodyItem.DoesNotExist`` otherwise (views answer 404)."""
    return custody_list(user=user).get(pk=pk)


def expiry_flag(item: CustodyItem, *, today: date, months: int = 6) -> str:
    """ "expired", "expiring" (within ``months``) or "" for the document of ``item``."""
    expiry = item.document.expiry_date
    if expiry < today:
        return "expired"
    if expiry < add_months(today, months):
        return "expiring"
    return ""


class CustodyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Holder"), method="filter_q")
    state = django_filters.MultipleChoiceFilter(
        label=_("Where it is"), choices=CustodyState.choices, widget=forms.CheckboxSelectMultiple
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=OrgUnit.objects.all(), method="filter_unit"
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    expiring_months = django_filters.NumberFilter(
        label=_("Expires within (months)"), method="filter_expiring", min_value=0, max_value=120
    )
    expired = django_filters.BooleanFilter(
        label=_("Expired only"), method="filter_expired", widget=forms.CheckboxInput
    )

    class Meta:
        model = CustodyItem
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in (value or "").split():
            queryset = queryset.filter(
                Q(holder__family_name__icontains=word)
                | Q(holder__given_name__icontains=word)
                | Q(holder__name_zh__icontains=word)
            )
        return queryset

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(state=CustodyState.ISSUED, due_back_on__lt=timezone.localdate())

    def filter_expiring(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(
            state__in=ACTIVE_STATES,
            document__expiry_date__gte=today,
            document__expiry_date__lt=add_months(today, int(value)),
        )

    def filter_expired(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(state__in=ACTIVE_STATES, document__expiry_date__lt=timezone.localdate())
