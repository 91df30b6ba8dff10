"""Shared pieces of the REST API: pagination and one stable error shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError, StaleEditError


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _error(code: str, message: str, http_status: int, details: object = None) -> Response:
    return Response(
        {"error": {"code": code, "message": message, "details": details or {}}}, status=http_status
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every API error answers `{"error": {"code", "message", "details"}}`."""
    if isinstance(exc, StaleEditError):
        details = {
            "current_version": exc.current_version,
            "changed_by": exc.changed_by,
            "changes": [c.__dict__ for c in exc.changes],
        }
        return _error(exc.code, exc.message, status.HTTP_409_CONFLICT, details)
    if isinstance(exc, DuplicateError):
        existing = exc.existing
        return _error(
            exc.code, exc.message, status.HTTP_409_CONFLICT, {"existing_id": getattr(existing, "pk", None)}
        )
    if isinstance(exc, PermissionDeniedError):
        return _error(exc.code, exc.message, status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        return _error(exc.code, exc.message, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return _error("invalid", "The data is not valid.", status.HTTP_400_BAD_REQUEST, details)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return _error("invalid", "The data is not valid.", response.status_code, response.data)
    code = getattr(exc, "default_code", "error")
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    return _error(str(code), str(detail), response.status_code)
