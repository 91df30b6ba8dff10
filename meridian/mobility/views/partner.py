"""The partner portal (``/exchange/partner/``) and the office's nomination page.

Portal pages are for partner contacts only, and show only their own organisation: anyone else gets 403 on
the portal's pages and 404 on a record (another partner's mobility is "not found", never "forbidden").
Viewers read; only the partner's coordinators act (403 on every action otherwise).
"""

from __future__ import annotations

import importlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.mobility import permissions
from meridian.mobility.documents_nominations import can_view_letter, nomination_letter_of
from meridian.mobility.forms_partner import DecisionForm, PartnerNominationForm
from meridian.mobility.models import Call, PartnerFactsheet
from meridian.mobility.selectors import partner_portal as selectors
from meridian.mobility.services import partner_portal as services
from meridian.mobility.services.nominations import nominate_for_partner, nomination_refusal
from meridian.workflow.services import moves_for
from meridian.workflow.views.common import error_text


def _url(url_name: str, *args: Any) -> str:
    """The address of ``url_name`` or "" when that page is not installed (another area's page)."""
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return ""


def _contact(request: HttpRequest) -> Any:
    contact = permissions.partner_contact_of(request.user)
    if contact is None:
        raise PermissionDenied(_("The partner portal is for the contacts of our partners."))
    return contact


def _acting_contact(request: HttpRequest) -> Any:
    contact = _contact(request)
    if not permissions.acts_for_partner(request.user, contact.partner_id):
        raise PermissionDenied(_("Only your organisation's exchange coordinators act here; you may read."))
    return contact


def _portal_flags(request: HttpRequest, partner_id: int) -> dict[str, bool]:
    """What the portal's tabs offer: nominating (coordinators) and the factsheet (when installed)."""
    return {
        "can_act": permissions.acts_for_partner(request.user, partner_id),
        "can_factsheet": _factsheet_tools() is not None,
    }


def _attach(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = "isced_field" if name == "isced_code" else name
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- home ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def partner_home(request: HttpRequest) -> HttpResponse:
    """The contact's organisation: agreements, places per year, nominations both ways, learning agreements
    to sign, colleagues with an account."""
    _contact(request)
    home = selectors.partner_home(user=request.user)
    assert home is not None  # _contact checked
    learning = [(la, _url("mobility:la_detail", la.pk)) for la in home.learning_agreements]
    context = {
        "home": home,
        "learning": learning,
        "agreements": [(a, _url("agreements:detail", a.pk)) for a in home.agreements],
        **_portal_flags(request, home.partner.pk),
    }
    return render(request, "mobility/partner/home.html", context)


# --- one mobility -----------------------------------------------------------------------------------------


def _mobility(request: HttpRequest, pk: int):
    mobility = selectors.partner_mobility_get(user=request.user, pk=pk)
    if mobility is None:
        raise Http404
    return mobility


@login_required
@require_GET
def partner_mobility(request: HttpRequest, pk: int) -> HttpResponse:
    """One mobility of the partner's: the student's data, files, the letter, and the partner's decisions."""
    return _mobility_page(request, _mobility(request, pk))


def _mobility_page(request: HttpRequest, mobility: Any, status: int = 200) -> HttpResponse:
    user = request.user
    may_download = permissions.can_see_personal_data(user, mobility)
    files = [
        (f, _url("mobility:mobility_file", mobility.pk, f.pk) if may_download else "")
        for f in mobility.files.all()
    ]
    letter = nomination_letter_of(mobility) if can_view_letter(user, mobility) else None
    moves = [m for m in moves_for(case=mobility, user=user) if m.name in services.PARTNER_MOVES]
    learning = [(la, _url("mobility:la_detail", la.pk)) for la in mobility.learning_agreements.all()]
    context = {
        "mobility": mobility,
        "person": mobility.person,
        "files": files,
        "letter": letter,
        "letter_url": _url("documents:download", letter.pk) if letter is not None else "",
        "moves": moves,
        "learning": learning,
        **_portal_flags(request, mobility.partner_id),
    }
    return render(request, "mobility/partner/mobility.html", context, status=status)


@login_required
@require_POST
def partner_mobility_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept, reject (with the reason) or request documents (saying which). Any other decision is refused
    (400, the page says so) and changes nothing."""
    mobility = _mobility(request, pk)
    if not permissions.acts_for_partner(request.user, mobility.partner_id):
        raise PermissionDenied(_("Only your organisation's exchange coordinators decide; you may read."))
    if action not in services.PARTNER_MOVES:
        messages.error(
            request,
            _("“%(value)s” is not a decision on a nomination: accept it, reject it or ask for documents.")
            % {"value": action},
        )
        return _mobility_page(request, mobility, status=400)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        moved = services.partner_decide(mobility=mobility, actor=request.user, move=action, comment=comment)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("%(number)s is now “%(state)s”.")
            % {"number": moved.number, "state": moved.get_state_display()},
        )
    return redirect("mobility:partner_mobility", pk=mobility.pk)


# --- their nominations to us ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def partner_nominate(request: HttpRequest) -> HttpResponse:
    """Nominate one of the partner's students under an incoming condition (places and deadline checked)."""
    contact = _acting_contact(request)
    conditions = selectors.incoming_conditions(user=request.user, partner=contact.partner)
    status = 200
    if request.method == "POST":
        form = PartnerNominationForm(request.POST, conditions=conditions)
        if form.is_valid():
            try:
                mobility = services.partner_nomination_create(actor=request.user, **form.service_fields())
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                _attach(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s is nominated (%(number)s). We will invite the student to complete the "
                        "application."
                    )
                    % {"name": mobility.person.latin_name, "number": mobility.number},
                )
                return redirect("mobility:partner_mobility", pk=mobility.pk)
        else:
            status = 400
    else:
        form = PartnerNominationForm(conditions=conditions)
    rows = [
        (row, selectors.condition_deadlines(row.condition))
        for row in selectors.condition_years(user=request.user, partner=contact.partner)
        if not row.is_outgoing
    ]
    context = {
        "form": form,
        "partner": contact.partner,
        "rows": rows,
        **_portal_flags(request, contact.partner_id),
    }
    return render(request, "mobility/partner/nominate.html", context, status=status)


# --- factsheet --------------------------------------------------------------------------------------------


def _factsheet_tools() -> tuple[Any, Any] | None:
    """The factsheet form and service of the conditions area, or None while they are not installed."""
    try:
        form_class = importlib.import_module("meridian.mobility.forms_conditions").FactsheetForm
        service = importlib.import_module("meridian.mobility.services.conditions").factsheet_update
    except (ModuleNotFoundError, AttributeError):
        return None
    return form_class, service


@login_required
@require_http_methods(["GET", "POST"])
def partner_factsheet(request: HttpRequest) -> HttpResponse:
    """The partner's factsheet: coordinators edit it, viewers read it."""
    contact = _contact(request)
    tools = _factsheet_tools()
    if tools is None:
        raise Http404
    form_class, factsheet_update = tools
    partner = contact.partner
    can_edit = permissions.can_edit_factsheet(request.user, partner)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("Only your organisation's exchange coordinators edit the factsheet."))
    stale = None
    status = 200
    form = form_class(request.POST or None, partner=partner)
    if request.method == "POST":
        if form.is_valid():
            try:
                factsheet_update(
                    partner=partner,
                    actor=request.user,
                    expected_version=form.expected_version(),
                    **form.values(),
                )
            except StaleEditError as exc:
                stale, status = exc, 409
                form.data = form.data.copy()
                form.data["version"] = str(exc.current_version)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                _attach(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, _("The factsheet is saved."))
                return redirect("mobility:partner_factsheet")
        else:
            status = 400
    if not can_edit:
        for bound in form.fields.values():
            bound.disabled = True
    context = {
        "form": form,
        "partner": partner,
        "factsheet": PartnerFactsheet.objects.filter(partner=partner).first(),
        "can_edit": can_edit,
        "stale": stale,
        **_portal_flags(request, partner.pk),
    }
    return render(request, "mobility/partner/factsheet.html", context, status=status)


# --- the office nominates -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, call_pk: int) -> HttpResponse:
    """Per partner, the students of a call who accepted a place there, with one button that nominates them
    all (the office only)."""
    if not permissions.can_nominate(request.user):
        raise PermissionDenied(_("Only the International Office nominates students to partners."))
    call = Call.objects.visible_to(request.user).filter(pk=call_pk).first()
    if call is None:
        raise Http404
    if request.method == "POST":
        from meridian.partners.models import Partner

        # Only a partner the call offers places at: anything else (not a number, unknown, another
        # partner's id) is "not found".
        partner_id = str(request.POST.get("partner") or "").strip()
        if not partner_id.isascii() or not partner_id.isdigit():
            raise Http404
        partner = get_object_or_404(
            Partner.objects.filter(pk__in=call.destinations.values("partner_id")), pk=int(partner_id)
        )
        try:
            nominated = nominate_for_partner(call=call, partner=partner, actor=request.user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s student nominated to %(partner)s. The nomination letter goes to the "
                    "partner's contacts by e-mail.",
                    "%(count)s students nominated to %(partner)s. The nomination letter goes to the "
                    "partner's contacts by e-mail.",
                    len(nominated),
                )
                % {"count": len(nominated), "partner": partner},
            )
        return redirect("mobility:nominate", call_pk=call.pk)
    context = {
        "call": call,
        "groups": selectors.nomination_groups(call=call),
        "refusal": nomination_refusal(call),
        "call_url": _url("mobility:call_detail", call.pk),
        "detail_urls": bool(_url("mobility:mobility_detail", 0)),
    }
    return render(request, "mobility/partner/office_nominate.html", context)
