"""The public verification page: anyone holding a document can confirm it is genuine, without signing in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meridian.documents import selectors


def _private(response: HttpResponse) -> HttpResponse:
    # The address carries the document's secret token: keep it out of caches, other sites' referrers and
    # search engines (same-origin, not no-referrer: the page's own POSTs, the language switch, need an
    # Origin header).
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def verify(request: HttpRequest, serial: str, token: str) -> HttpResponse:
    """Shows only the serial number, document type, issue date, issuing unit, validity, the holder's name
    partly masked and the file's SHA-256; an unknown serial or a wrong token both answer the same 404 page."""
    facts = selectors.document_verify(serial=serial, token=token)
    if facts is None:
        return _private(render(request, "documents/verify_not_found.html", status=404))
    return _private(render(request, "documents/verify.html", {"facts": facts}))
