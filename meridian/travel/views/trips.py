"""Trip application pages: the list (with "my trips" and the exports), the trip page with its lifecycle
moves, file downloads, uploads (the approval scan and passport stamp pages also after the draft) and
removals. The application form itself lives in ``views/trip_form.py``.

Every view asks ``Trip.objects.visible_to`` (through ``selectors.trips``): a trip the user may not see is
answered with 404, whatever the reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from meridian.accounts.permissions import can_read_university
from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.spreadsheet import export_response
from meridian.travel import permissions
from meridian.travel.choices import TripFileKind
from meridian.travel.filters import TripFilter
from meridian.travel.forms import MoveForm
from meridian.travel.models import Trip, TripFile
from meridian.travel.selectors import trips as selectors
from meridian.travel.services import external
from meridian.travel.services import trips as services
from meridian.travel.views import trip_form
from meridian.workflow import selectors as workflow_selectors
from meridian.workflow.permissions import can_act_for_applicant
from meridian.workflow.services import moves_for

PAGE_SIZE = 25


def can_open_trip_list(user) -> bool:
    """The list (and its exports) is for the office, leadership, and anyone who may file or travel."""
    return can_read_university(user) or permissions.can_create_trip(user)


def _list_guard(request: HttpRequest) -> None:
    if not can_open_trip_list(request.user):
        raise PermissionDenied(_("Official trips are not available to you."))


def filtered_trips(request: HttpRequest, queryset=None) -> TripFilter:
    """The list, the exports and the API share this: visible trips narrowed by ``TripFilter``."""
    if queryset is None:
        queryset = selectors.trip_list(user=request.user)
    return TripFilter(request.GET or None, queryset=queryset, request=request)


def _filtered_rows(filterset: TripFilter):
    """The rows to show: the filtered trips, or none when a filter value is invalid (its error is shown)."""
    if not filterset.is_bound:
        return filterset.queryset, True
    if filterset.is_valid():
        return filterset.qs, True
    return filterset.queryset.none(), False


def filter_errors(filterset: TripFilter) -> list[tuple[str, str]]:
    """(field label, message) for every invalid filter value."""
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows


def sort_columns(current: str) -> list[dict]:
    """Header links: clicking a column sorts by it, clicking again reverses the order."""
    labels = {"depart_on": _("Departure"), "number": _("Number"), "state": _("State")}
    columns = []
    for key, label in labels.items():
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        columns.append(
            {"key": key, "label": label, "direction": direction, "next": f"-{key}" if current == key else key}
        )
    return columns


@login_required
@require_GET
def trip_list(request: HttpRequest) -> HttpResponse:
    _list_guard(request)
    filterset = filtered_trips(request)
    queryset, valid = _filtered_rows(filterset)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"trip": t, "countries": selectors.trip_countries(t)} for t in page_obj.object_list]
    context = {
        "filter": filterset,
        "filter_valid": valid,
        "filter_errors": filter_errors(filterset) if not valid else [],
        "page_obj": page_obj,
        "rows": rows,
        "mine": request.GET.get("mine") in ("1", "true", "True", "on"),
        "columns": sort_columns(request.GET.get("ordering", "")),
        "can_create": permissions.can_create_trip(request.user),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "results":
        return render(request, "travel/trips/_results.html", context)
    return render(request, "travel/trips/list.html", context)


def export_headers() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("State"),
        _("Unit"),
        _("Applicant"),
        _("Travellers"),
        _("Region"),
        _("Kind of delegation"),
        _("Purpose"),
        _("Countries and territories"),
        _("Departure date"),
        _("Return date"),
        _("Days"),
        _("Inviting organisation"),
        _("Funding source"),
    ]


def _inviter(trip: Trip) -> str:
    if trip.inviter_partner_id:
        return str(trip.inviter_partner)
    if trip.inviter_institution is not None:
        return trip.inviter_institution.name
    return trip.inviter_name


def export_rows(queryset) -> list[list[object]]:
    rows = []
    for t in queryset:
        rows.append(
            [
                t.number,
                t.title,
                t.get_state_display(),
                t.unit.name,
                t.applicant.get_full_name() or t.applicant.username,
                "; ".join(f"{m.person} ({m.get_role_display()})" for m in t.all_members),
                t.get_region_display(),
                t.get_delegation_kind_display(),
                t.get_purpose_display(),
                "; ".join(c.name for c in selectors.trip_countries(t)),
                t.depart_on,
                t.return_on,
                t.days,
                _inviter(t),
                t.get_funding_source_display(),
            ]
        )
    return rows


@login_required
@require_GET
def trip_export(request: HttpRequest) -> HttpResponse:
    """CSV or XLSX of the filtered list: only trips the user may see, the same filters as the page."""
    _list_guard(request)
    queryset = selectors.trip_export_list(user=request.user).select_related(
        "inviter_partner", "inviter_institution"
    )
    filterset = filtered_trips(request, queryset)
    rows, valid = _filtered_rows(filterset)
    if not valid:
        errors = "; ".join(f"{label}: {error}" for label, error in filter_errors(filterset))
        return HttpResponse(
            _("The filters are not valid: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    fmt = request.GET.get("format") or "csv"
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(
            _("“%(value)s” is not an export format: choose csv or xlsx.") % {"value": fmt},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    stamp = timezone.localdate().isoformat()
    return export_response(
        fmt=fmt, filename=f"trips-{stamp}", headers=export_headers(), rows=export_rows(rows)
    )


# --- the trip page -----------------------------------------------------------------------------------------


def visible_trip(request: HttpRequest, pk: int) -> Trip:
    try:
        return selectors.trip_get(user=request.user, pk=pk)
    except Trip.DoesNotExist as exc:
        raise Http404 from exc


def _acting_for(user, trip: Trip):
    """The applicant, when ``user`` is not the applicant but acts for them as a coordinator or secretary
    of the trip's unit; else None."""
    if trip.applicant_id == user.pk:
        return None
    if can_act_for_applicant(user, unit=trip.unit):
        return trip.applicant
    return None


def has_open_task(user, trip: Trip) -> bool:
    """Whether ``user`` holds an open approval step of ``trip`` (as an assignee or a deputy): the approval
    panel then shows them their decision forms."""
    return (
        workflow_selectors.tasks_for(user=user)
        .filter(
            approval__content_type=ContentType.objects.get_for_model(Trip),
            approval__object_id=trip.pk,
        )
        .exists()
    )


def lifecycle(user, trip: Trip) -> dict:
    """Moves ``user`` can make now (forms) and those they cannot yet (with every reason), and whether an
    approval step of the trip waits for them."""
    options = moves_for(case=trip, user=user)
    acting_for = _acting_for(user, trip)
    return {
        "moves": options,
        "acting_for": acting_for,
        "move_form": MoveForm(),
        "has_open_task": has_open_task(user, trip),
    }


# --- files added on the trip page -------------------------------------------------------------------------


class TripFileForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of document"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, Word, Excel, PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, kinds: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, TripFileKind(k).label) for k in kinds]  # type: ignore[attr-defined]


def files_context(user, trip: Trip, files) -> dict:
    """The upload form (only the kinds ``user`` may add now) and the ids of the files they may remove."""
    kinds = permissions.addable_file_kinds(user, trip)
    return {
        "file_form": TripFileForm(kinds=kinds, auto_id="id_file_%s") if kinds else None,
        "deletable_files": {f.pk for f in files if permissions.can_delete_trip_file(user, f)},
    }


@login_required
@require_GET
def trip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trip = visible_trip(request, pk)
    detail = selectors.trip_detail(user=request.user, trip=trip)
    context = {
        "trip": trip,
        "detail": detail,
        "rule_results": trip.rule_results or [],
        "rule_results_template": trip_form.rule_results_template(),
        "can_renew_external": external.can_renew_external(request.user, trip),
        **files_context(request.user, trip, detail.files),
        **lifecycle(request.user, trip),
    }
    return render(request, "travel/trips/detail.html", context)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@login_required
@require_POST
def trip_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    """Take a lifecycle move; a unit secretary acting for the applicant moves on their behalf."""
    trip = visible_trip(request, pk)
    form = MoveForm(request.POST)
    comment = form.cleaned_data["comment"].strip() if form.is_valid() else ""
    on_behalf_of = None
    applicant = _acting_for(request.user, trip)
    if applicant is not None and not permissions.is_office(request.user):
        try:
            transition = next(t for t in moves_for(case=trip, user=request.user) if t.name == move).transition
        except StopIteration:
            transition = None
        if transition is not None and transition.allowed(applicant, trip):
            on_behalf_of = applicant
    try:
        trip = services.trip_move(
            trip=trip, actor=request.user, move=move, comment=comment, on_behalf_of=on_behalf_of
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Done. The trip is now “%(state)s”.") % {"state": trip.get_state_display()},
        )
    return redirect(f"{trip.get_absolute_url()}#lifecycle")


@login_required
@require_GET
def trip_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Only someone who may see the trip gets its files; everyone else gets 404."""
    trip = visible_trip(request, pk)
    record = get_object_or_404(TripFile, pk=file_pk, trip=trip)
    return private_file_response(record.file, content_type=record.content_type, filename=record.original_name)


def _files_url(trip: Trip) -> str:
    return f"{trip.get_absolute_url()}#files"


@login_required
@require_POST
def trip_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file from the trip page (kinds as ``addable_file_kinds``); a file refused by its content is shown
    as an error and nothing is stored. An approval scan added while the recorded approval document has none
    becomes its scan."""
    trip = visible_trip(request, pk)
    kinds = permissions.addable_file_kinds(request.user, trip)
    kind = request.POST.get("kind", "")
    if not kinds or (kind in TripFileKind.values and kind not in kinds):
        raise PermissionDenied(_("You may not add this file to the trip now."))
    form = TripFileForm(request.POST, request.FILES, kinds=kinds)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = str(form.fields[name].label) if name in form.fields else ""
            messages.error(
                request,
                f"{label}: {' '.join(str(e) for e in errors)}" if label else " ".join(str(e) for e in errors),
            )
        return redirect(_files_url(trip))
    try:
        with transaction.atomic():
            record = services.trip_file_add(
                trip=trip,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
            )
            as_scan = external.external_scan_fill(trip=trip, file=record, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        if as_scan:
            messages.success(
                request,
                _("%(name)s is added as the scan of the approval document.") % {"name": record.original_name},
            )
        else:
            messages.success(
                request,
                _("%(name)s is added to the trip's documents.") % {"name": record.original_name},
            )
    return redirect(_files_url(trip))


@login_required
@require_POST
def trip_file_delete(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """Remove a file the user may remove (``can_delete_trip_file``); 404 for an invisible trip or file."""
    trip = visible_trip(request, pk)
    record = get_object_or_404(TripFile, pk=file_pk, trip=trip)
    if not permissions.can_delete_trip_file(request.user, record):
        raise PermissionDenied(_("You may not remove this file."))
    name = record.original_name
    try:
        services.trip_file_delete(file=record, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("%(name)s is removed from the trip's documents.") % {"name": name})
    return redirect(_files_url(trip))


urlpatterns = [
    path("", trip_list, name="trip_list"),
    path("export/", trip_export, name="trip_export"),
    path("new/", trip_form.trip_create, name="trip_create"),
    path("check/", trip_form.trip_check, name="trip_check"),
    path("people/", trip_form.trip_people, name="trip_people"),
    path("<int:pk>/", trip_detail, name="trip_detail"),
    path("<int:pk>/edit/", trip_form.trip_edit, name="trip_edit"),
    path("<int:pk>/move/<slug:move>/", trip_move, name="trip_move"),
    path("<int:pk>/files/add/", trip_file_add, name="trip_file_add"),
    path("<int:pk>/files/<int:file_pk>/", trip_file, name="trip_file"),
    path("<int:pk>/files/<int:file_pk>/delete/", trip_file_delete, name="trip_file_delete"),
]
