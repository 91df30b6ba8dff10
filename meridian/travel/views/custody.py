"""The passport register: list (filters, CSV export for the office), registering, a document's page and its
movements (issue for a trip, return, send to an embassy, cancel, report lost)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.errors import DomainError
from meridian.core.spreadsheet import csv_response
from meridian.people import permissions as people_permissions
from meridian.people.models import IdentityDocument
from meridian.people.services import identity_documents_viewed
from meridian.travel import permissions
from meridian.travel.choices import CustodyState, TripState
from meridian.travel.models import CustodyItem, Trip
from meridian.travel.selectors.custody import CustodyFilter, custody_get, custody_list, expiry_flag
from meridian.travel.services import custody as services

PAGE_SIZE = 50


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _numbers(request: HttpRequest, items: list[CustodyItem]) -> dict[int, str]:
    """Masked numbers of the documents the user may see (people permissions), the view logged once each."""
    shown = [i for i in items if people_permissions.can_view_documents(request.user, i.holder)]
    if shown:
        identity_documents_viewed(
            documents=[i.document for i in shown],
            actor=request.user,  # type: ignore[arg-type]  # login_required: a signed-in User
            ip=_client_ip(request),
            purpose=_("Passport register"),
        )
    return {i.pk: i.document.masked_number for i in shown}


def filtered(request: HttpRequest) -> CustodyFilter:
    """The list and the export share this: visible register rows narrowed by ``CustodyFilter``."""
    return CustodyFilter(request.GET or None, queryset=custody_list(user=request.user), request=request)


def _rows(filterset: CustodyFilter):
    """The rows to show and whether the filters are valid: none when a filter value is invalid (its error is
    shown instead), never the whole register."""
    if not filterset.is_bound:
        return filterset.queryset, True
    if filterset.is_valid():
        return filterset.qs, True
    return filterset.queryset.none(), False


def filter_errors(filterset: CustodyFilter) -> list[tuple[str, str]]:
    """(field label, message) for every invalid filter value."""
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows


@login_required
@require_GET
def custody_list_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_custody_register(request.user):
        raise PermissionDenied
    filterset = filtered(request)
    queryset, valid = _rows(filterset)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page_obj.object_list)
    today = timezone.localdate()
    numbers = _numbers(request, items)
    rows = [
        {
            "item": item,
            "number": numbers.get(item.pk, ""),
            "expiry": expiry_flag(item, today=today),
            "overdue": item.state == CustodyState.ISSUED and item.due_back_on and item.due_back_on < today,
        }
        for item in items
    ]
    context = {
        "filter": filterset,
        "filter_valid": valid,
        "filter_errors": [] if valid else filter_errors(filterset),
        "page_obj": page_obj,
        "rows": rows,
        "can_manage": permissions.can_manage_custody(request.user),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "results":
        return render(request, "travel/custody/_results.html", context)
    return render(request, "travel/custody/list.html", context)


@login_required
@require_GET
def custody_export(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_custody(request.user):
        raise PermissionDenied(_("Only the International Office exports the passport register."))
    today = timezone.localdate()
    filterset = filtered(request)
    queryset, valid = _rows(filterset)
    if not valid:
        errors = "; ".join(
            f"{label}: {error}" if label else error for label, error in filter_errors(filterset)
        )
        return HttpResponse(
            _("The filters are not valid: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    items = list(queryset)
    numbers = _numbers(request, items)
    headers = [
        _("Holder"),
        _("Unit"),
        _("Type"),
        _("Number (masked)"),
        _("Expiry date"),
        _("Where it is"),
        _("Location"),
        _("Trip"),
        _("Issued on"),
        _("Due back"),
        _("Overdue"),
        _("Expiry"),
    ]
    flags = {"expired": _("expired"), "expiring": _("expiring"), "": ""}
    rows = [
        [
            i.holder.latin_name,
            i.unit.name,
            i.document.get_kind_display(),
            numbers.get(i.pk, ""),
            i.document.expiry_date,
            i.get_state_display(),
            i.location,
            i.trip.number if i.trip_id else "",
            i.issued_on,
            i.due_back_on,
            _("yes") if i.state == CustodyState.ISSUED and i.due_back_on and i.due_back_on < today else "",
            flags[expiry_flag(i, today=today)],
        ]
        for i in items
    ]
    return csv_response(filename=f"passport-register-{today.isoformat()}", headers=headers, rows=rows)


# --- registering -----------------------------------------------------------------------------------------


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        expiry = obj.expiry_date.isoformat()
        return f"{obj.person.latin_name} — {obj.get_kind_display()} {obj.masked_number} ({expiry})"


class RegisterForm(forms.Form):
    document = DocumentChoiceField(
        label=gettext_lazy("Travel document"), queryset=IdentityDocument.objects.none()
    )
    location = forms.CharField(label=gettext_lazy("Location"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["document"])
        field.queryset = (
            IdentityDocument.objects.filter(kind__in=services.CUSTODY_KINDS, custody__isnull=True)
            .select_related("person")
            .order_by("person__family_name", "person__given_name", "pk")
        )


@login_required
@require_http_methods(["GET", "POST"])
def custody_register_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_custody(request.user):
        raise PermissionDenied(_("Only the International Office keeps the passport register."))
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.custody_register(
                document=form.cleaned_data["document"],
                actor=request.user,
                location=form.cleaned_data["location"],
            )
        except (DomainError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("The document is in the register."))
            return redirect(item)
    return render(request, "travel/custody/register.html", {"form": form})


# --- one document ----------------------------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> CustodyItem:
    try:
        return custody_get(user=request.user, pk=pk)
    except CustodyItem.DoesNotExist as exc:
        raise Http404 from exc


class MovementForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    trip = forms.ModelChoiceField(label=gettext_lazy("Trip"), queryset=Trip.objects.none(), required=False)
    location = forms.CharField(label=gettext_lazy("Location"), max_length=200, required=False)


def issuable_trips(item: CustodyItem):
    """Externally approved trips the holder travels on: the trips a document may be issued for."""
    return Trip.objects.filter(state=TripState.AUTHORISED, members__person_id=item.holder_id).order_by(
        "depart_on"
    )


ACTIONS = {
    "issue": (CustodyState.IN_CUSTODY,),
    "return": (CustodyState.ISSUED, CustodyState.AT_AUTHORITY),
    "send": (CustodyState.IN_CUSTODY,),
    "cancel": (CustodyState.IN_CUSTODY, CustodyState.AT_AUTHORITY),
    "lost": (CustodyState.IN_CUSTODY, CustodyState.ISSUED, CustodyState.AT_AUTHORITY),
}
ACTION_LABELS = {
    "issue": gettext_lazy("Issue for a trip"),
    "return": gettext_lazy("Record the return"),
    "send": gettext_lazy("Send to an embassy or authority"),
    "cancel": gettext_lazy("Cancel the document"),
    "lost": gettext_lazy("Report lost"),
}


@login_required
@require_GET
def custody_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    today = timezone.localdate()
    can_manage = permissions.can_manage_custody(request.user)
    actions = []
    if can_manage:
        for name, states in ACTIONS.items():
            if item.state in states:
                actions.append({"name": name, "label": ACTION_LABELS[name]})
    context = {
        "item": item,
        "number": _numbers(request, [item]).get(item.pk, ""),
        "expiry": expiry_flag(item, today=today),
        "overdue": item.state == CustodyState.ISSUED and item.due_back_on and item.due_back_on < today,
        "movements": item.movements.select_related("trip", "actor"),
        "can_manage": can_manage,
        "actions": actions,
        "trips": list(issuable_trips(item)) if can_manage and item.state == CustodyState.IN_CUSTODY else [],
        "today": today,
    }
    return render(request, "travel/custody/detail.html", context)


@login_required
@require_POST
def custody_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _visible(request, pk)
    if action not in ACTIONS:
        raise Http404
    if not permissions.can_manage_custody(request.user):
        raise PermissionDenied(_("Only the International Office moves passports and permits in custody."))
    form = MovementForm(request.POST)
    cast(forms.ModelChoiceField, form.fields["trip"]).queryset = issuable_trips(item)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(item)
    data = form.cleaned_data
    try:
        if action == "issue":
            if data["trip"] is None:
                raise DomainError(_("Choose the trip the document is issued for."))
            services.custody_issue(item=item, actor=request.user, trip=data["trip"], on=data["on"])
        elif action == "return":
            services.custody_return(
                item=item,
                actor=request.user,
                on=data["on"],
                note=data["note"],
                location=data["location"] or None,
            )
        elif action == "send":
            services.custody_send(item=item, actor=request.user, on=data["on"], note=data["note"])
        elif action == "cancel":
            services.custody_cancel(item=item, actor=request.user, on=data["on"], note=data["note"])
        else:
            services.custody_lost(item=item, actor=request.user, on=data["on"], note=data["note"])
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Recorded: %(action)s.") % {"action": ACTION_LABELS[action]})
    return redirect(item)


urlpatterns = [
    path("passports/", custody_list_view, name="custody_list"),
    path("passports/export.csv", custody_export, name="custody_export"),
    path("passports/register/", custody_register_view, name="custody_register"),
    path("passports/<int:pk>/", custody_detail, name="custody_detail"),
    path("passports/<int:pk>/<slug:action>/", custody_action, name="custody_action"),
]
