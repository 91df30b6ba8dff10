"""Creating and editing agreements; a stale save shows what changed and keeps the user's values."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from meridian.accounts.models import OrgUnit
from meridian.agreements import permissions, services
from meridian.agreements.forms import AgreementForm, SignatoryFormSet
from meridian.agreements.models import Agreement
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.partners.models import Partner


def _units(user):
    condition = permissions.agreement_unit_filter(user)
    units = OrgUnit.objects.order_by("path")
    return units if condition is None else units.filter(condition)


def _signatories(formset) -> list[dict]:
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("name")
    ]


def _attach_errors(form: AgreementForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _handle(request: HttpRequest, agreement: Agreement | None) -> HttpResponse:
    user = request.user
    visible_partners = Partner.objects.visible_to(user).order_by("name")
    stale = None
    if request.method == "POST":
        form = AgreementForm(request.POST, instance=agreement, user=user, units=_units(user))
        formset = SignatoryFormSet(request.POST, prefix="sig", form_kwargs={"partners": visible_partners})
        if form.is_valid() and formset.is_valid():
            data = form.service_fields()
            try:
                if agreement is None:
                    saved = services.agreement_create(
                        actor=user,
                        partners=list(form.cleaned_data["partners"]),
                        channels=form.cleaned_data["channels"],
                        signatories=_signatories(formset),
                        **data,
                    )
                    messages.success(request, _("Agreement %(number)s created.") % {"number": saved.number})
                else:
                    saved = services.agreement_update(
                        agreement=agreement,
                        actor=user,
                        expected_version=form.cleaned_data.get("version"),
                        partners=list(form.cleaned_data["partners"]),
                        channels=form.cleaned_data["channels"],
                        signatories=_signatories(formset),
                        **data,
                    )
                    messages.success(request, _("Agreement %(number)s saved.") % {"number": saved.number})
                return redirect(saved)
            except StaleEditError as exc:
                stale = exc
                # Keep the user's values; saving again deliberately applies them over the current version.
                form.data = form.data.copy()
                form.data["version"] = str(exc.current_version)
            except ValidationError as exc:
                _attach_errors(form, exc)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                form.add_error(None, exc.message)
    else:
        initial = {}
        if agreement is None and request.GET.get("partner", "").isdigit():
            initial["partners"] = list(
                visible_partners.filter(pk=request.GET["partner"]).values_list("pk", flat=True)
            )
        form = AgreementForm(instance=agreement, user=user, units=_units(user), initial=initial)
        existing = []
        if agreement is not None:
            existing = [
                {
                    "side": s.side,
                    "partner": s.partner_id,
                    "name": s.name,
                    "title": s.title,
                    "signed_on": s.signed_on,
                }
                for s in agreement.signatories.all()
            ]
        formset = SignatoryFormSet(initial=existing, prefix="sig", form_kwargs={"partners": visible_partners})
    return render(
        request,
        "agreements/form.html",
        {"form": form, "formset": formset, "agreement": agreement, "stale": stale},
    )


@login_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_agreement(request.user):
        raise PermissionDenied(_("You may not create agreements."))
    return _handle(request, None)


@login_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=pk)
    if not permissions.can_edit_agreement(request.user, agreement):
        messages.error(request, _("This agreement cannot be edited by you in its current state."))
        return redirect(agreement)
    return _handle(request, agreement)
