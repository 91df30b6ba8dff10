"""Pages of annual trip plans: the list with the office's consolidated view of a year, a plan with its
lines and their usage, the line forms, submit / consolidate / reopen, and the XLSX export of the
consolidated plan."""

from __future__ import annotations

import io
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import can_read_university
from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError, StaleEditError
from meridian.core.spreadsheet import neutralise
from meridian.reference.models import Country
from meridian.travel import permissions
from meridian.travel.choices import DelegationKind, PlanKind, PlanState, Purpose
from meridian.travel.models import TripPlan, TripPlanLine
from meridian.travel.selectors import plans as selectors
from meridian.travel.services import plans as services

# --- forms --------------------------------------------------------------------------------------------------


class PlanCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("Plan"), choices=PlanKind.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.order_by("path")
        if not permissions.is_office(user):
            units = units.filter(pk__in=permissions.acted_unit_ids(user))
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        self.fields["year"].initial = timezone.localdate().year + 1


class PlanLineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=DelegationKind.choices)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=Purpose.choices)
    description = forms.CharField(label=gettext_lazy("Task"), max_length=300)
    countries = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Destinations"), queryset=Country.objects.order_by("name_en"), required=False
    )
    trip_count = forms.IntegerField(
        label=gettext_lazy("Number of trips"), min_value=1, max_value=999, initial=1
    )
    persons = forms.IntegerField(
        label=gettext_lazy("Persons per trip"), min_value=1, max_value=999, initial=1
    )
    days = forms.IntegerField(label=gettext_lazy("Days per trip"), min_value=1, max_value=999, initial=5)
    budget = forms.DecimalField(
        label=gettext_lazy("Budget (CNY)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        choices=[("", gettext_lazy("Whole year")), ("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("countries", None)
        return data


def _line_initial(line: TripPlanLine, version: int) -> dict:
    return {
        "version": version,
        "category": line.category,
        "purpose": line.purpose,
        "description": line.description,
        "countries": [c.pk for c in line.countries.all()],
        "trip_count": line.trip_count,
        "persons": line.persons,
        "days": line.days,
        "budget": line.budget,
        "quarter": line.quarter or "",
    }


# --- helpers ------------------------------------------------------------------------------------------------


def _may_open_plans(user) -> bool:
    return can_read_university(user) or permissions.can_manage_plans(user)


def _plan(request: HttpRequest, pk: int) -> TripPlan:
    """The plan if the user may see it; 404 otherwise."""
    return get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _year(request: HttpRequest, default: int) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else default


# --- pages --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """Plans the user may see for a year, the consolidated totals by unit and category, the create form."""
    user = request.user
    if not _may_open_plans(user):
        raise PermissionDenied(_("You have no trip plans to see."))
    years = selectors.plan_years(user=user)
    year = _year(request, years[0] if years else timezone.localdate().year)
    context = {
        "year": year,
        "years": sorted(set(years) | {year}, reverse=True),
        "plans": selectors.plan_list(user=user, year=year),
        "consolidated": selectors.consolidated_view(user=user, year=year),
        "create_form": PlanCreateForm(user=user) if permissions.can_manage_plans(user) else None,
        "is_office": permissions.is_office(user),
        "submitted_count": selectors.plans_visible_to(user)
        .filter(year=year, state=PlanState.SUBMITTED)
        .count(),
    }
    return render(request, "travel/plans/list.html", context)


@login_required
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_manage_plans(user):
        raise PermissionDenied(_("You may not create trip plans."))
    form = PlanCreateForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("travel:plan_list")
    try:
        plan = services.plan_create(actor=user, **form.cleaned_data)
    except DuplicateError as exc:
        messages.info(request, exc.message)
        return redirect(cast(TripPlan, exc.existing))  # plan_create() reports the existing plan
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("travel:plan_list")
    messages.success(request, _("Plan created: %(plan)s.") % {"plan": plan})
    return redirect(plan)


def _detail(request: HttpRequest, plan: TripPlan, *, add_form=None, edit_forms=None, stale=None, status=200):
    user = request.user
    editable = plan.state == PlanState.DRAFT and permissions.can_manage_plans(user, plan.unit_id)
    lines = selectors.plan_lines_with_usage(plan=plan)
    edit_forms = edit_forms or {}
    rows = []
    for line in lines:
        form = edit_forms.get(line.pk)
        if form is None and editable:
            form = PlanLineForm(initial=_line_initial(line, plan.version), prefix=f"line{line.pk}")
        rows.append({"line": line, "form": form})
    totals = selectors.Totals()
    for line in lines:
        totals.add(line, line.used)  # type: ignore[attr-defined]  # set by plan_lines_with_usage()
    context = {
        "plan": plan,
        "rows": rows,
        "totals": totals,
        "editable": editable,
        "add_form": add_form or (PlanLineForm(initial={"version": plan.version}) if editable else None),
        "can_submit": editable and bool(lines),
        "can_consolidate": plan.state == PlanState.SUBMITTED and permissions.is_office(user),
        "can_reopen": plan.state != PlanState.DRAFT and permissions.is_office(user),
        "stale": stale,
    }
    return render(request, "travel/plans/detail.html", context, status=status)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _plan(request, pk))


def _run(request: HttpRequest, plan: TripPlan, action, form: PlanLineForm | None, key) -> HttpResponse:
    """Run a line service; on a refused change re-render the page with the form and the reason."""
    try:
        action()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except StaleEditError as exc:
        plan.refresh_from_db()
        forms_ = {key: form} if key != "add" and form is not None else {}
        return _detail(
            request, plan, add_form=form if key == "add" else None, edit_forms=forms_, stale=exc, status=409
        )
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        elif form is not None:
            form.add_error(None, exc.messages)
        forms_ = {key: form} if key != "add" and form is not None else {}
        return _detail(request, plan, add_form=form if key == "add" else None, edit_forms=forms_, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan was saved."))
    return redirect(plan)


@login_required
@require_POST
def plan_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = PlanLineForm(request.POST)
    if not form.is_valid():
        return _detail(request, plan, add_form=form, status=400)
    return _run(
        request,
        plan,
        lambda: services.plan_line_add(
            plan=plan,
            actor=request.user,
            expected_version=form.cleaned_data.get("version"),
            countries=form.cleaned_data["countries"],
            **form.values(),
        ),
        form,
        "add",
    )


@login_required
@require_POST
def plan_line_edit(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    line = get_object_or_404(TripPlanLine, pk=line_pk, plan=plan)
    form = PlanLineForm(request.POST, prefix=f"line{line.pk}")
    if not form.is_valid():
        return _detail(request, plan, edit_forms={line.pk: form}, status=400)
    return _run(
        request,
        plan,
        lambda: services.plan_line_update(
            line=line,
            actor=request.user,
            expected_version=form.cleaned_data.get("version"),
            countries=form.cleaned_data["countries"],
            **form.values(),
        ),
        form,
        line.pk,
    )


@login_required
@require_POST
def plan_line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    line = get_object_or_404(TripPlanLine, pk=line_pk, plan=plan)
    version = request.POST.get("version", "")
    return _run(
        request,
        plan,
        lambda: services.plan_line_delete(
            line=line, actor=request.user, expected_version=int(version) if version.isdigit() else None
        ),
        None,
        line.pk,
    )


PLAN_ACTIONS = ("submit", "consolidate", "reopen")


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit (unit or office), consolidate or reopen (office) a plan."""
    if action not in PLAN_ACTIONS:
        raise Http404
    plan = _plan(request, pk)
    user = request.user
    version = request.POST.get("version", "")
    try:
        if action == "submit":
            services.plan_submit(
                plan=plan, actor=user, expected_version=int(version) if version.isdigit() else None
            )
            messages.success(request, _("The plan was submitted to the International Office."))
        elif action == "consolidate":
            services.plan_consolidate(plan=plan, actor=user)
            messages.success(request, _("The plan was consolidated."))
        else:
            services.plan_reopen(plan=plan, actor=user, comment=request.POST.get("comment", "").strip())
            messages.success(request, _("The plan was reopened for changes."))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(plan)


@login_required
@require_POST
def plan_consolidate_year(request: HttpRequest) -> HttpResponse:
    """Consolidate every submitted plan of the year (the office)."""
    if not permissions.is_office(request.user):
        raise PermissionDenied(_("Only the International Office consolidates plans."))
    value = request.POST.get("year", "")
    if not value.isdigit():
        raise Http404
    count = services.plans_consolidate_year(year=int(value), actor=request.user)
    messages.success(request, _("Plans consolidated: %(count)s.") % {"count": count})
    return redirect(f"{reverse('travel:plan_list')}?year={int(value)}")


@login_required
@require_GET
def plan_export(request: HttpRequest, year: int) -> HttpResponse:
    """The consolidated plan of ``year`` as XLSX: every line of the submitted and consolidated plans the user
    may see (with trips used), and a sheet of totals by unit and category."""
    user = request.user
    if not _may_open_plans(user):
        raise PermissionDenied(_("You have no trip plans to see."))
    plans = selectors.plans_visible_to(user).filter(year=year, state__in=selectors.ACTIVE_PLAN_STATES)
    lines = list(
        TripPlanLine.objects.filter(plan__in=plans)
        .select_related("plan", "plan__unit")
        .prefetch_related("countries")
        .order_by("plan__unit__path", "plan__kind", "category", "id")
    )
    usage = selectors.line_usage(line_ids=[line.pk for line in lines])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Plan lines"))[:31]
    sheet.append(
        [
            str(h)
            for h in (
                _("Unit"), _("Plan"), _("State"), _("Category"), _("Purpose"), _("Destinations"), _("Task"),
                _("Number of trips"), _("Persons per trip"), _("Days per trip"), _("Budget (CNY)"),
                _("Quarter"), _("Trips used"),
            )
        ]
    )  # fmt: skip
    for line in lines:
        sheet.append(
            [
                neutralise(str(line.plan.unit)),
                str(line.plan.get_kind_display()),
                str(line.plan.get_state_display()),
                str(line.get_category_display()),
                str(line.get_purpose_display()),
                neutralise(", ".join(c.name for c in line.countries.all())),
                neutralise(line.description),
                line.trip_count,
                line.persons,
                line.days,
                float(line.budget),
                line.quarter or "",
                usage.get(line.pk, 0),
            ]
        )
    consolidated = selectors.consolidated_view(user=user, year=year)
    totals = workbook.create_sheet(str(_("Totals"))[:31])
    totals.append(
        [
            str(h)
            for h in (
                _("Unit"), _("Plan"), _("Category"), _("Lines"), _("Trips planned"), _("Person-trips"),
                _("Budget (CNY)"), _("Trips used"),
            )
        ]
    )  # fmt: skip
    for row in consolidated.rows:
        t = row.totals
        totals.append(
            [neutralise(str(row.unit)), row.kind_label, row.category_label, t.lines, t.trips, t.person_trips,
             float(t.budget), t.used]
        )  # fmt: skip
    t = consolidated.total
    totals.append([str(_("Total")), "", "", t.lines, t.trips, t.person_trips, float(t.budget), t.used])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="trip-plan-{year}.xlsx"'
    return response


urlpatterns = [
    path("plans/", plan_list, name="plan_list"),
    path("plans/new/", plan_create, name="plan_create"),
    path("plans/consolidate/", plan_consolidate_year, name="plan_consolidate_year"),
    path("plans/<int:year>.xlsx", plan_export, name="plan_export"),
    path("plans/<int:pk>/", plan_detail, name="plan_detail"),
    path("plans/<int:pk>/lines/", plan_line_add, name="plan_line_add"),
    path("plans/<int:pk>/lines/<int:line_pk>/", plan_line_edit, name="plan_line_edit"),
    path("plans/<int:pk>/lines/<int:line_pk>/delete/", plan_line_delete, name="plan_line_delete"),
    path("plans/<int:pk>/<slug:action>/", plan_action, name="plan_action"),
]
