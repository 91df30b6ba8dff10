"""The office side of guests' data: a guest's page (passport number masked, revealed with a stated purpose and
logged), their files, the self-service link (issue, re-issue, revoke) and the office's lock; and the guests
panel of the visit page.

Who: ``permissions.can_see_guest_data`` (the office, the host, the host unit's secretaries) see the page and
the files; ``can_issue_guest_link`` (the office, the host unit's secretaries) send links;
``can_lock_guest_data`` (the office) locks. A visit the user may not see answers 404; a visit they see
without the right to its guests' data (leadership, approvers) answers 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError
from meridian.people import permissions as people_permissions
from meridian.people.choices import AccessAction
from meridian.people.forms import PurposeOfAccessForm
from meridian.people.services import access_log_record, identity_document_reveal, identity_documents_viewed
from meridian.people.views.common import client_ip, error_text, no_store
from meridian.visitors import permissions
from meridian.visitors.forms_guests import LinkForm, LockForm
from meridian.visitors.models import Visit, VisitGuest
from meridian.visitors.panels import VisitPanel, register_visit_panel
from meridian.visitors.services import guests as services
from meridian.workflow.rulepack import Joined


def _visit_guest(request: HttpRequest, pk: int, guest_pk: int) -> tuple[Visit, VisitGuest]:
    """The visit (404 unless the user may see it) and its guest (404 unless of this visit)."""
    visit = Visit.objects.visible_to(request.user).select_related("host_unit").filter(pk=pk).first()
    if visit is None:
        raise Http404
    guest = (
        VisitGuest.objects.select_related("person__nationality", "locked_by")
        .filter(pk=guest_pk, visit=visit)
        .first()
    )
    if guest is None:
        raise Http404
    guest.visit = visit
    return visit, guest


def _guest_with_data(request: HttpRequest, pk: int, guest_pk: int) -> tuple[Visit, VisitGuest]:
    visit, guest = _visit_guest(request, pk, guest_pk)
    if not permissions.can_see_guest_data(request.user, visit):
        raise PermissionDenied
    return visit, guest


def _detail_url(visit: Visit, guest: VisitGuest) -> str:
    return reverse("visitors:guest_detail", args=[visit.pk, guest.pk])


def _back(request: HttpRequest, visit: Visit, guest: VisitGuest) -> HttpResponse:
    if permissions.can_see_guest_data(request.user, visit):
        return redirect(_detail_url(visit, guest))
    return redirect(visit.get_absolute_url())


@login_required
@require_GET
def guest_detail(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    visit, guest = _guest_with_data(request, pk, guest_pk)
    person = guest.person
    documents = list(person.documents.select_related("issuing_country").prefetch_related("scans"))
    if documents:
        identity_documents_viewed(
            documents=documents,
            actor=request.user,  # type: ignore[arg-type]  # login_required: a signed-in User
            ip=client_ip(request),
            purpose=_("Guest page of visit %(number)s") % {"number": visit.number},
        )
    checks = services.guest_checks(guest)
    context = {
        "visit": visit,
        "guest": guest,
        "person": person,
        "documents": documents,
        "files": list(guest.files.all()),
        "checks": checks,
        "failing": services.failing(checks),
        "can_reveal": people_permissions.can_view_documents(request.user, person),
        "can_issue": permissions.can_issue_guest_link(request.user, visit),
        "can_lock": permissions.can_lock_guest_data(request.user),
        "purpose_form": PurposeOfAccessForm(),
        "link_days": services.link_days(),
        "link_live": bool(guest.link_nonce),
    }
    return no_store(render(request, "visitors/guests/detail.html", context))


@login_required
@require_POST
def guest_reveal(request: HttpRequest, pk: int, guest_pk: int, doc_pk: int) -> HttpResponse:
    """The full number of one of the guest's documents, for a stated purpose (people's logged reveal)."""
    visit, guest = _guest_with_data(request, pk, guest_pk)
    document = guest.person.documents.filter(pk=doc_pk).first()
    if document is None:
        raise Http404
    if not people_permissions.can_view_documents(request.user, guest.person):
        raise PermissionDenied
    form = PurposeOfAccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you need to see the full number."))
        return redirect(_detail_url(visit, guest))
    try:
        number = identity_document_reveal(
            document=document,
            actor=request.user,  # type: ignore[arg-type]
            purpose=form.cleaned_data["purpose"],
            ip=client_ip(request),
        )
    except (ValidationError, DomainError) as exc:
        messages.error(request, error_text(exc))
        return redirect(_detail_url(visit, guest))
    context = {"visit": visit, "guest": guest, "document": document, "number": number}
    template = (
        "visitors/guests/_revealed.html"
        if request.headers.get("HX-Request")
        else "visitors/guests/revealed.html"
    )
    return no_store(render(request, template, context))


@login_required
@require_GET
def guest_file(request: HttpRequest, pk: int, guest_pk: int, file_pk: int) -> HttpResponseBase:
    """A file the guest uploaded (photo), for those who see guests' data; each download is logged."""
    visit, guest = _guest_with_data(request, pk, guest_pk)
    record = guest.files.filter(pk=file_pk).first()
    if record is None:
        raise Http404
    access_log_record(
        actor=request.user,  # type: ignore[arg-type]
        action=AccessAction.DOWNLOAD,
        person=guest.person,
        purpose=_("Guest file (%(kind)s) of visit %(number)s")
        % {"kind": record.get_kind_display(), "number": visit.number},
        ip=client_ip(request),
    )
    inline = record.content_type.startswith("image/") and request.GET.get("inline") == "1"
    return private_file_response(
        record.file, content_type=record.content_type, filename=record.original_name, attachment=not inline
    )


@login_required
@require_POST
def guest_link(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    """``action=issue`` sends a new link (the old one stops working) and shows it to copy; ``revoke`` voids
    every link of the guest."""
    visit, guest = _visit_guest(request, pk, guest_pk)
    if not permissions.can_issue_guest_link(request.user, visit):
        raise PermissionDenied
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return _back(request, visit, guest)
    try:
        if form.cleaned_data["action"] == "revoke":
            services.guest_link_revoke(guest=guest, actor=request.user)
            messages.success(request, _("The guest's link no longer works."))
            return _back(request, visit, guest)
        issued = services.guest_link_issue(guest=guest, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, visit, guest)
    context = {
        "visit": visit,
        "guest": guest,
        "link": request.build_absolute_uri(issued.path),
        "emailed": issued.emailed,
        "days": services.link_days(),
        "can_see": permissions.can_see_guest_data(request.user, visit),
    }
    return no_store(render(request, "visitors/guests/link_issued.html", context))


@login_required
@require_POST
def guest_lock(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    """``action=lock`` (refused while checks fail unless ``confirm_failing``) or ``unlock``; office only."""
    visit, guest = _visit_guest(request, pk, guest_pk)
    if not permissions.can_lock_guest_data(request.user):
        raise PermissionDenied
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return _back(request, visit, guest)
    try:
        if form.cleaned_data["action"] == "unlock":
            services.guest_unlock(guest=guest, actor=request.user)
            messages.success(request, _("The guest can correct their data again through a valid link."))
        else:
            services.guest_lock(
                guest=guest, actor=request.user, confirm_failing=form.cleaned_data["confirm_failing"]
            )
            messages.success(request, _("The guest's data is locked."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, visit, guest)


# --- the visit page's guests panel ---------------------------------------------------------------------


def panel_context(request: HttpRequest, visit: Any) -> dict[str, Any] | None:
    """The guests with their status; check results only for those who see guests' data, run for every guest
    at once (the number of queries does not grow with the guests)."""
    user = request.user
    can_see = permissions.can_see_guest_data(user, visit)
    guests = list(visit.guests.select_related("person"))
    all_checks = services.visit_guest_checks(visit) if can_see and guests else {}
    rows = []
    for guest in guests:
        guest.visit = visit
        checks = all_checks.get(guest.pk, [])
        failing = [c for c in checks if c.get("outcome") == "fail"]
        rows.append(
            {
                "guest": guest,
                "checks_failing": failing,
                "failing_labels": str(Joined(c["label"] for c in failing)),
                "checks_total": len(checks),
                "link_live": bool(guest.link_nonce),
            }
        )
    return {
        "guest_rows": rows,
        "guests_can_see": can_see,
        "guests_can_issue": permissions.can_issue_guest_link(user, visit),
        "guests_can_lock": permissions.can_lock_guest_data(user),
    }


register_visit_panel(VisitPanel("guests", 20, "visitors/guests/_panel.html", panel_context))


urlpatterns = [
    path("<int:pk>/guests/<int:guest_pk>/", guest_detail, name="guest_detail"),
    path("<int:pk>/guests/<int:guest_pk>/link/", guest_link, name="guest_link"),
    path("<int:pk>/guests/<int:guest_pk>/lock/", guest_lock, name="guest_lock"),
    path("<int:pk>/guests/<int:guest_pk>/files/<int:file_pk>/", guest_file, name="guest_file"),
    path("<int:pk>/guests/<int:guest_pk>/documents/<int:doc_pk>/reveal/", guest_reveal, name="guest_reveal"),
]
