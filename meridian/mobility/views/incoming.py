"""The incoming student's own pages: the invitation link (set a password, be signed in) and the application
(personal data, passport, studies, uploads, consent; "Send" completes it).

The invitation page is open to whoever holds a valid link (``services.incoming.invitation_grant``); a forged,
expired, replaced (re-invitation) or used link gets the same "link not valid" page (404) and nothing changes.
The application page serves only the mobility's student (404 for everyone else, staff included: staff read
the application on the mobility's page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meridian.core.errors import DomainError, StaleEditError
from meridian.mobility.choices import Direction, MobilityState
from meridian.mobility.forms_mobilities import IncomingApplicationForm, InvitationPasswordForm
from meridian.mobility.models import Mobility
from meridian.mobility.services import incoming as services
from meridian.people.consent import current_text
from meridian.people.services import identity_documents_viewed
from meridian.people.views.common import client_ip, error_text, keep_values_at_version, no_store

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _private(response: HttpResponse) -> HttpResponse:
    """No caching, and the token in the address never leaves the site in a Referer header (``same-origin``
    keeps the Origin header the page's own POSTs need for the CSRF check)."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return no_store(response)


def _invalid(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "mobility/incoming/invalid.html", status=404))


@require_http_methods(["GET", "POST"])
def incoming_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password through the invitation; the student is then signed in and lands on their application."""
    mobility = services.invitation_grant(token)
    if mobility is None:
        return _invalid(request)
    student = mobility.student
    assert student is not None  # invitation_grant guarantees it
    nonce = mobility.invitation_nonce
    if request.method == "POST":
        form = InvitationPasswordForm(student, request.POST)
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    mobility=mobility, nonce=nonce, password=form.cleaned_data["new_password1"]
                )
            except DomainError:
                return _invalid(request)
            login(request, user, backend=BACKEND)
            messages.success(request, _("Your password is set. Please complete your application."))
            return redirect("mobility:incoming_application", pk=mobility.pk)
    else:
        form = InvitationPasswordForm(student)
    other = request.user.is_authenticated and request.user.pk != student.pk
    context = {"mobility": mobility, "form": form, "student": student, "signed_in_as_other": other}
    return _private(render(request, "mobility/incoming/invitation.html", context))


def _own_incoming(request: HttpRequest, pk: int) -> Mobility:
    mobility = (
        Mobility.objects.select_related("person__nationality", "partner", "home_unit")
        .filter(pk=pk, direction=Direction.INCOMING, student_id=request.user.pk)
        .first()
    )
    if mobility is None:
        raise Http404
    return mobility


def _page(
    request: HttpRequest, mobility: Mobility, form: IncomingApplicationForm | None, *, stale: Any = None
) -> HttpResponse:
    passport = services.current_passport(mobility)
    if passport is not None:
        identity_documents_viewed(
            documents=[passport],
            actor=request.user,  # type: ignore[arg-type]  # login_required: a signed-in User
            ip=client_ip(request),
            purpose=_("%(number)s: the student's own application") % {"number": mobility.number},
        )
    editable = mobility.state == MobilityState.INVITED
    context = {
        "mobility": mobility,
        "form": form if editable else None,
        "editable": editable,
        "passport": passport,
        "files": list(mobility.files.all()),
        "missing": services.incoming_missing(mobility) if editable else [],
        "consent": current_text(),
        "consent_given": services.consent_given(mobility),
        "stale": stale,
        "detail_url": reverse("mobility:mobility_detail", args=[mobility.pk]),
    }
    status = 409 if stale is not None else 200
    return _private(render(request, "mobility/incoming/application.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def incoming_application(request: HttpRequest, pk: int) -> HttpResponse:
    """The student's application: saved as often as they like while invited; "Send" checks that nothing is
    missing and completes it (the office and the host school then decide)."""
    mobility = _own_incoming(request, pk)
    if request.method != "POST" or mobility.state != MobilityState.INVITED:
        if request.method == "POST":
            messages.error(request, _("Your application has been sent; it can no longer be changed."))
        initial = IncomingApplicationForm.initial_for(mobility, services.current_passport(mobility))
        return _page(request, mobility, IncomingApplicationForm(initial=initial))
    form = IncomingApplicationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, mobility, form)
    try:
        services.incoming_application_save(
            mobility=mobility,
            actor=request.user,
            expected_version=form.cleaned_data.get("version"),
            consent_version=request.POST.get("consent_version", "")
            if form.cleaned_data.get("consent")
            else "",
            ip=client_ip(request),
            person_fields=form.person_fields(),
            passport=form.passport(),
            fields=form.application_fields(),
            uploads=form.uploads(),
        )
    except StaleEditError as exc:
        keep_values_at_version(form, exc.current_version)
        return _page(request, mobility, form, stale=exc)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            target = {"expiry_date": "passport_expiry", "issuing_country": "passport_issuing_country"}.get(
                name, name
            )
            form.add_error(target if target in form.fields else None, errors)
        return _page(request, mobility, form)
    except DomainError as exc:
        form.add_error(None, error_text(exc))
        return _page(request, mobility, form)
    mobility.refresh_from_db()
    if "send" not in request.POST:
        messages.success(request, _("Your application is saved. Send it when nothing is missing."))
        return redirect("mobility:incoming_application", pk=mobility.pk)
    try:
        services.incoming_application_send(mobility=mobility, actor=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("mobility:incoming_application", pk=mobility.pk)
    messages.success(
        request, _("Your application is sent. We will tell you by e-mail when the host school has decided.")
    )
    return redirect("mobility:mobility_detail", pk=mobility.pk)
