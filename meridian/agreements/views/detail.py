"""The agreement page and the actions taken from it: lifecycle moves, renewal and documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meridian.accounts.permissions import is_internal
from meridian.agreements import permissions, selectors, services
from meridian.agreements.forms import DocumentForm, RenewForm, TransitionForm
from meridian.agreements.models import Agreement, AgreementDocument
from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError
from meridian.workflow.permissions import can_act_for_applicant
from meridian.workflow.selectors import is_watching


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


def _moves_on_behalf(request: HttpRequest, agreement: Agreement, own: list) -> tuple[object | None, list]:
    """Moves the user may take for the agreement's applicant (its creator) as the unit's foreign-affairs
    secretary or coordinator, and not for themselves (renewal excluded: it has its own form)."""
    applicant = agreement.created_by
    if applicant is None or applicant.pk == request.user.pk:
        return None, []
    if not can_act_for_applicant(request.user, unit=agreement.responsible_unit):
        return None, []
    mine = {m.name for m in own}
    moves = selectors.agreement_moves(user=applicant, agreement=agreement)
    return applicant, [m for m in moves if m.name not in mine and m.name != "renew" and m.available]


@login_required
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible(request, pk)
    detail = selectors.agreement_detail(user=request.user, agreement=agreement)
    acting_for, proxy_moves = _moves_on_behalf(request, agreement, detail.moves)
    context = {
        "agreement": agreement,
        "detail": detail,
        "history": detail.history,
        "transition_form": TransitionForm(),
        "renew_form": RenewForm(),
        "document_form": DocumentForm(),
        # Partner contacts read the agreement itself; the internal review, activity and history stay inside.
        "internal": is_internal(request.user),
        "watching": is_watching(case=agreement, user=request.user),
        "moves": [m for m in detail.moves if m.name != "renew"],
        "renew_move": next((m for m in detail.moves if m.name == "renew"), None),
        "acting_for": acting_for,
        "proxy_moves": proxy_moves,
    }
    context["extension_panels"] = selectors.agreement_panels(
        agreement=agreement, user=request.user, base=context
    )
    return render(request, "agreements/detail.html", context)


@login_required
@require_POST
def agreement_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agreement = _visible(request, pk)
    if action not in permissions.TRANSITIONS or action == "renew":
        raise Http404
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(agreement)
    on_behalf_of = None
    if request.POST.get("on_behalf_of"):
        if request.POST["on_behalf_of"] != str(agreement.created_by_id):
            messages.error(request, _("You can act on behalf of this agreement's applicant only."))
            return redirect(agreement)
        on_behalf_of = agreement.created_by
    try:
        services.agreement_transition(
            agreement=agreement,
            actor=request.user,
            action=action,
            comment=form.cleaned_data["comment"],
            start_date=form.cleaned_data["start_date"] if action == "activate" else None,
            on_behalf_of=on_behalf_of,
        )
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
    return private_file_response(
        document.file, content_type=document.content_type, filename=document.original_name
    )
