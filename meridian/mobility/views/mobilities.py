"""Staff pages of mobilities in both directions: the list (filters, sorting, paging, CSV/XLSX export of the
same filters), the page of one mobility (data, state and moves, planned dates, files, learning agreements,
transcript and recognition, arrival and registration, the visa data card, history) and its actions.

Who: the list serves the office, leadership and the schools' coordinators (``can_open_list``), each
seeing ``Mobility.objects.visible_to`` (a school's coordinators their school's). The page of one mobility
serves staff who may see it and the student themself (their own, with only their own moves: the
declaration decides who may act). A partner contact who is not staff gets 404 on the page: partners use
the partner portal (``partner_mobility``). A mobility the user may not see answers 404, an action they
may not take 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meridian.accounts.permissions import can_read_university
from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.core.spreadsheet import export_response
from meridian.mobility import permissions
from meridian.mobility.choices import MobilityFileKind
from meridian.mobility.filters_mobilities import MobilityFilter
from meridian.mobility.forms_mobilities import DatesForm, MobilityFileForm, RegistrationForm, RevealForm
from meridian.mobility.models import Mobility, MobilityFile
from meridian.mobility.selectors import mobilities as selectors
from meridian.mobility.selectors.learning import la_list_for_mobility_panel
from meridian.mobility.services import mobilities as services
from meridian.mobility.services.mobilities import STUDENT_FILE_KINDS
from meridian.people.views.common import client_ip, error_text, keep_values_at_version, no_store

PAGE_SIZE = 25
EXPORT_FORMATS = ("csv", "xlsx")


def can_open_list(user: Any) -> bool:
    """The list and its export: the office, leadership and the schools' coordinators."""
    return can_read_university(user) or bool(permissions.acted_unit_ids(user))


def _list_guard(request: HttpRequest) -> None:
    if not can_open_list(request.user):
        raise PermissionDenied(_("The list of mobilities is not available to you."))


# --- the list -----------------------------------------------------------------------------------------------


def filtered_mobilities(request: HttpRequest) -> MobilityFilter:
    """The list and the export share this: visible mobilities narrowed by ``MobilityFilter``."""
    return MobilityFilter(
        request.GET or None, queryset=selectors.mobility_list(user=request.user), request=request
    )


def filtered_rows(filterset: MobilityFilter) -> tuple[Any, bool]:
    """The rows to show: the filtered mobilities, or none when a filter value is invalid (its error shown)."""
    if not filterset.is_bound:
        return filterset.queryset, True
    if filterset.is_valid():
        return filterset.qs, True
    return filterset.queryset.none(), False


def filter_errors(filterset: MobilityFilter) -> list[tuple[str, str]]:
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows


def _sort_columns(current: str) -> list[dict[str, str]]:
    labels = {
        "number": _("Number"),
        "academic_year": _("Academic year"),
        "planned_start": _("Planned start"),
        "state": _("State"),
    }
    return [
        {
            "key": key,
            "label": label,
            "direction": "asc" if current == key else "desc" if current == f"-{key}" else "",
            "next": f"-{key}" if current == key else key,
        }
        for key, label in labels.items()
    ]


@login_required
@require_GET
def mobility_list(request: HttpRequest) -> HttpResponse:
    _list_guard(request)
    filterset = filtered_mobilities(request)
    queryset, valid = filtered_rows(filterset)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "filter_valid": valid,
        "filter_errors": [] if valid else filter_errors(filterset),
        "page_obj": page_obj,
        "rows": list(page_obj.object_list),
        "columns": _sort_columns(request.GET.get("ordering", "")),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "results":
        return render(request, "mobility/mobilities/_results.html", context)
    return render(request, "mobility/mobilities/list.html", context)


def export_headers() -> list[str]:
    return [
        _("Number"),
        _("Direction"),
        _("State"),
        _("Student"),
        _("Partner"),
        _("School"),
        _("Mobility type"),
        _("Academic year"),
        _("Semester"),
        _("Months"),
        _("Planned start"),
        _("Planned end"),
        _("Actual start"),
        _("Actual end"),
        _("Letter number"),
    ]


def export_rows(queryset: Any) -> list[list[object]]:
    return [
        [
            m.number,
            m.get_direction_display(),
            m.get_state_display(),
            str(m.person),
            str(m.partner),
            str(m.home_unit),
            m.get_mobility_type_display(),
            m.year_label,
            m.get_semester_display(),
            m.months,
            m.planned_start,
            m.planned_end,
            m.actual_start,
            m.actual_end,
            m.letter_number,
        ]
        for m in queryset
    ]


def _plain(text: str, status: int = 400) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def mobility_export(request: HttpRequest) -> HttpResponse:
    """CSV or XLSX of the filtered list: the mobilities the user may see, with the page's filters and order.
    No passport or other identity data: the student's name only."""
    _list_guard(request)
    filterset = filtered_mobilities(request)
    rows, valid = filtered_rows(filterset)
    if not valid:
        errors = "; ".join(f"{label}: {error}" for label, error in filter_errors(filterset))
        return _plain(_("The filters are not valid: %(errors)s") % {"errors": errors})
    fmt = request.GET.get("format") or "csv"
    if fmt not in EXPORT_FORMATS:
        return _plain(_("“%(value)s” is not an export format: choose csv or xlsx.") % {"value": fmt})
    stamp = timezone.localdate().isoformat()
    return export_response(
        fmt=fmt, filename=f"mobilities-{stamp}", headers=export_headers(), rows=export_rows(rows)
    )


# --- one mobility -------------------------------------------------------------------------------------------


def visible_mobility(request: HttpRequest, pk: int) -> Mobility:
    """The mobility if the user may see it (``visible_to``); 404 otherwise."""
    try:
        return selectors.mobility_get(user=request.user, pk=pk)
    except Mobility.DoesNotExist as exc:
        raise Http404 from exc


def page_mobility(request: HttpRequest, pk: int) -> Mobility:
    """The mobility if the user may open its page (staff who see it, the student themself); 404 otherwise —
    also for a partner contact, whose page is the partner portal's."""
    mobility = visible_mobility(request, pk)
    if not selectors.can_open_page(request.user, mobility):
        raise Http404
    return mobility


def _file_kinds(user: Any, mobility: Mobility) -> list[str]:
    if selectors.is_own(user, mobility) and not permissions.can_handle_mobility(user, mobility):
        return list(STUDENT_FILE_KINDS)
    return list(MobilityFileKind.values)


def _detail_context(request: HttpRequest, mobility: Mobility, **forms: Any) -> dict[str, Any]:
    user = request.user
    page = selectors.mobility_page(user=user, mobility=mobility)
    if page.visa is not None and page.visa.passport is not None:
        from meridian.people.services import identity_documents_viewed

        identity_documents_viewed(
            documents=[page.visa.passport],
            actor=user,  # type: ignore[arg-type]  # login_required: a signed-in User
            ip=client_ip(request),
            purpose=_("%(number)s: visa data card of the mobility's page") % {"number": mobility.number},
        )
    staff = not page.own or permissions.can_handle_mobility(user, mobility)
    return {
        "mobility": mobility,
        "page": page,
        "base_template": "mobility/base.html" if staff else "mobility/portal_base.html",
        "dates_form": forms.get("dates_form")
        or (
            DatesForm(
                initial={
                    "planned_start": mobility.planned_start,
                    "planned_end": mobility.planned_end,
                    "months": mobility.months,
                    "version": mobility.version,
                },
                auto_id="id_dates_%s",
            )
            if page.can_edit_dates
            else None
        ),
        "registration_form": RegistrationForm(
            initial={"registered_on": mobility.registered_on or timezone.localdate()}, auto_id="id_reg_%s"
        )
        if page.can_record_registration
        else None,
        "file_form": MobilityFileForm(kinds=_file_kinds(user, mobility), auto_id="id_file_%s")
        if page.can_add_file
        else None,
        "reveal_form": RevealForm(auto_id="id_reveal_%s"),
        "learning_panel": la_list_for_mobility_panel(mobility=mobility, user=user),
        "student_home_url": _url("mobility:student_home"),
        "application_url": reverse("mobility:incoming_application", args=[mobility.pk])
        if page.own and mobility.direction == "incoming"
        else "",
    }


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def mobility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mobility = page_mobility(request, pk)
    return no_store(render(request, "mobility/mobilities/detail.html", _detail_context(request, mobility)))


def _back(request: HttpRequest, mobility: Mobility, anchor: str = "") -> HttpResponse:
    """Back where the form was posted from (a page of this site), else the mobility's page — or, for a
    partner contact, the partner portal's page of the mobility."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if selectors.can_open_page(request.user, mobility):
        return redirect(f"{mobility.get_absolute_url()}{anchor}")
    portal = _url("mobility:partner_mobility", mobility.pk)
    return redirect(portal or "/")


@login_required
@require_POST
def mobility_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take a lifecycle move (``casework.MOBILITY_TRANSITIONS``) through the workflow engine: whoever the
    declaration lets act (our side, the partner's coordinators for their decisions, the student for their
    own moves). The move's declared inputs (``actual_start``, ``actual_end``) come from the form."""
    mobility = visible_mobility(request, pk)
    comment = str(request.POST.get("comment", "")).strip()[:4000]
    data = {
        name: request.POST[name]
        for name in ("actual_start", "actual_end")
        if name in request.POST and str(request.POST[name]).strip()
    }
    try:
        moved = services.mobility_move(
            mobility=mobility,
            actor=request.user,
            move=action,
            comment=comment,
            data=data,
            files=request.FILES.getlist("files"),
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return _back(request, mobility, "#lifecycle")
    messages.success(
        request, _("Done. The mobility is now “%(state)s”.") % {"state": moved.get_state_display()}
    )
    return _back(request, moved, "#lifecycle")


@login_required
@require_POST
def mobility_dates(request: HttpRequest, pk: int) -> HttpResponse:
    """Planned dates of the stay (our side)."""
    mobility = page_mobility(request, pk)
    if not selectors.can_edit_dates(request.user, mobility):
        raise PermissionDenied(_("You may not change the dates of this mobility."))
    form = DatesForm(request.POST, auto_id="id_dates_%s")
    stale = None
    if form.is_valid():
        try:
            services.mobility_dates_update(
                mobility=mobility,
                actor=request.user,
                expected_version=form.cleaned_data.get("version"),
                planned_start=form.cleaned_data.get("planned_start"),
                planned_end=form.cleaned_data.get("planned_end"),
                months=form.cleaned_data.get("months"),
            )
        except StaleEditError as exc:
            stale = exc
            keep_values_at_version(form, exc.current_version)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The planned dates are saved."))
            return redirect(f"{mobility.get_absolute_url()}#dates")
    context = _detail_context(request, mobility, dates_form=form)
    context["stale"] = stale
    return no_store(render(request, "mobility/mobilities/detail.html", context, status=409 if stale else 200))


@login_required
@require_POST
def mobility_registration(request: HttpRequest, pk: int) -> HttpResponse:
    """The day an incoming student registered after arriving (our side, once the arrival is recorded)."""
    mobility = page_mobility(request, pk)
    if not selectors.can_record_registration(request.user, mobility):
        raise PermissionDenied(_("You may not record the registration of this student now."))
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the day the student registered."))
        return redirect(f"{mobility.get_absolute_url()}#arrival")
    try:
        services.mobility_registration_record(
            mobility=mobility, actor=request.user, registered_on=form.cleaned_data["registered_on"]
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The registration is recorded."))
    return redirect(f"{mobility.get_absolute_url()}#arrival")


@login_required
@require_GET
def mobility_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file of the mobility: 404 unless the user may see the mobility and this file (passport copies only
    to those who may see the student's personal data; each such download is logged)."""
    mobility = visible_mobility(request, pk)
    record = get_object_or_404(MobilityFile, pk=file_pk, mobility=mobility)
    record.mobility = mobility
    try:
        services.mobility_file_open(record=record, actor=request.user, ip=client_ip(request))
    except PermissionDeniedError as exc:
        raise Http404 from exc
    return private_file_response(record.file, content_type=record.content_type, filename=record.original_name)


@login_required
@require_POST
def mobility_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    mobility = page_mobility(request, pk)
    if not selectors.can_add_file(request.user, mobility):
        raise PermissionDenied(_("You may not add files to this mobility now."))
    form = MobilityFileForm(request.POST, request.FILES, kinds=_file_kinds(request.user, mobility))
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = str(form.fields[name].label) if name in form.fields else ""
            text = " ".join(str(e) for e in errors)
            messages.error(
                request, _("%(field)s: %(message)s") % {"field": label, "message": text} if label else text
            )
        return redirect(f"{mobility.get_absolute_url()}#files")
    try:
        record = services.mobility_file_add(
            mobility=mobility,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            uploaded=form.cleaned_data["file"],
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(name)s is added to the files.") % {"name": record.original_name})
    return redirect(f"{mobility.get_absolute_url()}#files")


@login_required
@require_POST
def mobility_passport_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full passport number on the visa data card, for a stated purpose (logged); 404 to those who may not
    see the student's personal data."""
    mobility = page_mobility(request, pk)
    if not permissions.can_see_personal_data(request.user, mobility):
        raise Http404
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you need to see the full number."))
        return redirect(f"{mobility.get_absolute_url()}#visa")
    try:
        number = services.passport_reveal(
            mobility=mobility, actor=request.user, purpose=form.cleaned_data["purpose"], ip=client_ip(request)
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect(f"{mobility.get_absolute_url()}#visa")
    context = _detail_context(request, mobility)
    context["revealed_number"] = number
    return no_store(render(request, "mobility/mobilities/detail.html", context))
