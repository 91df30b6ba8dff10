"""Pieces shared by the list filters of every context (one filter per list: page, API and exports).

- ``OrderingFilter``: django-filter's sort filter that never drops the list's default order.
- ``filter_errors`` and ``invalid_filters_response``: how a page and an export tell the reader which filter
  value is not valid, instead of silently showing or exporting an unfiltered list.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters.constants import EMPTY_VALUES


class OrderingFilter(django_filters.OrderingFilter):
    """``?ordering=a,-b``: sort keys offered by ``fields``; an unknown key is a validation error (400 in the
    API, a message on the page).

    Empty entries (``?ordering=,,`` or ``name,``) are ignored; when none is left the queryset keeps its own
    (default) order. django-filter would call ``order_by()`` without arguments there, which removes every
    order and makes pages repeat or skip rows.
    """

    def sort_keys(self, value: list[str] | None) -> list[str]:
        """The model fields to order by for the (already validated) parameter values, e.g. ["-end_date"]."""
        return [self.get_ordering_value(param) for param in value or [] if param not in EMPTY_VALUES]

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        keys = self.sort_keys(value)
        return qs.order_by(*keys) if keys else qs


def filter_errors(filterset: django_filters.FilterSet) -> list[tuple[str, str]]:
    """(field label, message) for every invalid filter value of a bound filter set; [] when all are valid.

    Messages are Django's and django-filter's own, in the active language ("Select a valid choice. …").
    """
    if not filterset.is_bound:
        return []
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows


def invalid_filters_response(filterset: django_filters.FilterSet) -> HttpResponse | None:
    """For an export: a 400 plain-text answer naming each invalid filter value, or None when all are valid.

    An export never falls back to the unfiltered list: a file with more rows than asked for would be
    mistaken for the filtered one.
    """
    errors = filter_errors(filterset)
    if not errors:
        return None
    text = "; ".join(f"{label}: {error}" if label else error for label, error in errors)
    return HttpResponse(
        _("The filters are not valid: %(errors)s") % {"errors": text},
        status=400,
        content_type="text/plain; charset=utf-8",
    )
