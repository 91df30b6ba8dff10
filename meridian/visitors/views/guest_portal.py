"""The guest's own page, opened through their personal link (no account): the visit, the consent statement and
the form for their data. A forged, expired, revoked or superseded link gets the same "link not valid" page
(404), so a link never tells whether another guest or token exists; after the office locks the data the
page shows it read-only."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meridian.core.errors import DomainError, StaleEditError
from meridian.people.consent import current_text
from meridian.people.forms import stored_values
from meridian.people.self_service import GUEST_FIELDS
from meridian.people.services import identity_documents_viewed
from meridian.people.views.common import client_ip, error_text, keep_values_at_version, no_store
from meridian.visitors.forms_guests import GuestForm, cv_formset
from meridian.visitors.models import VisitGuest
from meridian.visitors.services.guests import (
    GuestStaleEditError,
    guest_data_fingerprint,
    guest_data_submit,
    guest_grant,
)


def _private(response: HttpResponse) -> HttpResponse:
    """No caching, and the token in the address never leaves the site in a Referer header. ``same-origin``,
    not ``no-referrer``: with no referrer at all browsers send ``Origin: null`` on the form's own POSTs, which
    Django's CSRF check refuses."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return no_store(response)


def _invalid(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "visitors/guest_portal/invalid.html", status=404))


def _error_field(exc: DomainError) -> str | None:
    """The field a refused upload belongs to (the photo's errors carry code ``invalid_photo``)."""
    if exc.code == "invalid_photo":
        return "photo"
    if exc.code.startswith(("invalid_file", "too_large")):
        return "scan"
    return None


def _consent_month(version: str) -> date | None:
    """The month a consent text version is named after ("guest-2026-11" → 2026-11-01), to show instead of
    the code; None for a version not named that way."""
    found = re.search(r"(\d{4})-(\d{2})$", version)
    if found is None or not 1 <= int(found[2]) <= 12:
        return None
    return date(int(found[1]), int(found[2]), 1)


def _page(
    request: HttpRequest,
    guest: VisitGuest,
    form: GuestForm,
    cv,
    *,
    saved: bool = False,
    stale: StaleEditError | None = None,
) -> HttpResponse:
    documents = list(guest.person.documents.all())
    if documents:
        identity_documents_viewed(
            documents=documents,
            actor=None,
            ip=client_ip(request),
            purpose=_("Self-service page (the holder)"),
        )
    consent = current_text()
    context = {
        "guest": guest,
        "visit": guest.visit,
        "form": form,
        "cv": cv,
        "consent": consent,
        "consent_month": _consent_month(consent.version),
        "documents": documents,
        "photos": guest.files.filter(kind="photo").count(),
        "saved": saved,
        "stale": stale,
    }
    status = 409 if stale is not None else 200
    return _private(render(request, "visitors/guest_portal/form.html", context, status=status))


@require_http_methods(["GET", "POST"])
def guest_form(request: HttpRequest, token: str) -> HttpResponse:
    """Open to whoever holds a valid link; saves nothing without the ticked consent."""
    guest = guest_grant(token)
    if guest is None:
        return _invalid(request)
    if guest.locked_at is not None:
        return _private(
            render(request, "visitors/guest_portal/locked.html", {"guest": guest, "visit": guest.visit})
        )
    person = guest.person
    if request.method == "POST":
        form = GuestForm(request.POST, request.FILES)
        more = "more_rows" in request.POST
        cv = cv_formset(request.POST, more=2 if more else 0)
        if more:  # more CV rows: the same page with the values typed so far, nothing saved or checked
            return _page(request, guest, GuestForm(initial=request.POST.dict()), cv)
        stale = None
        if form.is_valid() and cv.is_valid():
            try:
                guest_data_submit(
                    guest=guest,
                    consent_version=request.POST.get("consent_version", ""),
                    ip=client_ip(request),
                    expected_version=form.cleaned_data.get("version"),
                    person_fields=form.person_fields(),
                    document_fields=form.document_fields(),
                    scan=form.cleaned_data.get("scan"),
                    photo=form.cleaned_data.get("photo"),
                    cv=cv.rows(),
                    itinerary=form.itinerary(),
                    needs=form.needs(),
                    expected_fingerprint=form.cleaned_data.get("fingerprint") or None,
                )
            except StaleEditError as exc:
                # Nothing saved: the page shows what is stored now, keeps the guest's input, and saving
                # again applies it over the current data.
                stale = exc
                keep_values_at_version(form, exc.current_version)
                if isinstance(exc, GuestStaleEditError):
                    cast(Any, form.data)["fingerprint"] = exc.current_fingerprint
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    if name == "cv":
                        cv._non_form_errors = cv.error_class(messages, error_class="nonform")
                    else:
                        form.add_error(name if name in form.fields else None, messages)
            except DomainError as exc:
                form.add_error(_error_field(exc), error_text(exc))
            else:
                return redirect(f"{request.path}?saved=1")
        return _page(request, guest, form, cv, stale=stale)
    initial = stored_values(person, GUEST_FIELDS)
    initial["version"] = person.version
    initial["fingerprint"] = guest_data_fingerprint(guest)
    initial.update(GuestForm.itinerary_initial(guest))
    return _page(
        request, guest, GuestForm(initial=initial), cv_formset(rows=guest.cv), saved="saved" in request.GET
    )


urlpatterns = [
    path("guest/<str:token>/", guest_form, name="guest_form"),
]
