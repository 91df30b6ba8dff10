"""The staff dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meridian.dashboard.selectors import dashboard_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The headline figures and sections every context registers, as far as the user may see them."""
    data = dashboard_for(user=request.user)
    return render(request, "dashboard/home.html", {"dashboard": data})
