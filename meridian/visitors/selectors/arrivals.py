"""Reads of guests' arrivals and accommodation registrations: the registrations list (one filter for the
page), a visit's arrivals panel and the guest's travel documents for the police data sheet.

Every query starts from the visits the user may see (``Visit.objects.visible_to``); document numbers are never
read here (the sheet reveals them through ``services.arrivals.guest_document_reveal``, which logs the read).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.people.choices import DocumentType
from meridian.people.models import IdentityDocument, Person
from meridian.visitors import permissions
from meridian.visitors.choices import RegistrationReason, RegistrationState
from meridian.visitors.models import AccommodationRegistration, Visit, VisitGuest

# Documents a guest travels on (the sheet's "passport"), and their visas or permits to stay.
TRAVEL_DOCUMENT_KINDS = (
    DocumentType.PASSPORT,
    DocumentType.OFFICIAL_PASSPORT,
    DocumentType.HK_MACAO_PERMIT,
    DocumentType.TAIWAN_PERMIT,
)
STAY_DOCUMENT_KINDS = (DocumentType.VISA, DocumentType.RESIDENCE_PERMIT)


def registration_list(*, user) -> QuerySet[AccommodationRegistration]:
    """Registrations of the visits ``user`` may see, open ones first (soonest due), then the others (latest
    first), with guest, person, visit, host and unit loaded."""
    visits = Visit.objects.visible_to(user).values("pk")
    return (
        AccommodationRegistration.objects.filter(guest__visit__in=visits)
        .select_related("guest__person", "guest__visit__host", "guest__visit__host_unit")
        .annotate(
            open_first=Case(
                When(state=RegistrationState.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "due_at", "pk")
    )


def registration_get(*, user, pk: int) -> AccommodationRegistration:
    """One registration of a visit ``user`` may see; raises ``AccommodationRegistration.DoesNotExist``
    otherwise (views answer 404)."""
    return registration_list(user=user).get(pk=pk)


def unit_choices(user) -> QuerySet[OrgUnit]:
    """Units the list may be narrowed to: all for the office and leadership, else the units the user acts
    for."""
    units = OrgUnit.objects.order_by("path")
    from meridian.accounts.permissions import can_read_university

    if can_read_university(user):
        return units
    return units.filter(pk__in=permissions.acted_unit_ids(user))


TRUE_VALUES = frozenset({"true", "1", "on", "yes"})
FALSE_VALUES = frozenset({"false", "0", "off", "no"})


def _yes_no(value: Any) -> bool | None:
    """``True``/``False`` for a yes/no value (``TRUE_VALUES``/``FALSE_VALUES``, any case), ``None`` for
    anything else."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in TRUE_VALUES else False if text in FALSE_VALUES else None


class YesNoCheckbox(forms.CheckboxInput):
    """A checkbox that hands the field what was sent (django's checkbox reads any unknown text as ticked),
    so the field can refuse what is not a yes/no value."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, check_test=lambda value: _yes_no(value) is True)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def format_value(self, value: Any) -> None:
        return None  # a ticked box always sends "on", whatever was typed into the address


class YesNoField(forms.Field):
    """A yes/no value: true/false, 1/0, on/off, yes/no (any case); empty or absent is "not given"
    (``None``); anything else is an error (so a mistyped filter never lists everything without a word)."""

    widget = YesNoCheckbox
    default_error_messages = {"invalid": _("Choose yes or no (true or false).")}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        parsed = _yes_no(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class YesNoFilter(django_filters.Filter):
    """django-filter's filter of a ``YesNoField``."""

    field_class = YesNoField


class RegistrationFilter(django_filters.FilterSet):
    """The registrations list's filters, for the page and the API alike: ``state`` (``RegistrationState``),
    ``reason`` (``RegistrationReason``: arrival, address_change, new_document), ``unit`` (a host unit the
    reader may narrow to, with its subunits) and ``overdue`` ("overdue only", yes/no: true/false, 1/0,
    on/off, yes/no; "no" does not narrow the list). An unknown value of any of them makes the filter invalid
    (the page lists nothing and says why; the API answers 400)."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=RegistrationState.choices)
    reason = django_filters.ChoiceFilter(label=_("Reason"), choices=RegistrationReason.choices)
    unit = django_filters.ModelChoiceFilter(
        label=_("Host unit"), queryset=OrgUnit.objects.none(), method="filter_unit"
    )
    overdue = YesNoFilter(label=_("Overdue only"), method="filter_overdue")

    class Meta:
        model = AccommodationRegistration
        fields: list[str] = []

    def __init__(self, *args: Any, user=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = unit_choices(user)

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return queryset.filter(guest__visit__host_unit__path__startswith=value.path) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:  # "no": not limited to the overdue ones (the page's unticked box)
            return queryset
        return queryset.filter(state=RegistrationState.OPEN, due_at__lt=timezone.now())


def visit_arrivals(*, visit: Visit, now: datetime | None = None) -> list[dict[str, Any]]:
    """The visit's guests, each ``{"guest", "registrations": [{"registration", "overdue"}], "open"}`` (open
    registrations count), registrations oldest first. Two queries whatever the number of guests."""
    now = now or timezone.now()
    guests = (
        VisitGuest.objects.filter(visit=visit)
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=AccommodationRegistration.objects.order_by("occurred_at", "pk"),
            )
        )
    )
    rows = []
    for guest in guests:
        registrations = list(guest.registrations.all())
        rows.append(
            {
                "guest": guest,
                "registrations": [
                    {"registration": r, "overdue": r.state == RegistrationState.OPEN and r.due_at < now}
                    for r in registrations
                ],
                "open": sum(1 for r in registrations if r.state == RegistrationState.OPEN),
            }
        )
    return rows


def _current(person: Person, kinds, today: date) -> IdentityDocument | None:
    """The person's document of ``kinds`` valid longest (an expired one only when there is no other)."""
    documents = list(
        IdentityDocument.objects.filter(person=person, kind__in=kinds)
        .select_related("issuing_country")
        .order_by("-expiry_date", "-pk")
    )
    valid = [d for d in documents if d.expiry_date >= today]
    found = valid or documents
    return found[0] if found else None


def guest_travel_documents(
    *, person: Person, today: date | None = None
) -> dict[str, IdentityDocument | None]:
    """``{"passport": …, "visa": …}``: the guest's current travel document and visa (or residence permit),
    None where none is on record."""
    today = today or timezone.localdate()
    return {
        "passport": _current(person, TRAVEL_DOCUMENT_KINDS, today),
        "visa": _current(person, STAY_DOCUMENT_KINDS, today),
    }
