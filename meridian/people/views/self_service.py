"""Self-service links: officers issue and revoke them; guests open them to enter their own data."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.people import permissions, services
from meridian.people.consent import current_text
from meridian.people.forms import SelfServiceForm, SelfServiceLinkForm, stored_values
from meridian.people.self_service import (
    GUEST_FIELDS,
    self_service_grant,
    self_service_link_issue,
    self_service_links_revoke,
    self_service_submit,
)
from meridian.people.views.common import (
    SignedInRequest,
    client_ip,
    error_text,
    keep_values_at_version,
    no_store,
    visible_person,
)


@login_required
@require_POST
def link_issue(request: SignedInRequest, pk: int) -> HttpResponse:
    person = visible_person(request, pk)
    if not permissions.can_issue_self_service_link(request.user, person):
        raise PermissionDenied
    form = SelfServiceLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the purpose the guest's data is collected for."))
        return redirect(person)
    try:
        path = self_service_link_issue(
            person=person, purpose=form.cleaned_data["purpose"], actor=request.user
        )
    except PermissionDeniedError as exc:
        messages.error(request, exc.message)
        return redirect(person)
    context = {
        "person": person,
        "link": request.build_absolute_uri(path),
        "days": settings.SELF_SERVICE_LINK_DAYS,
        "purpose": form.cleaned_data["purpose"],
    }
    return no_store(render(request, "people/link_issued.html", context))


@login_required
@require_POST
def link_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    person = visible_person(request, pk)
    if not permissions.can_edit_person(request.user, person):
        raise PermissionDenied
    self_service_links_revoke(person=person, actor=request.user)
    messages.success(request, _("Every self-service link issued for this person so far no longer works."))
    return redirect(person)


@require_http_methods(["GET", "POST"])
def self_service(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding a valid link; no sign-in. Saves nothing without the ticked consent."""
    grant = self_service_grant(token)
    if grant is None:
        return no_store(render(request, "people/self_service_invalid.html", status=404))
    person = grant.person
    if request.method == "POST":
        form = SelfServiceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                self_service_submit(
                    grant=grant,
                    consent_version=request.POST.get("consent_version", ""),
                    ip=client_ip(request),
                    expected_version=form.cleaned_data.get("version"),
                    person_fields=form.person_fields(),
                    document_fields=form.document_fields(),
                    scan=form.cleaned_data.get("scan"),
                )
            except StaleEditError as exc:
                form.add_error(None, exc.message)
                keep_values_at_version(form, exc.current_version)
            except ValidationError as exc:
                form.add_service_errors(exc)
            except DomainError as exc:
                form.add_error(
                    "scan" if exc.code.startswith(("invalid_file", "too_large")) else None, error_text(exc)
                )
            else:
                return no_store(render(request, "people/self_service_done.html", {"person": person}))
    else:
        initial = stored_values(person, GUEST_FIELDS)
        initial["version"] = person.version
        form = SelfServiceForm(initial=initial)
    documents = list(person.documents.all())
    if documents:
        services.identity_documents_viewed(
            documents=documents,
            actor=None,
            ip=client_ip(request),
            purpose=_("Self-service page (the holder)"),
        )
    context = {
        "form": form,
        "person": person,
        "purpose": grant.purpose,
        "consent": current_text(),
        "documents": documents,
    }
    return no_store(render(request, "people/self_service.html", context))
