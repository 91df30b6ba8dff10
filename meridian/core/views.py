"""Health check and the small pages every deployment needs."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import meridian


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the database status when healthy, 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"status": "ok", "engine": connection.vendor}
        healthy = True
    except Exception as exc:  # any driver error means "unreachable" to a load balancer
        database = {"status": "unavailable", "engine": connection.vendor, "error": exc.__class__.__name__}
        healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "version": meridian.__version__, "database": database},
        status=200 if healthy else 503,
    )
