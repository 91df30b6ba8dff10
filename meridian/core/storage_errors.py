"""A store of documents that cannot be used answers 503 with a clear message, not a bare server error.

``StorageErrorMiddleware.process_exception`` takes only exceptions that come from storage:

* ``StorageUnavailableError``, raised by the project's storage backends (``meridian/core/storage.py``);
* an ``OSError`` (other than "file not found") about a path inside ``PRIVATE_STORAGE_ROOT`` or
  ``MEDIA_ROOT`` (import uploads and job results are still kept there as plain files);
* a botocore error (only the object storage talks to S3).

Every other exception goes on to Django's usual handling (500 and the log), so real bugs still surface.
Under ``/api/`` the answer is the API's JSON error shape with code ``storage_unavailable``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from meridian.core.errors import StorageUnavailableError
from meridian.core.storage import is_storage_outage

logger = logging.getLogger("meridian.storage")

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 60


def _inside(path: object, roots: list[Path]) -> bool:
    if not isinstance(path, (str, bytes, Path)) or not path:
        return False
    try:
        candidate = Path(path.decode() if isinstance(path, bytes) else path).resolve()
    except (OSError, ValueError):
        return False
    return any(candidate == root or root in candidate.parents for root in roots)


def is_storage_failure(exc: BaseException) -> bool:
    """True when ``exc`` says a store of documents or media cannot be used (see the module's rules)."""
    if isinstance(exc, StorageUnavailableError):
        return True
    if isinstance(exc, (FileNotFoundError, FileExistsError)):
        return False
    if isinstance(exc, OSError):
        roots = [
            Path(root).resolve()
            for root in (getattr(settings, "PRIVATE_STORAGE_ROOT", None), settings.MEDIA_ROOT)
            if root
        ]
        return _inside(exc.filename, roots) or _inside(exc.filename2, roots)
    return is_storage_outage(exc)


def storage_unavailable_message() -> str:
    """The message shown to the user (in the request's language) when storage cannot be used."""
    return _(
        "Files cannot be saved or read at the moment because the document storage is not available. "
        "Nothing was changed. Please try again later; the error has been logged."
    )


def storage_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 and the message: the API error shape (code ``storage_unavailable``) under /api/, else a page."""
    message = storage_unavailable_message()
    response: HttpResponse
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse(
            {"error": {"code": "storage_unavailable", "message": message, "details": {}}},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(request, "core/storage_unavailable.html", {"message": message}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class StorageErrorMiddleware:
    """Answers storage failures raised by a view with 503 and a translated message (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_storage_failure(exception):
            return None
        logger.error(
            "Storage unavailable on %s %s: %s", request.method, request.path, exception, exc_info=exception
        )
        return storage_unavailable_response(request)
