"""The people picker's search endpoint (see meridian/core/widgets/picker.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import is_internal
from meridian.accounts.selectors import INTERNAL_ROLES, STAFF_ROLES, people_search

_MAX_QUERY = 100  # characters


@login_required
@require_GET
def people_search_view(request: HttpRequest) -> JsonResponse:
    """Staff eligible to be named responsible (see `eligible_staff`) matching `q`, as picker JSON.

    Optional `unit` (an organisational unit's id) narrows to the people who reach or work in that unit;
    `key=username` answers user names as values (for fields that take a user name) instead of ids;
    `pool=internal` counts leadership viewers too (for posts), the default `staff` does not.
    Only university staff may search people (403 for students, partner contacts and users without a role).
    """
    if not is_internal(request.user):
        raise PermissionDenied(_("You may not search people."))
    query = request.GET.get("q", "").strip()[:_MAX_QUERY]
    unit_id = request.GET.get("unit", "")
    unit = None
    if unit_id.isdigit() and len(unit_id) < 12:
        unit = OrgUnit.objects.filter(pk=int(unit_id)).first()
    by_name = request.GET.get("key") == "username"
    roles = INTERNAL_ROLES if request.GET.get("pool") == "internal" else STAFF_ROLES
    results = [
        {
            "value": person.username if by_name else str(person.pk),
            "label": str(person),
            "detail": person.username,
        }
        for person in people_search(query=query, unit=unit, roles=roles)
    ]
    return JsonResponse({"results": results})
