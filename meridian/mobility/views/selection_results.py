"""Call-level selection pages: the ranking (compute it), the allocation (run it, undo it; the fill of every
destination and each applicant's explanation) and the internal publicity list of the results.

The ranking and allocation pages are for the call's managers, the office and leadership; a call the reader
may not see answers 404, a page of a call they may see but not manage 403. The publicity list is for staff
and, during the publicity period, the call's applicants (masked names, no scores).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.mobility import permissions
from meridian.mobility.choices import CallState
from meridian.mobility.models import Call
from meridian.mobility.selectors import selection as selectors
from meridian.mobility.services import allocation as allocation_services
from meridian.mobility.services import selection as services


def _visible_call(request: HttpRequest, pk: int) -> Call:
    call = Call.objects.visible_to(request.user).select_related("unit").filter(pk=pk).first()
    if call is None:
        raise Http404
    return call


def _results_guard(request: HttpRequest, call: Call) -> None:
    if not selectors.can_see_call_results(request.user, call):
        raise PermissionDenied(_("The ranking and the allocation are for the office running the call."))


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request: HttpRequest, call_pk: int) -> HttpResponse:
    """The ranking of a call: every approved application with its points per criterion and score; POST
    computes it again (and stores score and rank)."""
    call = _visible_call(request, call_pk)
    _results_guard(request, call)
    if request.method == "POST":
        if not permissions.can_manage_call(request.user, call):
            raise PermissionDenied(_("Only the office running the call computes the ranking."))
        try:
            result = services.ranking_compute(call=call, actor=request.user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Ranking computed: %(count)s applications.") % {"count": len(result.sheets)}
            )
            if result.incomplete:
                messages.warning(
                    request,
                    _("%(count)s applications miss points on some criterion; missing points count 0.")
                    % {"count": len(result.incomplete)},
                )
        return redirect("mobility:ranking", call_pk=call.pk)
    page = selectors.ranking_page(call)
    return render(
        request,
        "mobility/selection/ranking.html",
        {
            "call": call,
            "page": page,
            "can_manage": permissions.can_manage_call(request.user, call),
            "can_compute": call.state in services.RANKING_CALL_STATES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocation(request: HttpRequest, call_pk: int) -> HttpResponse:
    """The allocation of a call: POST ``action=run`` allocates (again), ``action=undo`` takes an unpublished
    allocation back; the page shows each destination's fill, each applicant's explanation and the runs."""
    call = _visible_call(request, call_pk)
    _results_guard(request, call)
    if request.method == "POST":
        if not permissions.can_manage_call(request.user, call):
            raise PermissionDenied(_("Only the office running the call allocates its places."))
        action = request.POST.get("action")
        try:
            if action == "run":
                result = allocation_services.allocation_run(call=call, actor=request.user)
                messages.success(
                    request,
                    _("Places allocated: %(offered)s offered, %(waitlisted)s on the waiting list.")
                    % {"offered": result.offered, "waitlisted": result.waitlisted},
                )
            elif action == "undo":
                count = allocation_services.allocation_undo(call=call, actor=request.user)
                messages.success(
                    request, _("Allocation undone for %(count)s applications.") % {"count": count}
                )
            else:
                messages.error(request, _("Choose an action."))
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("mobility:allocation", call_pk=call.pk)
    page = selectors.allocation_page(call)
    return render(
        request,
        "mobility/selection/allocation.html",
        {
            "call": call,
            "page": page,
            "can_manage": permissions.can_manage_call(request.user, call),
            "can_run": call.state in allocation_services.ALLOCATION_CALL_STATES,
            "can_undo": call.state == CallState.ALLOCATED,
        },
    )


@login_required
@require_GET
def publicity(request: HttpRequest, call_pk: int) -> HttpResponse:
    """The internal publicity list (公示) of a call's results: staff see names, ranks and states (also as a
    preview before publication); the call's applicants, during the publicity period, see the application
    number, a masked name, the school and the destination."""
    call = Call.objects.filter(pk=call_pk).select_related("unit").first()
    if call is None:
        raise Http404
    access = selectors.publicity_access(request.user, call)
    if not access:
        raise Http404
    full = access == "staff"
    context = {
        "call": call,
        "rows": selectors.publicity_rows(call, user=request.user, full=full),
        "full": full,
        "preview": call.state == CallState.ALLOCATED,
    }
    template = "mobility/selection/publicity.html" if full else "mobility/selection/publicity_portal.html"
    return render(request, template, context)
