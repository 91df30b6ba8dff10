"""The partner picker's search endpoint (see meridian/core/widgets/picker.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.partners import permissions
from meridian.partners.selectors import partner_picker_detail, partner_picker_search

_MAX_QUERY = 200  # characters


@login_required
@require_GET
def partner_search_view(request: HttpRequest) -> JsonResponse:
    """Partners matching `q` that the user may see, as picker JSON. 403 for users without a partner list."""
    if not permissions.can_list_partners(request.user):
        raise PermissionDenied(_("You may not see partners."))
    query = request.GET.get("q", "").strip()[:_MAX_QUERY]
    results = [
        {"value": str(p.pk), "label": p.display_name, "detail": partner_picker_detail(p)}
        for p in partner_picker_search(user=request.user, query=query)
    ]
    return JsonResponse({"results": results})
