"""Health check and the small pages every deployment needs."""

from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import meridian
from meridian.core.storage import MEDIA_STORAGE_ALIAS, PRIVATE_STORAGE_ALIAS, probe, storage_backend_name


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the database and storage status when healthy; 503 when the database does not answer or
    the private documents' or media store cannot be written, read and deleted (see ``storage_health``)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"status": "ok", "engine": connection.vendor}
        healthy = True
    except Exception as exc:  # any driver error means "unreachable" to a load balancer
        database = {"status": "unavailable", "engine": connection.vendor, "error": exc.__class__.__name__}
        healthy = False
    storage = storage_health()
    healthy = healthy and storage["status"] == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "version": meridian.__version__,
            "database": database,
            "storage": storage,
        },
        status=200 if healthy else 503,
    )


def storage_health() -> dict:
    """``{"status", "backend", "private", "media"}``: a probe object written, read back and deleted in the
    private documents' store and in the media store; ``status`` is ``"ok"`` only when both work."""
    private = probe(storages[PRIVATE_STORAGE_ALIAS])
    media = probe(storages[MEDIA_STORAGE_ALIAS])
    healthy = private["status"] == "ok" and media["status"] == "ok"
    return {
        "status": "ok" if healthy else "unavailable",
        "backend": storage_backend_name(),
        "private": private,
        "media": media,
    }
