"""Administrators configure approval chains (versioned) and the organisation's offices and posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.errors import DomainError
from meridian.workflow import permissions, selectors, services
from meridian.workflow.chains import chain_set_active
from meridian.workflow.conditions import format_conditions
from meridian.workflow.forms import ChainForm, StepFormSet, UnitFunctionForm, UnitPostForm
from meridian.workflow.models import ApprovalChain, UnitFunction, UnitPost
from meridian.workflow.registry import case_types
from meridian.workflow.views.common import error_text


def _require_reader(user) -> None:
    if not permissions.can_read_chains(user):
        raise PermissionDenied


def _require_configurer(user) -> None:
    if not permissions.can_configure_chains(user):
        raise PermissionDenied


@login_required
@require_GET
def chain_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    chains = [
        (chain, case_types.get(chain.case_type).label if chain.case_type in case_types else chain.case_type)
        for chain in selectors.chains_list()
    ]
    context = {"chains": chains, "can_configure": permissions.can_configure_chains(request.user)}
    return render(request, "workflow/chains/list.html", context)


@login_required
@require_GET
def chain_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A chain's versions, newest first, each with its steps."""
    _require_reader(request.user)
    chain = get_object_or_404(ApprovalChain.objects.select_related("unit"), pk=pk)
    versions = chain.versions.prefetch_related("steps__person").order_by("-number")
    case_type = case_types.get(chain.case_type) if chain.case_type in case_types else None
    context = {
        "chain": chain,
        "case_type": case_type,
        "versions": versions,
        "can_configure": permissions.can_configure_chains(request.user),
    }
    return render(request, "workflow/chains/detail.html", context)


def _steps_from(formset) -> list[dict]:
    return [step for form in formset.forms if (step := form.step()) is not None]


def _step_initial(version) -> list[dict]:
    if version is None:
        return []
    return [
        {
            "order": s.order,
            "label": s.label,
            "label_zh": s.label_zh,
            "assignee_kind": s.assignee_kind,
            "function": s.function,
            "person": s.person.username if s.person else "",
            "conditions": format_conditions(s.conditions),
            "due_amount": s.due_amount,
            "due_unit": s.due_unit,
        }
        for s in version.steps.select_related("person").order_by("order", "id")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def chain_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a chain, or publish a new version of one (running cases keep the version they started with)."""
    _require_configurer(request.user)
    chain = get_object_or_404(ApprovalChain, pk=pk) if pk else None
    latest = selectors.chain_version_latest(chain) if chain else None
    initial = {"name": chain.name, "name_zh": chain.name_zh} if chain else {}
    form = ChainForm(request.POST or None, initial=initial, editing=chain is not None)
    formset = StepFormSet(request.POST or None, initial=_step_initial(latest), prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        steps = _steps_from(formset)
        try:
            with transaction.atomic():
                if chain is None:
                    chain = services.chain_create(
                        actor=request.user,
                        case_type=form.cleaned_data["case_type"],
                        unit=form.cleaned_data["unit"],
                        name=form.cleaned_data["name"],
                        name_zh=form.cleaned_data["name_zh"],
                        steps=steps,
                        note=form.cleaned_data["note"],
                    )
                else:
                    services.chain_version_publish(
                        chain=chain,
                        actor=request.user,
                        steps=steps,
                        note=form.cleaned_data["note"],
                        name=form.cleaned_data["name"],
                        name_zh=form.cleaned_data["name_zh"],
                    )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The chain is saved; new cases use this version."))
            return redirect("workflow:chain_detail", pk=chain.pk)
    case_type = case_types.get(chain.case_type) if chain and chain.case_type in case_types else None
    context = {
        "chain": chain,
        "form": form,
        "formset": formset,
        "latest": latest,
        "fields_by_type": [(ct, ct.fields) for ct in case_types]
        if case_type is None
        else [(case_type, case_type.fields)],
    }
    return render(request, "workflow/chains/edit.html", context)


@login_required
@require_POST
def chain_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _require_configurer(request.user)
    chain = get_object_or_404(ApprovalChain, pk=pk)
    try:
        chain_set_active(chain=chain, actor=request.user, is_active=request.POST.get("active") == "1")
    except DomainError as exc:
        messages.error(request, error_text(exc))
    return redirect("workflow:chain_detail", pk=chain.pk)


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest) -> HttpResponse:
    """Which unit is finance, HR, research and legal office; who leads a unit, and its secretary."""
    _require_configurer(request.user)
    current = {f.code: f.unit for f in UnitFunction.objects.select_related("unit")}
    which = request.POST.get("form")
    functions = UnitFunctionForm(request.POST if which == "functions" else None, initial=current)
    post_form = UnitPostForm(request.POST if which == "post" else None)
    if which == "functions" and functions.is_valid():
        for code, unit in functions.cleaned_data.items():
            if unit is not None:
                services.unit_function_set(actor=request.user, code=code, unit=unit)
            else:
                UnitFunction.objects.filter(code=code).delete()
        messages.success(request, _("The offices are saved."))
        return redirect("workflow:organisation")
    if which == "post" and post_form.is_valid():
        data = post_form.cleaned_data
        services.unit_post_add(actor=request.user, unit=data["unit"], user=data["user"], post=data["post"])
        messages.success(request, _("The post is saved."))
        return redirect("workflow:organisation")
    if which == "remove_post":
        post = get_object_or_404(UnitPost, pk=request.POST.get("post_id") or 0)
        services.unit_post_remove(actor=request.user, post=post)
        messages.success(request, _("The post is removed."))
        return redirect("workflow:organisation")
    posts = UnitPost.objects.select_related("unit", "user").order_by("unit__path", "post")
    context = {"functions": functions, "post_form": post_form, "posts": posts}
    return render(request, "workflow/chains/organisation.html", context)
