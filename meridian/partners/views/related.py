"""Adding, changing and removing a partner's contacts and partner-side units."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meridian.core.errors import DomainError
from meridian.partners import permissions, services
from meridian.partners.forms import PartnerContactForm, PartnerUnitForm
from meridian.partners.models import Partner, PartnerContact, PartnerUnit


def _editable_partner(request: HttpRequest, pk: int) -> Partner:
    partner = get_object_or_404(Partner.objects.visible_to(request.user), pk=pk)
    if not permissions.can_edit_partner(request.user, partner):
        raise PermissionDenied(_("You may not change this partner."))
    return partner


def _form_page(request: HttpRequest, partner: Partner, form: ModelForm, title: str) -> HttpResponse:
    return render(request, "partners/related_form.html", {"partner": partner, "form": form, "title": title})


def _save(request: HttpRequest, form: ModelForm, call) -> bool:
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return False
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(request, _("Saved."))
    return True


def _delete_page(request: HttpRequest, partner: Partner, obj: object, call) -> HttpResponse:
    if request.method == "POST":
        call()
        messages.success(request, _("Removed."))
        return redirect(partner)
    return render(request, "partners/confirm_delete.html", {"partner": partner, "object": obj})


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _editable_partner(request, pk)
    form = PartnerContactForm(request.POST or None)
    if request.method == "POST" and _save(
        request, form, lambda data: services.contact_create(partner=partner, actor=request.user, **data)
    ):
        return redirect(partner)
    return _form_page(request, partner, form, _("Add a contact"))


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    partner = _editable_partner(request, pk)
    contact = get_object_or_404(PartnerContact, pk=contact_pk, partner=partner)
    form = PartnerContactForm(request.POST or None, instance=PartnerContact.objects.get(pk=contact.pk))
    if request.method == "POST" and _save(
        request, form, lambda data: services.contact_update(contact=contact, actor=request.user, **data)
    ):
        return redirect(partner)
    return _form_page(request, partner, form, _("Change contact"))


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    partner = _editable_partner(request, pk)
    contact = get_object_or_404(PartnerContact, pk=contact_pk, partner=partner)
    return _delete_page(
        request, partner, contact, lambda: services.contact_delete(contact=contact, actor=request.user)
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _editable_partner(request, pk)
    form = PartnerUnitForm(request.POST or None)
    if request.method == "POST" and _save(
        request, form, lambda data: services.partner_unit_create(partner=partner, actor=request.user, **data)
    ):
        return redirect(partner)
    return _form_page(request, partner, form, _("Add a partner-side unit"))


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    partner = _editable_partner(request, pk)
    unit = get_object_or_404(PartnerUnit, pk=unit_pk, partner=partner)
    form = PartnerUnitForm(request.POST or None, instance=PartnerUnit.objects.get(pk=unit.pk))
    if request.method == "POST" and _save(
        request, form, lambda data: services.partner_unit_update(unit=unit, actor=request.user, **data)
    ):
        return redirect(partner)
    return _form_page(request, partner, form, _("Change partner-side unit"))


@login_required
@require_http_methods(["GET", "POST"])
def unit_delete(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    partner = _editable_partner(request, pk)
    unit = get_object_or_404(PartnerUnit, pk=unit_pk, partner=partner)
    return _delete_page(
        request, partner, unit, lambda: services.partner_unit_delete(unit=unit, actor=request.user)
    )
