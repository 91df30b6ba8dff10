"""A visit's documents: the panel of the visit page, the documents page, and generating a document.

Generated files are downloaded, verified and revoked through the platform's documents pages
(``documents:download``, ``documents:detail``, ``documents:verify``). Generating here goes through
``visitors.documents.visit_document_generate``; the platform's ``documents:generate`` works as well, and both
refuse a template that cannot be generated in the visit's state with the same reason (the visit source's
``refusal``), shown as a message on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meridian.core.errors import DomainError
from meridian.documents.forms import GenerateForm
from meridian.visitors.documents import (
    can_use_visit_documents,
    visit_document_generate,
    visit_documents_overview,
)
from meridian.visitors.models import Visit
from meridian.visitors.panels import VisitPanel, register_visit_panel

ANCHOR = "#visit-documents"


def _visit(request: HttpRequest, pk: int) -> Visit:
    """The visit, if the user may see it and use its documents; 404 otherwise (no hint that it exists)."""
    visit = Visit.objects.visible_to(request.user).select_related("host_unit").filter(pk=pk).first()
    if visit is None or not can_use_visit_documents(request.user, visit):
        raise Http404
    return visit


def _visit_page(visit: Visit) -> str:
    try:
        return reverse("visitors:visit_detail", args=[visit.pk]) + ANCHOR
    except NoReverseMatch:
        return reverse("visitors:visit_documents", args=[visit.pk])


def _back(request: HttpRequest, visit: Visit) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _visit_page(visit)


@login_required
@require_http_methods(["GET", "POST"])
def visit_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: every document template of visits, whether it can be generated now (and when it can), and the
    documents generated so far. POST (``template``, ``language``, optional ``next``): generate one."""
    visit = _visit(request, pk)
    if request.method == "POST":
        form = GenerateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a template."))
            return redirect(_back(request, visit))
        try:
            document = visit_document_generate(
                visit=visit,
                template_code=form.cleaned_data["template"],
                actor=request.user,
                language=form.cleaned_data["language"] or None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Generated %(title)s, serial number %(serial)s.")
                % {"title": document.title, "serial": document.serial},
            )
        return redirect(_back(request, visit))
    context = {"visit": visit, "visit_docs": visit_documents_overview(visit=visit, user=request.user)}
    return render(request, "visitors/documents/page.html", context)


def _panel(request: HttpRequest, visit: Any) -> dict[str, Any] | None:
    overview = visit_documents_overview(visit=visit, user=request.user)
    if overview is None:
        return None
    return {"visit": visit, "visit_docs": overview}


register_visit_panel(VisitPanel("documents", 40, "visitors/documents/_panel.html", _panel))

urlpatterns = [
    path("<int:pk>/documents/", visit_documents, name="visit_documents"),
]
