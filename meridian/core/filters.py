"""Pieces shared by the list filters of every context (one filter per list: page, API and exports).

- ``OrderingFilter``: django-filter's sort filter that never drops the list's default order.
- ``ShownNameChoiceFilter``: a choice of records (countries, units) listed in the order of the names the
  reader sees — Chinese readers get pinyin order, not the English one.
- ``filter_errors`` and ``invalid_filters_response``: how a page and an export tell the reader which filter
  value is not valid, instead of silently showing or exporting an unfiltered list.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.forms.utils import pretty_name
from django.http import HttpResponse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from meridian.core.sorting import by_shown_name


def _descending(label: str) -> str:
    return _("%(label)s (descending)") % {"label": label}


# "Title (descending)" in the reader's language, built when the choice is shown (filters are made at import).
descending_label = lazy(_descending, str)


class OrderingFilter(django_filters.OrderingFilter):
    """``?ordering=a,-b``: sort keys offered by ``fields``; an unknown key is a validation error (400 in the
    API, a message on the page).

    Empty entries (``?ordering=,,`` or ``name,``) are ignored; when none is left the queryset keeps its own
    (default) order. django-filter would call ``order_by()`` without arguments there, which removes every
    order and makes pages repeat or skip rows.
    """

    def build_choices(self, fields, labels):  # type: ignore[no-untyped-def]
        """django-filter's choices, but with descending labels from this project's catalogue (django-filter's
        own "%s (descending)" has no Simplified Chinese translation) and translated when shown."""
        ascending = [
            (param, labels.get(field, gettext_lazy(pretty_name(param)))) for field, param in fields.items()
        ]
        descending = [
            (f"-{param}", labels.get(f"-{param}", descending_label(label))) for param, label in ascending
        ]
        return [choice for pair in zip(ascending, descending, strict=True) for choice in pair]

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


class _ShownNameIterator(ModelChoiceIterator):
    """The options of a ``ShownNameModelChoiceField``: the empty (and null) choice, then the records in the
    order of their labels in the reader's language (``meridian.core.sorting.by_shown_name``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in by_shown_name(self.queryset, tree=self.field.tree):
            yield self.choice(obj)


class ShownNameModelChoiceField(ModelChoiceField):
    """A record choice listed by shown name; ``tree=True`` keeps a tree's order and sorts siblings only."""

    iterator = _ShownNameIterator

    def __init__(self, *args, tree: bool = False, **kwargs) -> None:
        self.tree = tree
        super().__init__(*args, **kwargs)


class ShownNameChoiceFilter(django_filters.ModelChoiceFilter):
    """``ModelChoiceFilter`` whose options are in the order of the names the reader sees (pass ``tree=True``
    for organisational units). Validation still goes through the queryset, as with the plain filter."""

    field_class = ShownNameModelChoiceField
