"""One filter definition for lecture lists: the staff list page (``/visitors/lectures/``) and the API
(``/api/v1/visitors/lectures/``) both use ``LectureFilter``.

``LectureFilter(data, queryset=…)``: the queryset passed in must already be restricted to what the reader may
see — the filter only narrows it. An invalid value (an unknown state or review value, an unknown unit, a
yes/no other than ``true``/``false``, a malformed date or a date range whose end lies before its start) makes
the filter invalid (``is_valid()`` False, messages in ``form.errors``): the page lists nothing and shows the
messages (status 400), the API answers 400 — never a silently unfiltered list.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.visitors.choices import LectureReview, LectureState
from meridian.visitors.models import Lecture

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = (("true", _("yes")), ("false", _("no")))


class LectureFilterForm(forms.Form):
    """A start range whose end lies before its start is an error, not an empty list without a word."""

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        start, end = cleaned.get("starts_from"), cleaned.get("starts_to")
        if start and end and end < start:
            self.add_error("starts_to", _("The end of the range lies before its start."))
        return cleaned


class LectureFilter(django_filters.FilterSet):
    """Lectures by state, outline review, organising unit (with its subunits), public or not and start date
    (local calendar days, both ends included)."""

    state = django_filters.ChoiceFilter(
        label=_("State"), choices=LectureState.choices, distinct=False, empty_label=_("All")
    )
    review = django_filters.ChoiceFilter(
        label=_("Outline review"), choices=LectureReview.choices, distinct=False, empty_label=_("All")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (with subunits)"),
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_unit",
        widget=forms.HiddenInput,  # the page links here with ?unit=<id>; a select of every unit is too heavy
    )
    is_public = django_filters.ChoiceFilter(
        label=_("Open to the public"), choices=YES_NO, method="filter_is_public", empty_label=_("All")
    )
    starts_from = django_filters.DateFilter(
        label=_("Starts on or after"), field_name="starts_at", lookup_expr="date__gte", widget=DATE
    )
    starts_to = django_filters.DateFilter(
        label=_("Starts on or before"), field_name="starts_at", lookup_expr="date__lte", widget=DATE
    )

    class Meta:
        model = Lecture
        fields: list[str] = []
        form = LectureFilterForm

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_is_public(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_public=value == "true") if value else queryset


def filter_errors(filterset: LectureFilter) -> list[tuple[str, str]]:
    """``(field label, message)`` for every invalid filter value."""
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows
