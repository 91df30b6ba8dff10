"""Template editing for administrators: list, create, edit (each save is a new version), versions, preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.errors import DomainError
from meridian.documents import permissions, selectors, services
from meridian.documents.choices import DocumentFormat
from meridian.documents.forms import TemplateCreateForm, TemplateSettingsForm, TemplateVersionForm
from meridian.documents.models import DocumentTemplate, DocumentTemplateVersion
from meridian.documents.sources import DOCUMENT_FIELDS, sources
from meridian.documents.views.common import error_text


def _require_admin(request: HttpRequest) -> None:
    # Template pages are invisible to everyone else (404, not a hint that they exist).
    if not permissions.can_manage_templates(request.user):
        raise Http404


def _fields_for(source_key: str) -> list:
    fields = list(sources.get(source_key).fields) if source_key in sources else []
    return fields + list(DOCUMENT_FIELDS)


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    templates = selectors.template_list(user=request.user)
    return render(request, "documents/template_list.html", {"templates": templates})


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = TemplateCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.document_template_create(
                actor=request.user,
                code=data["code"],
                source=data["source"],
                name_en=data["name_en"],
                name_zh=data["name_zh"],
                kind=data["kind"],
                languages=data["languages"],
                fmt=data["fmt"],
                serial_code=data["serial_code"],
                serial_pattern=data["serial_pattern"],
                has_validity=data["has_validity"],
                bodies=form.bodies(),
                docx=form.docx_bytes(),
                comment=data["comment"],
            )
        except (DomainError, ValidationError) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Template %(code)s created as version 1.") % {"code": template.code})
            return redirect(template)
    return render(
        request,
        "documents/template_form.html",
        {"form": form, "sources_fields": [(s, list(s.fields) + list(DOCUMENT_FIELDS)) for s in sources]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The template with its current text in an editor; saving makes a new version."""
    _require_admin(request)
    template = get_object_or_404(DocumentTemplate.objects.select_related("current_version"), pk=pk)
    current = template.current_version
    initial = {f"body_{lang}": text for lang, text in (current.bodies if current else {}).items()}
    form = TemplateVersionForm(
        request.POST or None, request.FILES or None, template=template, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_template_save_version(
                template=template,
                actor=request.user,
                bodies=form.bodies(),
                docx=form.docx_bytes() if template.fmt == DocumentFormat.DOCX else None,
                comment=form.cleaned_data["comment"],
            )
        except (DomainError, ValidationError) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Saved as version %(number)s.") % {"number": version.number})
            return redirect(template)
    settings_form = TemplateSettingsForm(
        initial={
            "name_en": template.name_en,
            "name_zh": template.name_zh,
            "serial_pattern": template.serial_pattern,
            "has_validity": template.has_validity,
            "is_active": template.is_active,
        }
    )
    context = {
        "template": template,
        "form": form,
        "settings_form": settings_form,
        "versions": template.versions.select_related("created_by"),
        "fields": _fields_for(template.source),
        "source": sources.get(template.source) if template.source in sources else None,
    }
    return render(request, "documents/template_detail.html", context)


@login_required
@require_POST
def template_settings(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    template = get_object_or_404(DocumentTemplate, pk=pk)
    form = TemplateSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the template's settings."))
        return redirect(template)
    try:
        services.document_template_update(template=template, actor=request.user, **form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Settings saved."))
    return redirect(template)


@login_required
@require_GET
def template_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An older (or the current) version, read-only."""
    _require_admin(request)
    template = get_object_or_404(DocumentTemplate, pk=pk)
    version = get_object_or_404(
        DocumentTemplateVersion.objects.select_related("created_by"), template=template, number=number
    )
    return render(request, "documents/template_version.html", {"template": template, "version": version})


@login_required
@require_GET
def template_preview(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The version rendered with the example data (nothing stored), shown inline."""
    _require_admin(request)
    template = get_object_or_404(DocumentTemplate, pk=pk)
    version = get_object_or_404(DocumentTemplateVersion, template=template, number=number)
    language = request.GET.get("language") or template.output_languages()[0]
    try:
        data = services.document_preview(template=template, version=version, language=language)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(template)
    response = HttpResponse(
        data,
        content_type="application/pdf"
        if template.fmt == DocumentFormat.PDF
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    disposition = "inline" if template.fmt == DocumentFormat.PDF else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{template.code}-v{number}-preview.{template.fmt}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
