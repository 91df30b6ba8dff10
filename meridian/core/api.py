"""Shared pieces of the REST API: pagination and one stable error shape.

Every error under ``/api/`` answers ``{"error": {"code", "message", "details"}}``: those DRF sees go through
``exception_handler``; those Django answers itself (an unknown address, an unexpected exception, a refused
host or CSRF check outside DRF) through the ``handler400/403/404/500`` views below, named in
``meridian/urls.py``, which give every other address Django's own pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError, StaleEditError


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


API_PREFIX = "/api/"


def _body(code: str, message: str, details: object = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _error(code: str, message: str, http_status: int, details: object = None) -> Response:
    return Response(_body(code, message, details), status=http_status)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json_error(code: str, message: str, http_status: int) -> JsonResponse:
    return JsonResponse(
        _body(code, str(message)), status=http_status, json_dumps_params={"ensure_ascii": False}
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a refused request (bad host header, suspicious operation); JSON under ``/api/``."""
    if _is_api(request):
        return _json_error("bad_request", _("The request is not valid."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler403``: refused outside DRF (for example by middleware); JSON under ``/api/``."""
    if _is_api(request):
        return _json_error("permission_denied", exceptions.PermissionDenied.default_detail, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: an address no URL pattern matches; under ``/api/`` a JSON 404 (code ``not_found``)."""
    if _is_api(request):
        return _json_error("not_found", exceptions.NotFound.default_detail, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: an unexpected exception (already logged by Django); under ``/api/`` a JSON 500 body
    with code ``server_error`` and no detail of the exception, elsewhere the 500 page."""
    if _is_api(request):
        return _json_error(
            "server_error",
            _(
                "The server could not complete the request because of an unexpected error; "
                "it has been logged."
            ),
            500,
        )
    return defaults.server_error(request)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every API error answers `{"error": {"code", "message", "details"}}`, in the request's language.

    The language is the one ``LocaleMiddleware`` chose (``Accept-Language``, the language cookie or the
    URL): domain errors carry messages translated where they were raised, DRF's own messages ("Not
    found.", "Authentication credentials were not provided.") come translated by DRF, and the handler's
    own message for invalid data is translated here.
    """
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
        return _error("invalid", _("The data is not valid."), status.HTTP_400_BAD_REQUEST, details)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return _error("invalid", _("The data is not valid."), response.status_code, response.data)
    code = getattr(exc, "default_code", "error")
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    error = _error(str(code), str(detail), response.status_code)
    # DRF's own headers stay: the challenge of a 401 (RFC 9110 §11.6.1 requires ``WWW-Authenticate``) and
    # the ``Retry-After`` of a throttled request (§10.2.3).
    for header in _KEPT_HEADERS:
        if header in response:
            error[header] = response[header]
    return error


# Headers DRF's handler sets on an error response that the JSON envelope keeps.
_KEPT_HEADERS = ("WWW-Authenticate", "Retry-After")


ERROR_SCHEMA = {
    "type": "object",
    "description": "The shape of every API error.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. `invalid`."},
                "message": {"type": "string", "description": "Human message in the request's language."},
                "details": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Per-field messages for invalid data, or facts about a conflict.",
                },
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
}
# Answers any operation may give, with the reason shown in the document when the view names none.
_COMMON_ERRORS = {
    "400": "Invalid data, parameter or filter value",
    "401": "Not signed in (no or unknown token)",
    "403": "Not allowed",
    "404": "No such record, or not visible to you",
}
_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def document_errors(result: dict, generator: object, request: object, public: bool) -> dict:
    """drf-spectacular post-processing hook: every operation documents the errors it may answer.

    Adds ``components.schemas.Error`` (the shape of ``_error``) and, on every operation, the responses
    400, 401, 403 and 404 where missing; error responses (4xx/5xx) without a body get the ``Error`` body.
    Returns the changed document (``result``, changed in place). Registered in ``POSTPROCESSING_HOOKS``.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _COMMON_ERRORS.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if str(code)[0] in "45" and "content" not in response:
                    response["content"] = body
    return result


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class NullableStringRelatedField(serializers.StringRelatedField):
    """A related record shown by its text, or null when there is none (the system acted, nobody on whose
    behalf): documented as a nullable string, so that responses with null conform to the OpenAPI document."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)
