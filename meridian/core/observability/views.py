"""``/metrics``: the Prometheus scrape endpoint, for monitoring systems holding ``METRICS_TOKEN``."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from meridian.core.observability.metrics import render


def _refusal(code: str, message: str, status: int) -> JsonResponse:
    response = JsonResponse(
        {"error": {"code": code, "message": message, "details": {}}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus text format for ``Authorization: Bearer <METRICS_TOKEN>``.

    404 while ``METRICS_TOKEN`` is empty (the endpoint is off); 401 (JSON error, ``WWW-Authenticate:
    Bearer``) without a bearer token; 403 (JSON error) for a wrong one. Tokens are compared in constant time.
    """
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        return _refusal("not_authenticated", _("The metrics need a bearer token."), 401)
    if not constant_time_compare(given, expected):
        return _refusal("permission_denied", _("This token does not give access to the metrics."), 403)
    return HttpResponse(render(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
