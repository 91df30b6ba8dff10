"""Every request gets an id, one access log line and its place in the request metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty
from django.utils.log import log_response

from meridian.core.observability import metrics
from meridian.core.observability.context import accept_request_id, request_id_var
from meridian.core.observability.redact import query_keys, safe_path

REQUEST_ID_HEADER = "X-Request-ID"
access_logger = logging.getLogger("meridian.access")


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id when authentication has already run; never loads the user for the log."""
    user: Any = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


def view_label(request: HttpRequest) -> str:
    """The metrics label of the view that answered: its URL name (``"partners:detail"``), ``"static"`` for
    static files, ``"unresolved"`` when no URL pattern matched (a 404, a refused host, a redirect)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name  # the dotted path of the view for a pattern without a name
    if settings.STATIC_URL and request.path.startswith(str(settings.STATIC_URL)):
        return "static"
    return "unresolved"


class RequestObservabilityMiddleware:
    """Outermost middleware: binds the request id (``X-Request-ID`` in, or a new one) for every log record
    written while the request is handled (and as ``request.request_id``), returns it in the ``X-Request-ID``
    response header, writes one access log line (logger ``meridian.access``, INFO: method, safe path, query
    parameter names, view, status, duration in ms, user id, request id) and counts the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            if response.status_code >= 400:
                # Django writes this warning once the middleware has returned, without the request id;
                # written here (the same record), it carries the id and Django's own call is skipped.
                log_response(
                    "%s: %s", response.reason_phrase, request.path, response=response, request=request
                )
            self._record(request, response, duration)
            return response
        finally:
            request_id_var.reset(token)

    def _record(self, request: HttpRequest, response: HttpResponse, duration: float) -> None:
        view = view_label(request)
        method = metrics.method_label(request.method or "")
        status = response.status_code
        metrics.observe_request(method=method, view=view, status=status, seconds=duration)
        path = safe_path(request)
        duration_ms = round(duration * 1000, 1)
        access_logger.info(
            "%s %s %s %.1fms",
            method,
            path,
            status,
            duration_ms,
            extra={
                "method": method,
                "path": path,
                "query_keys": query_keys(request),
                "view": view,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": _user_id(request),
            },
        )
