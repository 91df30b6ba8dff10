"""Identity documents: add, change, delete, add scans, and the logged reads (full number, scan download)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.people import permissions, services
from meridian.people.forms import DocumentForm, PurposeOfAccessForm, ScanForm
from meridian.people.models import DocumentScan, Person
from meridian.people.views.common import (
    SignedInRequest,
    client_ip,
    error_text,
    keep_values_at_version,
    no_store,
    visible_document,
    visible_person,
)


def _documents_url(person: Person) -> str:
    return f"{person.get_absolute_url()}#documents"


def _managed_person(request: SignedInRequest, pk: int) -> Person:
    person = visible_person(request, pk)
    if not permissions.can_manage_documents(request.user, person):
        # Someone who may see the person but not their documents learns nothing more than "not allowed".
        raise PermissionDenied
    return person


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: SignedInRequest, pk: int) -> HttpResponse:
    person = _managed_person(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_document_create(
                person=person,
                actor=request.user,
                purposes=list(form.cleaned_data["purposes"]),
                purpose_ends_on=form.cleaned_data.get("purpose_ends_on"),
                scan=form.cleaned_data.get("scan"),
                **form.service_fields(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(
                "scan" if exc.code.startswith(("invalid_file", "too_large")) else None, exc.message
            )
        else:
            messages.success(request, _("Identity document added."))
            return redirect(_documents_url(person))
    return no_store(render(request, "people/document_form.html", {"form": form, "person": person}))


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: SignedInRequest, pk: int, doc_pk: int) -> HttpResponse:
    person = _managed_person(request, pk)
    document = visible_document(request, person, doc_pk)
    stale = None
    if request.method == "POST":
        form = DocumentForm(request.POST, creating=False)
        if form.is_valid():
            try:
                services.identity_document_update(
                    document=document,
                    actor=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    **form.service_fields(),
                )
            except StaleEditError as exc:
                stale = exc
                keep_values_at_version(form, exc.current_version)
            except ValidationError as exc:
                form.add_service_errors(exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Identity document saved."))
                return redirect(_documents_url(person))
    else:
        # The edit form shows the number in full: opening it is logged like "show number".
        services.access_log_record(
            actor=request.user,
            action="unmask",
            document=document,
            purpose=_("Opened the document to edit it"),
            ip=client_ip(request),
        )
        form = DocumentForm(initial=DocumentForm.initial_from(document), creating=False)
    context = {"form": form, "person": person, "document": document, "stale": stale}
    return no_store(render(request, "people/document_form.html", context))


@login_required
@require_POST
def document_delete(request: SignedInRequest, pk: int, doc_pk: int) -> HttpResponse:
    person = _managed_person(request, pk)
    document = visible_document(request, person, doc_pk)
    services.identity_document_delete(document=document, actor=request.user)
    messages.success(request, _("Identity document deleted with its scans."))
    return redirect(_documents_url(person))


@login_required
@require_POST
def scan_upload(request: SignedInRequest, pk: int, doc_pk: int) -> HttpResponse:
    person = _managed_person(request, pk)
    document = visible_document(request, person, doc_pk)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect(_documents_url(person))
    try:
        services.document_scan_add(
            document=document, actor=request.user, uploaded_file=form.cleaned_data["scan"]
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Scan stored (encrypted)."))
    return redirect(_documents_url(person))


@login_required
@require_POST
def document_reveal(request: SignedInRequest, pk: int, doc_pk: int) -> HttpResponse:
    """The full number, after the user said why; logged. htmx swaps it into the row, else a small page."""
    person = visible_person(request, pk)
    document = visible_document(request, person, doc_pk)
    form = PurposeOfAccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you need to see the full number."))
        return redirect(_documents_url(person))
    try:
        number = services.identity_document_reveal(
            document=document, actor=request.user, purpose=form.cleaned_data["purpose"], ip=client_ip(request)
        )
    except (PermissionDeniedError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect(_documents_url(person))
    context = {"person": person, "document": document, "number": number}
    template = "people/_revealed.html" if request.htmx else "people/revealed.html"
    return no_store(render(request, template, context))


@login_required
@require_POST
def scan_download(request: SignedInRequest, pk: int, doc_pk: int, scan_pk: int) -> HttpResponse:
    """The decrypted scan as an attachment, after the user said why; logged."""
    person = visible_person(request, pk)
    document = visible_document(request, person, doc_pk)
    scan = get_object_or_404(DocumentScan, pk=scan_pk, document=document)
    form = PurposeOfAccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you need the scan."))
        return redirect(_documents_url(person))
    try:
        data = services.document_scan_open(
            scan=scan, actor=request.user, purpose=form.cleaned_data["purpose"], ip=client_ip(request)
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    except (PermissionDeniedError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect(_documents_url(person))
    response = FileResponse(
        io.BytesIO(data), as_attachment=True, filename=scan.download_name, content_type=scan.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return no_store(response)
