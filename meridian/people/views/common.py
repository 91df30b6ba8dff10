"""Helpers shared by the people views: visibility (404 to outsiders), client address, error text."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from meridian.accounts.models import User
from meridian.core.errors import DomainError
from meridian.people import selectors
from meridian.people.models import IdentityDocument, Person


class SignedInRequest(HttpRequest):
    """The request of a view behind ``login_required``: ``user`` is a signed-in User (and htmx is set)."""

    user: User  # type: ignore[assignment]
    htmx: Any


def visible_person(request: HttpRequest, pk: int) -> Person:
    try:
        return selectors.person_get(user=request.user, pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc


def visible_document(request: HttpRequest, person: Person, doc_pk: int) -> IdentityDocument:
    """A document of the person the user may see; 404 for everyone else (no hint that it exists)."""
    try:
        return selectors.identity_document_get(user=request.user, person=person, pk=doc_pk)
    except IdentityDocument.DoesNotExist as exc:
        raise Http404 from exc


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as the server saw it (the proxy sets REMOTE_ADDR if trusted)."""
    return request.META.get("REMOTE_ADDR") or None


def error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def keep_values_at_version(form: Any, version: int) -> None:
    """After a stale save: keep the user's values; saving again applies them over the current version."""
    data = form.data.copy()
    data["version"] = str(version)
    form.data = data


def no_store(response):
    """Pages and files with personal data are never kept by browsers or proxies."""
    response["Cache-Control"] = "private, no-store"
    return response
