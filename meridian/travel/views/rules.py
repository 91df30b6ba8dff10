"""The travel rule set (administrators) and the spending standards and exchange rates (the office)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.errors import DomainError
from meridian.travel import permissions
from meridian.travel.models import CountryStandard, ExchangeRate
from meridian.travel.rules import CONTEXT
from meridian.travel.services import standards as service
from meridian.workflow.views.rulepack import rulepack_page


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    """The official-travel rule set: parameters, severities and sources, and its versions."""
    if not permissions.can_manage_rules(request.user):
        raise PermissionDenied
    return rulepack_page(
        request,
        CONTEXT,
        extra={"back_url": reverse("travel:standards"), "back_label": _("Spending standards")},
    )


def _require_office(user) -> None:
    if not permissions.is_office(user):
        raise PermissionDenied


class StandardForm(forms.ModelForm):
    class Meta:
        model = CountryStandard
        fields = [
            "country",
            "city",
            "currency",
            "accommodation",
            "meals",
            "incidentals",
            "valid_from",
            "source",
        ]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}


class RateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "cny_per_unit", "valid_from"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy(
            "Columns: country (ISO code), city (empty for the whole country), currency, "
            "accommodation, meals, "
            "incidentals, valid_from (YYYY-MM-DD); optionally source."
        ),
    )


@login_required
@require_GET
def standards(request: HttpRequest) -> HttpResponse:
    """The standards table and the exchange rates, with a filter by country or currency."""
    _require_office(request.user)
    q = request.GET.get("q", "").strip()
    rows = CountryStandard.objects.select_related("country")
    rates = ExchangeRate.objects.all()
    if q:
        rows = rows.filter(
            Q(country__code__iexact=q)
            | Q(country__name_en__icontains=q)
            | Q(country__name_zh__icontains=q)
            | Q(city__icontains=q)
            | Q(currency__iexact=q)
        )
        rates = rates.filter(currency__iexact=q)
    context = {
        "standards": rows[:500],
        "rates": rates[:200],
        "q": q,
        "upload_form": UploadForm(),
        "can_edit_rules": permissions.can_manage_rules(request.user),
    }
    return render(request, "travel/rules/standards.html", context)


def _edit(request: HttpRequest, form_class, instance, save, title: str) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form_class.Meta.fields}
        try:
            save(actor=request.user, row=instance, fields=fields)
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
            return redirect("travel:standards")
    return render(
        request, "travel/rules/standard_form.html", {"form": form, "title": title, "instance": instance}
    )


def _save_standard(*, actor, row, fields) -> None:
    service.standard_save(actor=actor, standard=row, **fields)


def _save_rate(*, actor, row, fields) -> None:
    service.rate_save(actor=actor, rate=row, **fields)


@login_required
@require_http_methods(["GET", "POST"])
def standard_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_office(request.user)
    row = get_object_or_404(CountryStandard, pk=pk) if pk else None
    title = _("Change a spending standard") if row else _("New spending standard")
    return _edit(request, StandardForm, row, _save_standard, title)


@login_required
@require_POST
def standard_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request.user)
    service.standard_delete(actor=request.user, standard=get_object_or_404(CountryStandard, pk=pk))
    messages.success(request, _("The standard is deleted."))
    return redirect("travel:standards")


@login_required
@require_http_methods(["GET", "POST"])
def rate_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_office(request.user)
    row = get_object_or_404(ExchangeRate, pk=pk) if pk else None
    title = _("Change an exchange rate") if row else _("New exchange rate")
    return _edit(request, RateForm, row, _save_rate, title)


@login_required
@require_POST
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request.user)
    service.rate_delete(actor=request.user, rate=get_object_or_404(ExchangeRate, pk=pk))
    messages.success(request, _("The exchange rate is deleted."))
    return redirect("travel:standards")


@login_required
@require_POST
def standards_upload(request: HttpRequest) -> HttpResponse:
    """Import a standards table; on any wrong row nothing is stored and every problem is listed."""
    _require_office(request.user)
    form = UploadForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > service.MAX_BYTES:
            errors.append(
                _("The file is larger than %(mb)s MB.") % {"mb": service.MAX_BYTES // (1024 * 1024)}
            )
        else:
            try:
                result = service.standards_import(actor=request.user, stream=upload)
            except ValidationError as exc:
                errors = exc.messages
            except DomainError as exc:
                errors = [exc.message]
            else:
                messages.success(
                    request,
                    _("Standards imported: %(created)s new, %(updated)s replaced.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("travel:standards")
    context = {
        "standards": CountryStandard.objects.select_related("country")[:500],
        "rates": ExchangeRate.objects.all()[:200],
        "q": "",
        "upload_form": form,
        "upload_errors": errors,
        "can_edit_rules": permissions.can_manage_rules(request.user),
    }
    return render(request, "travel/rules/standards.html", context, status=400)


urlpatterns = [
    path("rules/", rules, name="rules"),
    path("standards/", standards, name="standards"),
    path("standards/new/", standard_edit, name="standard_create"),
    path("standards/<int:pk>/edit/", standard_edit, name="standard_edit"),
    path("standards/<int:pk>/delete/", standard_delete, name="standard_delete"),
    path("standards/upload/", standards_upload, name="standards_upload"),
    path("standards/rates/new/", rate_edit, name="rate_create"),
    path("standards/rates/<int:pk>/edit/", rate_edit, name="rate_edit"),
    path("standards/rates/<int:pk>/delete/", rate_delete, name="rate_delete"),
]
