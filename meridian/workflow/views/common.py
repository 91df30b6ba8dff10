"""Helpers shared by the workflow views: finding a visible case, turning errors into messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from meridian.core.errors import DomainError
from meridian.workflow.declaration import CaseType
from meridian.workflow.registry import case_types
from meridian.workflow.selectors import assigned_case_ids


def visible_case(user, code: str, pk: int) -> tuple[Any, CaseType]:
    """The case ``pk`` of type ``code`` if ``user`` may see it; 404 otherwise (no hint that it exists)."""
    try:
        case_type = case_types.get(code)
    except KeyError as exc:
        raise Http404 from exc
    queryset = case_type.model_class._default_manager.filter(pk=pk)
    case = case_type.visible(user, queryset).first()
    if case is None and pk in set(assigned_case_ids(user=user, model=case_type.model_class)):
        # People an approval step was given to see the case they decide, whatever their unit.
        case = queryset.first()
    if case is None:
        raise Http404
    return case, case_type


def error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def back_to(request: HttpRequest, case: Any = None, default: str = "/inbox/") -> str:
    """Where to go after a POST: a safe ``next`` field, else the case's page, else ``default``."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    if case is not None and hasattr(case, "get_absolute_url"):
        return case.get_absolute_url()
    return default
