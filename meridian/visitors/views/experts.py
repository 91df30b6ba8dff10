"""Pages of foreign experts' hiring cases: the list with its filters, filing and editing a case (with a new
or existing candidate), the case page (facts, category criteria, document checklist with uploads, reported
changes, the lifecycle moves and the deadlines), document downloads, and the experts rule set."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Field
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError, StaleEditError
from meridian.visitors import permissions
from meridian.visitors.casework_experts import (
    EXPERT_HIRING,
    IN_CHINA,
    days_left,
    document_status,
    residence_permit_pending,
)
from meridian.visitors.forms_experts import (
    ChangeReportedForm,
    ExpertChangeForm,
    ExpertDocumentForm,
    ExpertFilter,
    ExpertHiringForm,
    JustifyForm,
    filter_errors,
)
from meridian.visitors.models import ExpertChange, ExpertDocument, ExpertHiring
from meridian.visitors.rules_experts import CONTEXT, criteria_check, facts_from_hiring
from meridian.visitors.selectors import experts as selectors
from meridian.visitors.services import experts as services
from meridian.workflow.rulepack import localised_result
from meridian.workflow.services import moves_for

PAGE_SIZE = 50


# --- helpers ------------------------------------------------------------------------------------------------


def _hiring(request: HttpRequest, pk: int) -> ExpertHiring:
    """The case if the user may see it; 404 otherwise."""
    hiring = selectors.expert_get(user=request.user, pk=pk)
    if hiring is None:
        raise Http404
    return hiring


def _attach(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# --- list ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def expert_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, filtered by state, category, host unit, a search and "ends within N days".
    An invalid filter lists nothing and says why."""
    if not permissions.can_open_expert_list(request.user):
        raise PermissionDenied(_("Foreign experts' hiring cases are not available to you."))
    filterset = ExpertFilter(request.GET or None, queryset=selectors.expert_list(user=request.user))
    errors: list[tuple[str, str]] = []
    if not filterset.is_bound:
        rows = filterset.queryset
    elif filterset.is_valid():
        rows = filterset.qs
    else:
        rows, errors = filterset.queryset.none(), filter_errors(filterset)
    page = Paginator(rows.order_by("-contract_starts_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter": filterset,
        "filter_errors": errors,
        "can_create": permissions.can_create_expert_hiring(request.user),
        "can_rules": permissions.can_manage_rules(request.user),
    }
    return render(request, "visitors/experts/list.html", context)


# --- filing and editing -------------------------------------------------------------------------------------


@transaction.atomic
def _save(request: HttpRequest, form: ExpertHiringForm, hiring: ExpertHiring | None) -> ExpertHiring:
    """A new candidate and the case are saved together: a refused case keeps no orphan person record."""
    fields = form.service_fields()
    new_person = form.new_person_fields()
    if new_person is not None:
        try:
            fields["person"] = services.expert_person_create(
                actor=request.user,
                host_unit=fields.get("host_unit") or (hiring.host_unit if hiring else None),
                hiring=hiring,
                allow_duplicate=form.cleaned_data.get("allow_duplicate", False),
                **new_person,
            )
        except ValidationError as exc:
            # The people service names its own fields; the form shows them on the new-candidate fields.
            if hasattr(exc, "error_dict"):
                raise ValidationError(
                    {
                        f"new_{name}" if f"new_{name}" in form.fields else name: errors
                        for name, errors in exc.error_dict.items()
                    }
                ) from exc
            raise
    if hiring is None:
        return services.expert_hiring_create(actor=request.user, **fields)
    return services.expert_hiring_update(
        hiring=hiring, actor=request.user, expected_version=form.cleaned_data.get("version"), **fields
    )


def _form_page(request: HttpRequest, hiring: ExpertHiring | None) -> HttpResponse:
    """The hiring form. Whatever a service refuses — bad values, a stale version, a duplicate, a permission
    or another domain rule — comes back on the form with the input kept (never a bare error page)."""
    editable = services.editable_fields(hiring)
    stale = None
    status = 200
    if request.method == "POST":
        form = ExpertHiringForm(request.POST, instance=hiring, user=request.user, editable=editable)
        if form.is_valid():
            try:
                saved = _save(request, form, hiring)
            except StaleEditError as exc:
                stale = exc
                form.data = cast(QueryDict, form.data).copy()  # bound to request.POST
                form.data["version"] = str(exc.current_version)
                status = 409
            except DuplicateError as exc:
                form.add_error("allow_duplicate" if "allow_duplicate" in form.fields else None, exc.message)
                status = 400
            except PermissionDeniedError as exc:
                form.add_error(None, exc.message)
                status = 403
            except ValidationError as exc:
                _attach(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                text = (
                    _("Hiring case %(number)s filed.")
                    if hiring is None
                    else _("Hiring case %(number)s saved.")
                )
                messages.success(request, text % {"number": saved.number})
                return redirect(saved)
        else:
            status = 400
    else:
        form = ExpertHiringForm(instance=hiring, user=request.user, editable=editable)
    context = {"form": form, "hiring": hiring, "stale": stale}
    return render(request, "visitors/experts/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def expert_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_expert_hiring(request.user):
        raise PermissionDenied(_("Only the International Office or unit secretaries file hiring cases."))
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hiring = _hiring(request, pk)
    if not permissions.expert_handler(request.user, hiring):
        raise PermissionDenied(_("Only those who handle this case may change it."))
    if not services.editable_fields(hiring):
        messages.error(request, _("A closed case cannot be changed."))
        return redirect(hiring)
    return _form_page(request, hiring)


# --- the case page ------------------------------------------------------------------------------------------


def _criteria(hiring: ExpertHiring) -> tuple[list[dict[str, Any]], bool]:
    """The criteria to show: checked now while the case is open (need, candidate), else as stored when it was
    qualified. Returns (results, stored)."""
    if hiring.state in services.OPEN_STATES or not hiring.criteria_results:
        return criteria_check(hiring), False
    return [localised_result(r) for r in hiring.criteria_results], True


def _input_type(name: str) -> str:
    internal = cast(Field, ExpertHiring._meta.get_field(name)).get_internal_type()
    return "date" if internal == "DateField" else "text"


def _moves(hiring: ExpertHiring, user: Any) -> list[dict[str, Any]]:
    """The moves the user may take now, each with the inputs it records (dates, the permit number) — offered
    as a form even while they are missing — or the reasons it is blocked."""
    rows = []
    for option in moves_for(case=hiring, user=user):
        fields = [
            {
                "name": name,
                "label": str(cast(Field, ExpertHiring._meta.get_field(name)).verbose_name),
                "type": _input_type(name),
                "value": getattr(hiring, name, None),
            }
            for name in option.inputs
        ]
        rows.append({"option": option, "fields": fields})
    return rows


def _detail(
    request: HttpRequest, hiring: ExpertHiring, *, status: int = 200, **forms_given: Any
) -> HttpResponse:
    user = request.user
    handles = permissions.expert_handler(user, hiring)
    open_case = hiring.state not in services.CLOSED_STATES
    results, stored = _criteria(hiring)
    may_justify = permissions.is_office(user) and hiring.state in services.OPEN_STATES
    for result in results:
        result["can_justify"] = (
            may_justify and result["outcome"] == "fail" and result["severity"] == "justify"
        )
    changes = list(selectors.expert_changes(hiring))
    context = {
        "hiring": hiring,
        "facts": facts_from_hiring(hiring),
        "criteria": results,
        "criteria_stored": stored,
        "blocking": sum(1 for r in results if r.get("blocking")),
        "checklist": document_status(hiring),
        "documents": list(selectors.expert_documents(hiring)),
        "see_documents": permissions.can_see_expert_documents(user, hiring),
        "changes": changes,
        "unreported": [c for c in changes if c.reported_on is None],
        "can_edit": handles and bool(services.editable_fields(hiring)),
        "document_form": (forms_given.get("document_form") or ExpertDocumentForm())
        if handles and open_case
        else None,
        "change_form": (forms_given.get("change_form") or ExpertChangeForm())
        if handles and hiring.state in IN_CHINA
        else None,
        "reported_form": ChangeReportedForm() if handles else None,
        "justify_form": forms_given.get("justify_form"),
        "moves": _moves(hiring, user),
        "case_type_code": EXPERT_HIRING,
        "visa_warning": residence_permit_pending(hiring),
        "permit_ends_on": hiring.permit_ends_on(),
        "days_left": days_left(hiring.permit_ends_on()),
    }
    return render(request, "visitors/experts/detail.html", context, status=status)


@login_required
@require_GET
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _hiring(request, pk))


@login_required
@require_POST
def expert_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a checklist document; a file refused by its content is shown as an error and nothing is kept."""
    hiring = _hiring(request, pk)
    if not permissions.expert_handler(request.user, hiring):
        raise PermissionDenied
    form = ExpertDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.expert_document_add(
                hiring=hiring,
                actor=request.user,
                kind=data["kind"],
                uploaded=data.get("file"),
                received_on=data.get("received_on"),
                expires_on=data.get("expires_on"),
                note=data.get("note", ""),
            )
        except PermissionDeniedError as exc:
            form.add_error(None, exc.message)
            return _detail(request, hiring, document_form=form, status=403)
        except ValidationError as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error("file" if exc.code in ("invalid_file", "too_large") else None, exc.message)
        else:
            messages.success(request, _("The document was added."))
            return redirect(f"{hiring.get_absolute_url()}#documents")
    return _detail(request, hiring, document_form=form, status=400)


@login_required
@require_GET
def expert_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A document's file: 404 unless the case is visible, 403 for readers of the case who may not have its
    files (leadership); every download is logged."""
    hiring = _hiring(request, pk)
    document = get_object_or_404(ExpertDocument, pk=document_pk, hiring=hiring, file__gt="")
    try:
        services.expert_document_open(document=document, actor=request.user, ip=_ip(request))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    return private_file_response(
        document.file, content_type=document.content_type, filename=document.original_name
    )


@login_required
@require_POST
def expert_change_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a change (kind, description, date); its due date follows in working days."""
    hiring = _hiring(request, pk)
    if not permissions.expert_handler(request.user, hiring):
        raise PermissionDenied
    form = ExpertChangeForm(request.POST)
    if form.is_valid():
        try:
            change = services.expert_change_report(hiring=hiring, actor=request.user, **form.cleaned_data)
        except PermissionDeniedError as exc:
            form.add_error(None, exc.message)
            return _detail(request, hiring, change_form=form, status=403)
        except ValidationError as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The change is recorded; report it to the authorities by %(date)s.")
                % {"date": change.due_on.isoformat()},
            )
            return redirect(f"{hiring.get_absolute_url()}#changes")
    return _detail(request, hiring, change_form=form, status=400)


@login_required
@require_POST
def expert_change_reported(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    hiring = _hiring(request, pk)
    change = get_object_or_404(ExpertChange, pk=change_pk, hiring=hiring)
    if not permissions.expert_handler(request.user, hiring):
        raise PermissionDenied
    form = ChangeReportedForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(f"{hiring.get_absolute_url()}#changes")
    try:
        services.expert_change_mark_reported(
            change=change, actor=request.user, reported_on=form.cleaned_data["reported_on"]
        )
    except (ValidationError, DomainError) as exc:
        messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))
    else:
        messages.success(request, _("The report of the change is recorded."))
    return redirect(f"{hiring.get_absolute_url()}#changes")


@login_required
@require_POST
def expert_justify(request: HttpRequest, pk: int) -> HttpResponse:
    """The office justifies (or withdraws the justification of) a category criterion that is not met."""
    hiring = _hiring(request, pk)
    if not permissions.is_office(request.user):
        raise PermissionDenied
    form = JustifyForm(request.POST)
    if form.is_valid():
        try:
            services.expert_criteria_justify(hiring=hiring, actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))
        else:
            messages.success(request, _("The justification is recorded."))
    else:
        messages.error(request, _("The justification could not be read."))
    return redirect(f"{hiring.get_absolute_url()}#criteria")


# --- rules --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def expert_rules(request: HttpRequest) -> HttpResponse:
    """The experts rule set (category criteria, short stays, deadlines): administrators."""
    from meridian.workflow.views.rulepack import rulepack_page

    if not permissions.can_manage_rules(request.user):
        raise PermissionDenied
    return rulepack_page(
        request,
        CONTEXT,
        extra={"back_url": reverse("visitors:expert_list"), "back_label": _("Foreign experts")},
    )


urlpatterns = [
    path("experts/", expert_list, name="expert_list"),
    path("experts/new/", expert_create, name="expert_create"),
    path("experts/rules/", expert_rules, name="expert_rules"),
    path("experts/<int:pk>/", expert_detail, name="expert_detail"),
    path("experts/<int:pk>/edit/", expert_edit, name="expert_edit"),
    path("experts/<int:pk>/documents/", expert_document_add, name="expert_document_add"),
    path("experts/<int:pk>/documents/<int:document_pk>/", expert_document, name="expert_document"),
    path("experts/<int:pk>/changes/", expert_change_add, name="expert_change_add"),
    path(
        "experts/<int:pk>/changes/<int:change_pk>/reported/",
        expert_change_reported,
        name="expert_change_reported",
    ),
    path("experts/<int:pk>/justify/", expert_justify, name="expert_justify"),
]
