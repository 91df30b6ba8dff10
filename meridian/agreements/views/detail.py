"""The agreement page and the actions taken from it: lifecycle moves, renewal and documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meridian.agreements import permissions, selectors, services
from meridian.agreements.forms import DocumentForm, RenewForm, TransitionForm
from meridian.agreements.models import Agreement, AgreementDocument
from meridian.core.errors import DomainError


def _visible(request: HttpRequest, pk: int) -> Agreement:
    try:
        return selectors.agreement_get(user=request.user, pk=pk)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@login_required
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible(request, pk)
    detail = selectors.agreement_detail(user=request.user, agreement=agreement)
    context = {
        "agreement": agreement,
        "detail": detail,
        "history": detail.history,
        "transition_form": TransitionForm(),
        "renew_form": RenewForm(),
        "document_form": DocumentForm(),
        "move_buttons": [(a, services.ACTION_LABELS[a]) for a in detail.actions if a != "renew"],
    }
    return render(request, "agreements/detail.html", context)


@login_required
@require_POST
def agreement_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agreement = _visible(request, pk)
    if action not in permissions.TRANSITIONS or action == "renew":
        raise Http404
    form = TransitionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.agreement_transition(agreement=agreement, actor=request.user, action=action, comment=comment)
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": services.ACTION_LABELS[action]})
    return redirect(agreement)


@login_required
@require_POST
def agreement_renew(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible(request, pk)
    form = RenewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give valid dates for the renewal."))
        return redirect(agreement)
    try:
        successor = services.agreement_renew(
            agreement=agreement,
            actor=request.user,
            comment=form.cleaned_data["comment"],
            start_date=form.cleaned_data["start_date"],
            end_date=form.cleaned_data["end_date"],
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect(agreement)
    messages.success(
        request,
        _("Agreement %(number)s was created as the renewal (a draft).") % {"number": successor.number},
    )
    return redirect(successor)


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file and its kind."))
        return redirect(agreement)
    try:
        document = services.document_upload(
            agreement=agreement,
            actor=request.user,
            uploaded_file=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("%(name)s uploaded as version %(version)s.")
            % {"name": document.original_name, "version": document.version},
        )
    return redirect(f"{agreement.get_absolute_url()}#documents")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    """Only someone who may see the agreement gets the file; everyone else gets 404."""
    agreement = _visible(request, pk)
    document = get_object_or_404(AgreementDocument, pk=doc_pk, agreement=agreement)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
