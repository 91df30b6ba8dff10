"""The reimbursement pack of a trip: one PDF with the approval form, the approval document, the stamp pages.

Generating and downloading the single documents of a trip goes through the documents pages
(``documents:generate``, ``documents:download``); the trip page's documents panel links to them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from meridian.core.errors import DomainError
from meridian.travel.documents import can_use_trip_documents, reimbursement_pack
from meridian.travel.models import Trip


def _trip_for(request: HttpRequest, pk: int) -> Trip:
    """The trip if the user may see it and use its documents; 404 otherwise (no hint that it exists)."""
    trip = get_object_or_404(Trip.objects.visible_to(request.user).select_related("unit"), pk=pk)
    if not can_use_trip_documents(request.user, trip):
        raise Http404
    return trip


def _trip_url(trip: Trip) -> str:
    return trip.get_absolute_url() + "#trip-documents"


@login_required
@require_GET
def reimbursement_pack_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The pack as a PDF attachment; when it cannot be put together, a page saying why (status 409)."""
    trip = _trip_for(request, pk)
    try:
        data = reimbursement_pack(trip=trip, actor=request.user)
    except DomainError as exc:
        # PackError (not approved yet, scan missing or unreadable), or the approval form could not be made.
        context = {"trip": trip, "message": exc.message, "trip_url": _trip_url(trip)}
        return render(request, "travel/documents/pack_unavailable.html", context, status=409)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{trip.number}-reimbursement-pack.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<int:pk>/reimbursement-pack.pdf", reimbursement_pack_view, name="reimbursement_pack"),
]
