"""The visitors rule set (administrators), the hosting-standards table (the office), the rule panel of the
visit page and its justification form (whoever edits the visit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.visitors import permissions, rules
from meridian.visitors.choices import VisitState
from meridian.visitors.models import HostingStandard, Visit
from meridian.visitors.panels import VisitPanel, register_visit_panel
from meridian.visitors.services import standards as service
from meridian.visitors.services.rule_justifications import MAX_LENGTH, visit_justification_save
from meridian.workflow.choices import RuleSeverity
from meridian.workflow.rulepack import FAIL, ruleset_current
from meridian.workflow.views.rulepack import rulepack_page


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request: HttpRequest) -> HttpResponse:
    """The visitors rule set: parameters, severities and sources, and its versions (administrators)."""
    if not permissions.can_manage_rules(request.user):
        raise PermissionDenied
    return rulepack_page(
        request,
        rules.CONTEXT,
        extra={"back_url": reverse("visitors:standards"), "back_label": _("Hosting standards")},
    )


# --- hosting standards -----------------------------------------------------------------------------------


def _require_office(user: Any) -> None:
    if not permissions.can_manage_standards(user):
        raise PermissionDenied


class StandardForm(forms.ModelForm):
    class Meta:
        model = HostingStandard
        fields = list(service.FIELDS)
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "rank": gettext_lazy("Empty: every guest. A row for a standing replaces the general row."),
            "valid_until": gettext_lazy("Empty: until further notice."),
        }


def _standards_context(request: HttpRequest) -> dict[str, Any]:
    rows = HostingStandard.objects.select_related("updated_by").order_by(
        "kind", "rank", "basis", "-valid_from"
    )
    return {
        "standards": list(rows),
        "history": service.standards_history(limit=50),
        "can_edit_rules": permissions.can_manage_rules(request.user),
        "default_count": len(service.DEFAULT_TABLE),
    }


@login_required
@require_GET
def standards(request: HttpRequest) -> HttpResponse:
    """The hosting-standards table with its history; an empty table offers the default figures."""
    _require_office(request.user)
    return render(request, "visitors/rules/standards.html", _standards_context(request))


@login_required
@require_http_methods(["GET", "POST"])
def standard_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add or change a row; a refused row is shown again with what was typed and every problem."""
    _require_office(request.user)
    row = get_object_or_404(HostingStandard, pk=pk) if pk else None
    form = StandardForm(request.POST or None, instance=row)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in service.FIELDS}
            try:
                service.standard_save(actor=request.user, standard=row, **fields)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("visitors:standards")
    title = _("Change a hosting standard") if row else _("New hosting standard")
    return render(
        request,
        "visitors/rules/standard_form.html",
        {"form": form, "title": title, "instance": row},
        status=status,
    )


@login_required
@require_POST
def standard_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request.user)
    service.standard_delete(actor=request.user, standard=get_object_or_404(HostingStandard, pk=pk))
    messages.success(request, _("The hosting standard is deleted."))
    return redirect("visitors:standards")


@login_required
@require_POST
def standards_install(request: HttpRequest) -> HttpResponse:
    """Fill an empty table with the default figures."""
    _require_office(request.user)
    created = service.standards_install_defaults(actor=request.user)
    if created:
        messages.success(
            request,
            ngettext(
                "%(n)s default row added: adjust it to the university's own standards.",
                "%(n)s default rows added: adjust them to the university's own standards.",
                created,
            )
            % {"n": created},
        )
    else:
        messages.info(request, _("The table has rows already; nothing was added."))
    return redirect("visitors:standards")


# --- the rule panel of the visit page and justifications ------------------------------------------------


def _visit_url(visit: Visit) -> str:
    try:
        return reverse("visitors:visit_detail", args=[visit.pk])
    except NoReverseMatch:  # the visit pages are another area's; before they exist
        return "/"


def panel_context(request: HttpRequest, visit: Visit) -> dict[str, Any] | None:
    """The rule results of ``visit``: checked now while the visit can still change (a draft, or an approved
    visit whose invitation package is still to be checked), else as stored at submission with the version
    they were checked against. Messages about guests' own data (passport, itinerary, CV) are shown in full
    only to those who may see guests' data: the privacy decision is ``rules.readable_results``, the one the
    API uses too."""
    live = visit.state == VisitState.DRAFT or (visit.state == VisitState.APPROVED and visit.needs_invitation)
    if live:
        results = rules.visit_check(visit=visit)
        version, checked_at = ruleset_current(rules.CONTEXT).number, None
    else:
        results, version, checked_at = visit.rule_results, visit.rules_version, visit.rules_checked_at
    rows = rules.result_rows(rules.readable_results(results, user=request.user, visit=visit))
    can_justify = permissions.can_edit_visit(request.user, visit)
    justify = [r for r in rows if r.get("severity") == RuleSeverity.JUSTIFY and r.get("outcome") == FAIL]
    return {
        "rules_rows": rows,
        "rules_live": live,
        "rules_version": version,
        "rules_checked_at": checked_at,
        "rules_blocking": sum(1 for r in rows if r.get("blocking")),
        "rules_can_justify": can_justify and bool(justify),
        "rules_justify_rows": justify,
        "rules_visit_version": visit.version,
        "rules_max_length": MAX_LENGTH,
    }


register_visit_panel(VisitPanel("rules", 30, "visitors/rules/_panel.html", panel_context))


@login_required
@require_POST
def visit_justify(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the justification of one rule (``code``, ``text``, ``version``) and go back to the visit page."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=pk)
    if not permissions.can_edit_visit(request.user, visit):
        raise PermissionDenied
    version = request.POST.get("version", "")
    try:
        visit_justification_save(
            visit=visit,
            actor=request.user,
            code=request.POST.get("code", ""),
            text=request.POST.get("text", ""),
            expected_version=int(version) if version.isdigit() else None,
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except DomainError as exc:
        # Shown again with what was typed, so that nothing is lost.
        context = {
            "visit": visit,
            "visit_url": _visit_url(visit),
            "error": exc.message,
            "code": request.POST.get("code", ""),
            "text": request.POST.get("text", ""),
            "version": visit.version,
            "max_length": MAX_LENGTH,
            "label": _rule_label(request.POST.get("code", "")),
        }
        return render(request, "visitors/rules/justify.html", context, status=400)
    messages.success(request, _("The justification is saved."))
    return redirect(_visit_url(visit) + "#rule-results")


def _rule_label(code: str) -> Any:
    return rules.PACK.get(code).label if code in rules.VISIT_RULES else code


urlpatterns = [
    path("rules/", rules_page, name="rules"),
    path("standards/", standards, name="standards"),
    path("standards/new/", standard_edit, name="standard_create"),
    path("standards/<int:pk>/edit/", standard_edit, name="standard_edit"),
    path("standards/<int:pk>/delete/", standard_delete, name="standard_delete"),
    path("standards/defaults/", standards_install, name="standards_install"),
    path("<int:pk>/justify/", visit_justify, name="visit_justify"),
]
