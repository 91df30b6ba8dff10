"""The staff dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from meridian.accounts.permissions import is_internal
from meridian.dashboard.selectors import dashboard_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The headline figures and sections every context registers, as far as the user may see them.

    The dashboard is made for the university's staff; anyone else (a student, a partner contact, someone
    with no role) is sent to the page made for them (``workflow:landing`` decides which).
    """
    if not is_internal(request.user):
        return redirect("workflow:landing")
    data = dashboard_for(user=request.user)
    return render(request, "dashboard/home.html", {"dashboard": data})
