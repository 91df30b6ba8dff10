"""One filter definition for the exchange balance: the page, its CSV/XLSX export and the API use it.

``BalanceFilter(request.GET, request=request)``; when valid, ``balance_kwargs()`` gives the arguments of
``selectors.balance.exchange_balance``. The balance is computed from aggregates, not listed from one table,
so the filters here only validate and name the parameters; invalid values make the filter invalid
(``is_valid()`` False, the messages in ``form.errors``) and callers show them instead of counting anything.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.mobility.models import Mobility
from meridian.mobility.selectors.balance import LEANING_CHOICES
from meridian.partners.models import Partner

FIRST_YEAR = 2000
LAST_YEAR = 2100


class TickBox(forms.CheckboxInput):
    """A check box that also reads the API's spellings: "true", "1", "on", "yes" tick it; "false", "0",
    "off", "no" and absence leave it clear."""

    def value_from_datadict(self, data, files, name: str) -> bool:
        value = data.get(name)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1", "on", "yes"}
        return bool(value)


def _visible_partners(request) -> QuerySet[Partner]:
    return Partner.objects.visible_to(getattr(request, "user", None)).order_by("name")


class AcademicYearField(forms.IntegerField):
    """A whole year from ``FIRST_YEAR`` to ``LAST_YEAR``; anything else (a fraction, an exponent, a year out
    of range) gets one message naming the range, never a silent rounding."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)
        message = _(
            "Give the year the academic year starts in, from %(first)s to %(last)s (2026 for 2026/2027)."
        ) % {"first": FIRST_YEAR, "last": LAST_YEAR}
        for code in ("invalid", "min_value", "max_value"):
            self.error_messages[code] = message

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and any(mark in value.lower() for mark in ".,e"):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AcademicYearFilter(django_filters.Filter):
    field_class = AcademicYearField


class BalanceFilter(django_filters.FilterSet):
    year = AcademicYearFilter(
        label=_("Academic year"),
        method="keep",
        help_text=_("The year the academic year starts in (2026 for 2026/2027); empty: every year."),
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"), queryset=_visible_partners, method="keep", empty_label=_("All partners")
    )
    direction = django_filters.ChoiceFilter(
        label=_("Which side sends more"), choices=LEANING_CHOICES, method="keep", empty_label=_("Either")
    )
    alerts = django_filters.BooleanFilter(label=_("Alerts only"), method="keep", widget=TickBox)

    class Meta:
        model = Mobility
        fields: list[str] = []

    def __init__(self, data=None, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("queryset") is None:
            kwargs["queryset"] = Mobility.objects.none()
        super().__init__(data, *args, **kwargs)

    def keep(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        """The balance applies the values itself (``balance_kwargs``)."""
        return queryset

    def balance_kwargs(self) -> dict[str, Any]:
        """The validated filters as ``exchange_balance`` arguments; call after ``is_valid()``."""
        data = self.form.cleaned_data
        year = data.get("year")
        partner = data.get("partner")
        return {
            "year": int(year) if year is not None else None,
            "partner_id": partner.pk if partner is not None else None,
            "leaning": data.get("direction") or "",
            "alerts_only": bool(data.get("alerts")),
        }

    def query(self) -> str:
        """The valid filters as a query string (for the export links)."""
        kwargs = self.balance_kwargs()
        parts = []
        parts.append(f"year={kwargs['year'] if kwargs['year'] is not None else ''}")
        if kwargs["partner_id"] is not None:
            parts.append(f"partner={kwargs['partner_id']}")
        if kwargs["leaning"]:
            parts.append(f"direction={kwargs['leaning']}")
        if kwargs["alerts_only"]:
            parts.append("alerts=on")
        return "&".join(parts)
