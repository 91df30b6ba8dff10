"""Generating a case's documents, their page, the permission-checked download, revoking, batches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError
from meridian.documents import batches, permissions, selectors, services
from meridian.documents.forms import BatchForm, GenerateForm, RevokeForm
from meridian.documents.models import DocumentTemplate, GeneratedDocument
from meridian.documents.sources import sources


def _subject(request: HttpRequest, source_key: str, object_id: int):
    """The case, if the user may view or generate its documents; 404 otherwise."""
    if source_key not in sources:
        raise Http404
    source = sources.get(source_key)
    subject = source.model()._default_manager.filter(pk=object_id).first()
    if subject is None or not (
        source.can_view(request.user, subject) or source.can_generate(request.user, subject)
    ):
        raise Http404
    return subject


def _back(request: HttpRequest, subject) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return subject.get_absolute_url() + "#generated-documents"


@login_required
@require_POST
def document_generate_view(request: HttpRequest, source: str, object_id: int) -> HttpResponse:
    subject = _subject(request, source, object_id)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a template."))
        return redirect(_back(request, subject))
    template = DocumentTemplate.objects.filter(code=form.cleaned_data["template"], source=source).first()
    if template is None:
        messages.error(request, _("There is no such template for this case."))
        return redirect(_back(request, subject))
    try:
        document = services.document_generate(
            template_code=template.code,
            subject=subject,
            actor=request.user,
            language=form.cleaned_data["language"] or None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, subject))
    messages.success(
        request,
        _("Generated %(title)s, serial number %(serial)s.")
        % {"title": document.title, "serial": document.serial},
    )
    return redirect(_back(request, subject))


def _visible(request: HttpRequest, pk: int) -> GeneratedDocument:
    try:
        return selectors.document_get(user=request.user, pk=pk)
    except GeneratedDocument.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible(request, pk)
    context = {
        "document": document,
        "subject": document.subject,
        "events": selectors.document_events(document=document),
        "can_revoke": permissions.can_revoke_document(request.user, document),
        "revoke_form": RevokeForm(),
    }
    return render(request, "documents/document_detail.html", context)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """Only someone the case's source lets view its documents gets the file (logged); everyone else 404."""
    document = _visible(request, pk)
    response = private_file_response(
        document.file, content_type=document.content_type_header, filename=document.filename
    )
    services.document_download_record(document=document, actor=request.user)
    return response


@login_required
@require_POST
def document_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible(request, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the document."))
        return redirect(document)
    try:
        services.document_revoke(document=document, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Document %(serial)s is revoked.") % {"serial": document.serial})
    return redirect(document)


@login_required
@require_http_methods(["GET", "POST"])
def document_batch(request: HttpRequest) -> HttpResponse:
    """Officers and administrators start a batch: one template for every case its source lists."""
    if not permissions.can_run_batches(request.user):
        raise Http404
    batchable = [s.key for s in sources if s.batch_cases is not None]
    templates = list(
        DocumentTemplate.objects.filter(is_active=True, source__in=batchable, current_version__isnull=False)
    )
    form = BatchForm(request.POST or None, templates=templates)
    if request.method == "POST" and form.is_valid():
        try:
            job = batches.document_batch_start(
                template_code=form.cleaned_data["template"],
                language=form.cleaned_data["language"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(job.get_absolute_url())
    scopes = [(s.label, s.batch_label) for s in sources if s.batch_cases is not None]
    return render(request, "documents/batch.html", {"form": form, "scopes": scopes})
