"""The staff dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from meridian.accounts.permissions import is_internal
from meridian.core.registry import registry
from meridian.dashboard.selectors import dashboard_for


def landing_url(user) -> str:
    """The page made for a user the staff dashboard is not for (a student, a partner contact): the first
    ``registry.landings`` entry that applies; "" for staff, or when no entry applies."""
    if is_internal(user):
        return ""
    for entry in registry.landings:
        if entry.applies(user):
            try:
                return reverse(entry.url_name)
            except NoReverseMatch:
                continue
    return ""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The headline figures and sections every context registers, as far as the user may see them."""
    target = landing_url(request.user)
    if target and request.GET.get("stay") != "1":
        return redirect(target)
    data = dashboard_for(user=request.user)
    return render(request, "dashboard/home.html", {"dashboard": data})
