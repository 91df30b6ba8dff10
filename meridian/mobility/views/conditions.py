"""Staff pages of cooperation conditions (places) and partners' factsheets, under ``/exchange/places/``:
the list of every condition the reader may see with the places used, adding, changing and deleting a
condition of an agreement (the agreement page's "Cooperation conditions" panel links here), and the office's
form of a partner's factsheet (the partner's coordinators keep it in the partner portal).

Who may do what is asked of ``permissions``: a condition or agreement the reader may not see is a 404; a
change they may not make is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from meridian.accounts.permissions import is_internal
from meridian.agreements.models import Agreement
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.mobility import permissions
from meridian.mobility.filters_conditions import ConditionFilter, filter_errors
from meridian.mobility.forms_conditions import ConditionForm, FactsheetForm, apply_errors
from meridian.mobility.models import CooperationCondition, academic_year_label
from meridian.mobility.selectors import conditions as selectors
from meridian.mobility.services import conditions as services
from meridian.partners.models import Partner

PAGE_SIZE = 50


def agreement_panel_url(agreement_id: int) -> str:
    return reverse("agreements:detail", args=[agreement_id]) + "#conditions"


def _condition(request: HttpRequest, pk: int) -> CooperationCondition:
    """The condition if the user may see it; 404 otherwise."""
    return get_object_or_404(
        CooperationCondition.objects.visible_to(request.user).select_related("agreement", "partner"), pk=pk
    )


def _may_edit(request: HttpRequest, agreement: Agreement) -> None:
    if not permissions.can_edit_conditions(request.user, agreement):
        raise PermissionDenied(_("You may not change the cooperation conditions of this agreement."))


# --- the list -----------------------------------------------------------------------------------------------


@login_required
@require_safe
def condition_list(request: HttpRequest) -> HttpResponse:
    """Every condition the reader may see (staff of the university), narrowed by ``ConditionFilter``, with
    the places offered in calls, those held by mobilities, and what is left. An invalid filter lists nothing
    and says why (status 400)."""
    user = request.user
    if not is_internal(user):
        raise PermissionDenied(_("The list of places is for the university's staff."))
    data = request.GET.copy()
    data.pop("page", None)
    probe = ConditionFilter(data or None, queryset=CooperationCondition.objects.none())
    valid = not probe.is_bound or probe.is_valid()
    year = probe.form.cleaned_data.get("academic_year") if probe.is_bound and valid else None
    filterset = ConditionFilter(data or None, queryset=selectors.condition_list(user=user, year=year))
    queryset = filterset.qs if filterset.is_bound and valid else filterset.queryset
    if not valid:
        queryset = queryset.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for condition in page.object_list:
        rows.append(
            {
                "view": selectors.condition_view(condition, internal=True),
                "agreement": condition.agreement,
                "in_calls": condition.in_calls,
                "in_mobilities": condition.in_mobilities,
                "left": condition.places - condition.in_mobilities,
                "can_edit": permissions.can_edit_conditions(user, condition.agreement),
            }
        )
    context = {
        "rows": rows,
        "page_obj": page,
        "filter": filterset,
        "filter_errors": [] if valid else filter_errors(probe),
        "counted_year_label": academic_year_label(
            year if year is not None else selectors.current_academic_year()
        ),
    }
    return render(request, "mobility/conditions/list.html", context, status=200 if valid else 400)


# --- add, change, delete ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def condition_create(request: HttpRequest, agreement_pk: int) -> HttpResponse:
    """Add a condition to an agreement the user sees and may change the conditions of."""
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=agreement_pk)
    _may_edit(request, agreement)
    blocker = services.condition_blocker(agreement)
    if blocker:
        messages.error(request, blocker)
        return redirect(agreement_panel_url(agreement.pk))
    status = 200
    if request.method == "POST":
        form = ConditionForm(request.POST, agreement=agreement, user=request.user)
        if form.is_valid():
            try:
                services.condition_create(agreement=agreement, actor=request.user, **form.values())
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The cooperation condition was added."))
                return redirect(agreement_panel_url(agreement.pk))
        status = 400
    else:
        form = ConditionForm(agreement=agreement, user=request.user)
    context = {"form": form, "agreement": agreement, "condition": None}
    return render(request, "mobility/conditions/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def condition_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a condition; a stale save is refused with what changed (status 409)."""
    condition = _condition(request, pk)
    agreement = condition.agreement
    _may_edit(request, agreement)
    blocker = services.condition_blocker(agreement)
    if blocker:
        messages.error(request, blocker)
        return redirect(agreement_panel_url(agreement.pk))
    stale: StaleEditError | None = None
    status = 200
    if request.method == "POST":
        form = ConditionForm(request.POST, agreement=agreement, condition=condition, user=request.user)
        if form.is_valid():
            try:
                services.condition_update(
                    condition=condition,
                    actor=request.user,
                    expected_version=form.expected_version(),
                    **form.values(),
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except StaleEditError as exc:
                stale = exc
                status = 409
                form.take_saved_version(exc)
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, _("The cooperation condition was saved."))
                return redirect(agreement_panel_url(agreement.pk))
        else:
            status = 400
    else:
        form = ConditionForm(
            initial=ConditionForm.initial_for(condition),
            agreement=agreement,
            condition=condition,
            user=request.user,
        )
    context = {"form": form, "agreement": agreement, "condition": condition, "stale": stale}
    return render(request, "mobility/conditions/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def condition_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation (GET), then delete (POST) a condition nothing uses."""
    condition = _condition(request, pk)
    agreement = condition.agreement
    _may_edit(request, agreement)
    if request.method == "POST":
        try:
            services.condition_delete(condition=condition, actor=request.user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The cooperation condition was deleted."))
        return redirect(agreement_panel_url(agreement.pk))
    context: dict[str, Any] = {
        "condition": condition,
        "view": selectors.condition_view(condition, internal=True),
        "agreement": agreement,
        "blocker": services.delete_blocker(condition),
    }
    return render(request, "mobility/conditions/delete.html", context)


# --- the partner's factsheet --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def factsheet_edit(request: HttpRequest, partner_pk: int) -> HttpResponse:
    """The office keeps a partner's factsheet here (its coordinators do it in the partner portal)."""
    partner = get_object_or_404(Partner.objects.visible_to(request.user), pk=partner_pk)
    if not permissions.can_edit_factsheet(request.user, partner):
        raise PermissionDenied(_("You may not change this partner's factsheet."))
    stale: StaleEditError | None = None
    status = 200
    form = FactsheetForm(request.POST or None, partner=partner)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.factsheet_update(
                    partner=partner,
                    actor=request.user,
                    expected_version=form.expected_version(),
                    **form.values(),
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except StaleEditError as exc:
                stale = exc
                status = 409
                form.take_saved_version(exc)
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The factsheet was saved."))
                return redirect("mobility:factsheet_edit", partner.pk)
        else:
            status = 400
    context = {"form": form, "partner": partner, "stale": stale, "factsheet": form.factsheet}
    return render(request, "mobility/conditions/factsheet_form.html", context, status=status)
