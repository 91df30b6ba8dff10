"""The deadlines pages: the list (filters, pagination, htmx refresh), CSV export, one clock with its log and
the waive form, the site calendar and the escalation ladders."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.accounts.models import User
from meridian.clocks import calendar, permissions, selectors, services
from meridian.clocks.choices import ObligationState
from meridian.clocks.filters import ObligationFilter
from meridian.clocks.forms import CalendarDayForm, LadderForm, LadderStepFormSet, WaiveForm
from meridian.clocks.models import CalendarDay, Ladder
from meridian.clocks.rules import clock_rules
from meridian.core.filters import invalid_filters_response
from meridian.core.spreadsheet import export_response

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _require_viewer(user) -> None:
    if not permissions.can_view_deadlines(user):
        raise PermissionDenied(_("The deadlines are for the International Office and unit coordinators."))


def filtered_obligations(request: HttpRequest):
    """The page and the export share this: visible obligations narrowed by ObligationFilter."""
    filterset = ObligationFilter(
        request.GET, queryset=selectors.obligation_list(user=request.user), request=request
    )
    if filterset.is_valid():
        return filterset, filterset.qs
    return filterset, filterset.queryset.filter(state=ObligationState.OPEN)


def calendar_notice() -> dict[str, object]:
    """Which of this year and next the official holiday schedule does not cover (said on the page)."""
    first, last = calendar.calendar_supported_years()
    year = timezone.localdate().year
    return {
        "first": first,
        "last": last,
        "uncovered": [y for y in (year, year + 1) if not first <= y <= last],
    }


@login_required
@require_GET
def obligation_list_view(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    filterset, queryset = filtered_obligations(request)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "now": timezone.now(),
        "calendar": calendar_notice(),
        "can_manage_calendar": permissions.can_view_site_calendar(request.user),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "results":
        return render(request, "clocks/_results.html", context)
    return render(request, "clocks/list.html", context)


@login_required
@require_GET
def obligation_export(request: HttpRequest) -> HttpResponse:
    if not permissions.can_export_deadlines(request.user):
        raise PermissionDenied(_("You may not export deadlines."))
    filterset, queryset = filtered_obligations(request)
    if (refusal := invalid_filters_response(filterset)) is not None:
        return refusal
    labels = dict(clock_rules.choices())
    headers = [
        _("Due"),
        _("State"),
        _("Deadline"),
        _("Case"),
        _("Rule"),
        _("Responsible person"),
        _("Unit"),
        _("Link"),
        _("Note"),
    ]
    rows = (
        [
            o.due_at,
            o.get_state_display(),
            o.text_title,
            o.text_subject,
            labels.get(o.rule, o.rule),
            str(o.responsible) if o.responsible else "",
            o.unit.name if o.unit else "",
            request.build_absolute_uri(o.subject_url) if o.subject_url else "",
            o.note,
        ]
        for o in queryset.iterator(chunk_size=2000)
    )
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(
        fmt=fmt, filename=f"deadlines-{timezone.localdate().isoformat()}", headers=headers, rows=rows
    )


def _visible_obligation(request: HttpRequest, pk: int):
    obligation = selectors.obligation_get(user=request.user, pk=pk)
    if obligation is None:
        raise Http404
    return obligation


def _ladder_plan(obligation, now) -> list[dict]:
    """Each step of the rule's ladder with its time and whether it went out, was skipped or is to come."""
    if obligation.rule not in clock_rules:
        return []
    ladder = services.ladder_for(obligation.rule)
    logged = {e.step_key: e for e in obligation.events.all() if e.step_key}
    site = calendar.site_calendar()
    plan = []
    for step in ladder.steps.all():
        plan.append(
            {
                "step": step,
                "at": calendar.step_time(obligation.due_at, step.offset, step.unit, site=site),
                "event": logged.get(step.key),
            }
        )
    return sorted(plan, key=lambda row: row["at"])


@login_required
@require_GET
def obligation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = _visible_obligation(request, pk)
    now = timezone.now()
    context = {
        "obligation": obligation,
        "events": obligation.events.select_related("actor"),
        "plan": _ladder_plan(obligation, now),
        "now": now,
        "rule_label": dict(clock_rules.choices()).get(obligation.rule, obligation.rule),
        "can_waive": permissions.can_waive_obligation(request.user, obligation),
        "waive_form": WaiveForm(),
    }
    return render(request, "clocks/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def obligation_waive_view(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = _visible_obligation(request, pk)
    if not permissions.can_waive_obligation(request.user, obligation):
        raise PermissionDenied(_("You may not waive this deadline."))
    form = WaiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.obligation_waive(
                obligation=obligation, actor=_actor(request), reason=form.cleaned_data["reason"]
            )
        except services.ObligationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The deadline is waived."))
            return redirect("clocks:detail", pk=obligation.pk)
    return render(request, "clocks/waive.html", {"obligation": obligation, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def site_calendar_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_site_calendar(request.user):
        raise PermissionDenied(_("The site calendar is for the International Office."))
    can_manage = permissions.can_manage_site_calendar(request.user)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only administrators change the site calendar."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.calendar_day_create(
                    actor=_actor(request),
                    day=data["date"],
                    kind=data["kind"],
                    name_en=data["name_en"],
                    name_zh=data["name_zh"],
                )
            except services.ObligationError as exc:
                form.add_error("date", str(exc))
            else:
                messages.success(request, _("The site calendar is updated."))
                return redirect("clocks:calendar")
    context = {
        "entries": CalendarDay.objects.select_related("created_by"),
        "form": form,
        "can_manage": can_manage,
        "calendar": calendar_notice(),
    }
    return render(request, "clocks/calendar.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def site_calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.can_view_site_calendar(request.user):
        raise Http404
    entry = get_object_or_404(CalendarDay, pk=pk)
    services.calendar_day_delete(actor=_actor(request), entry=entry)
    messages.success(request, _("The entry is removed from the site calendar."))
    return redirect("clocks:calendar")


@login_required
@require_GET
def ladder_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_site_calendar(request.user):
        raise PermissionDenied(_("The escalation ladders are for the International Office."))
    ladders = []
    for rule in clock_rules:
        ladder = services.ladder_for(rule.code)
        steps = [
            {"n": abs(s.offset), "when": (s.offset > 0) - (s.offset < 0), "step": s}
            for s in ladder.steps.all()
        ]
        ladders.append({"rule": rule, "ladder": ladder, "steps": steps})
    context = {"ladders": ladders, "can_manage": permissions.can_manage_ladders(request.user)}
    return render(request, "clocks/ladders.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ladder_edit(request: HttpRequest, rule: str) -> HttpResponse:
    if not permissions.can_manage_ladders(request.user):
        raise PermissionDenied(_("Only administrators change escalation ladders."))
    spec = clock_rules.get(rule)
    if spec is None:
        raise Http404
    ladder: Ladder = services.ladder_for(rule)
    initial_steps = [{"offset": s.offset, "unit": s.unit, "audience": s.audience} for s in ladder.steps.all()]
    form = LadderForm(
        request.POST or None, initial={"grace_amount": ladder.grace_amount, "grace_unit": ladder.grace_unit}
    )
    steps = LadderStepFormSet(request.POST or None, initial=initial_steps, prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        rows = [
            (f.cleaned_data["offset"], f.cleaned_data["unit"], f.cleaned_data["audience"])
            for f in steps.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.ladder_update(
                ladder=ladder,
                actor=_actor(request),
                grace_amount=form.cleaned_data["grace_amount"],
                grace_unit=form.cleaned_data["grace_unit"],
                steps=rows,
            )
        except services.ObligationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The escalation ladder is saved."))
            return redirect("clocks:ladders")
    context = {"rule": spec, "ladder": ladder, "form": form, "steps": steps}
    return render(
        request, "clocks/ladder_form.html", context, status=400 if request.method == "POST" else 200
    )
