"""The 360° partner page, the create and edit forms, and merging two records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meridian.core.errors import DomainError, DuplicateError, StaleEditError
from meridian.core.registry import registry
from meridian.partners import permissions, services
from meridian.partners.forms import MergeForm, PartnerForm
from meridian.partners.models import Partner
from meridian.partners.selectors import (
    partner_actions,
    partner_detail,
    partner_merge_candidates,
    partner_panels,
)
from meridian.reference.models import Institution


def visible_partners(request: HttpRequest) -> QuerySet[Partner]:
    return Partner.objects.visible_to(request.user).select_related(
        "country", "owner_unit", "parent", "registry_institution"
    )


@login_required
def partner_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The 360° page: the partner's head, then the panels every context registers (profile, contacts, …)."""
    partner = get_object_or_404(visible_partners(request), pk=pk)
    detail = partner_detail(partner=partner, user=request.user)
    base = {
        "partner": partner,
        "detail": detail,
        "history": detail.history,
        "can_edit": permissions.can_edit_partner(request.user, partner),
    }
    panels = partner_panels(partner=partner, user=request.user, base=base)
    context = {
        **base,
        "tags": list(partner.tags.all()),
        "can_merge": permissions.can_merge_partners(request.user),
        "actions": partner_actions(partner=partner, user=request.user),
        "narrow_panels": [p for p in panels if not p.wide],
        "wide_panels": [p for p in panels if p.wide],
    }
    return render(request, "partners/detail.html", context)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """Initial values: the coordinator's unit, and the registry entry chosen with `?institution=<id>`."""
    initial: dict[str, Any] = {}
    if not permissions.can_assign_owner_unit(request.user, None):
        unit = services.default_owner_unit(request.user)
        initial["owner_unit"] = unit.pk if unit else None
    institution_id = request.GET.get("institution", "")
    if institution_id.isdigit():
        institution = Institution.objects.filter(pk=int(institution_id)).first()
        if institution is not None:
            # Imported here: the registry look-up lives in the reference app and loads only when used.
            from meridian.reference.selectors import institution_prefill

            initial.update(
                {k: v for k, v in institution_prefill(institution=institution).items() if v is not None}
            )
            initial["registry_institution"] = institution.pk
    return initial


def _apply(form: PartnerForm, call) -> tuple[Partner | None, DuplicateError | None]:
    """Run a service for a valid form; put its refusals on the form instead of failing the request."""
    try:
        return call(), None
    except DuplicateError as exc:
        # Shown once, above the form with a link to the existing record (partners/form.html), so that the
        # form keeps its layout.
        return None, exc
    except ValidationError as exc:
        form.add_service_errors(exc)
    except DomainError as exc:
        if isinstance(exc, StaleEditError):
            raise
        form.add_error(None, exc.message)
    return None, None


def _save_logo(form: PartnerForm, partner: Partner, actor) -> None:
    """Store or remove the logo chosen in the form (already checked and re-encoded by the form)."""
    changed, logo = form.logo_change()
    if changed:
        services.partner_logo_set(partner=partner, actor=actor, logo=logo)


@login_required
@require_http_methods(["GET", "POST"])
def partner_create_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_partner(request.user):
        raise PermissionDenied(_("You may not create partners."))
    duplicate = None
    if request.method == "POST":
        form = PartnerForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            partner, duplicate = _apply(
                form,
                lambda: services.partner_create(
                    actor=request.user, tags=form.tag_names(), **form.service_fields()
                ),
            )
            if partner is not None:
                _save_logo(form, partner, request.user)
                messages.success(request, _("Partner %(name)s created.") % {"name": partner.display_name})
                return redirect(partner)
    else:
        form = PartnerForm(initial=_prefill(request), user=request.user)
    context = {"form": form, "duplicate": duplicate and duplicate.existing, "creating": True}
    context["duplicate_message"] = duplicate.message if duplicate else ""
    return render(request, "partners/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(visible_partners(request), pk=pk)
    if not permissions.can_edit_partner(request.user, partner):
        raise PermissionDenied(_("You may not change this partner."))
    duplicate = stale = None
    if request.method == "POST":
        form = PartnerForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                updated, duplicate = _apply(
                    form,
                    lambda: services.partner_update(
                        partner=partner,
                        actor=request.user,
                        expected_version=form.cleaned_data.get("version"),
                        tags=form.tag_names(),
                        **form.service_fields(),
                    ),
                )
            except StaleEditError as exc:
                # Keep what the user typed; the next save applies it on top of the current version.
                stale = exc
                data = request.POST.copy()
                data["version"] = str(exc.current_version)
                form = PartnerForm(data, user=request.user)
                form.is_valid()
                updated = None
            if updated is not None:
                _save_logo(form, updated, request.user)
                messages.success(request, _("Partner %(name)s saved.") % {"name": updated.display_name})
                return redirect(updated)
    else:
        form = PartnerForm(initial=PartnerForm.initial_from(partner), user=request.user)
    context = {
        "form": form,
        "partner": partner,
        "duplicate": duplicate and duplicate.existing,
        "duplicate_message": duplicate.message if duplicate else "",
        "stale": stale,
    }
    return render(request, "partners/form.html", context)


COMPARED_FIELDS = [
    "name", "name_en", "name_zh", "acronym", "kind", "country", "city", "website", "ror_id", "erasmus_code",
    "pic", "schac_code", "status", "owner_unit",
]  # fmt: skip


def _display(partner: Partner, name: str) -> str:
    field = Partner._meta.get_field(name)
    if field.choices:
        return str(getattr(partner, f"get_{name}_display")())
    value = getattr(partner, name)
    return "" if value is None else str(value)


def _comparison(survivor: Partner, duplicate: Partner) -> list[dict[str, str]]:
    rows = [
        {
            "label": str(Partner._meta.get_field(name).verbose_name),
            "survivor": _display(survivor, name),
            "duplicate": _display(duplicate, name),
        }
        for name in COMPARED_FIELDS
    ]
    for label, related in ((_("Contacts"), "contacts"), (_("Partner-side units"), "units")):
        rows.append(
            {
                "label": label,
                "survivor": str(getattr(survivor, related).count()),
                "duplicate": str(getattr(duplicate, related).count()),
            }
        )
    for hook in registry.partner_merge_hooks:
        if hook.count is not None:
            rows.append(
                {
                    "label": str(hook.label),
                    "survivor": str(hook.count(survivor)),
                    "duplicate": str(hook.count(duplicate)),
                }
            )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def partner_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer picks the duplicate, compares both records and confirms; the duplicate is merged away."""
    visible = visible_partners(request)
    survivor = get_object_or_404(visible, pk=pk)
    if not permissions.can_merge_partners(request.user):
        raise PermissionDenied(_("Only administrators and International Office officers merge partners."))
    query = request.GET.get("q", "")
    chosen = request.POST.get("duplicate") if request.method == "POST" else request.GET.get("duplicate")
    duplicate = None
    form = MergeForm(data={"duplicate": chosen} if chosen else None)
    if chosen and form.is_valid():
        if form.cleaned_data["duplicate"] == survivor.pk:
            form.add_error(
                "duplicate", _("Choose a different partner: a record cannot be merged into itself.")
            )
        else:
            duplicate = get_object_or_404(visible, pk=form.cleaned_data["duplicate"])
    if request.method == "POST" and duplicate is not None:
        try:
            services.partner_merge(survivor=survivor, duplicate=duplicate, actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The two records were merged."))
            return redirect(survivor)
    context = {
        "partner": survivor,
        "duplicate": duplicate,
        "form": form,
        "query": query,
        "candidates": partner_merge_candidates(user=request.user, partner=survivor, query=query),
        "comparison": _comparison(survivor, duplicate) if duplicate else [],
    }
    return render(request, "partners/merge.html", context)
