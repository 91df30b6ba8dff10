"""The partner form's registry suggestion: the institution the typed names and country confidently mean."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meridian.partners import permissions
from meridian.partners.models import Partner
from meridian.partners.registry_match import RegistrySuggestion, registry_suggestion
from meridian.partners.services import find_duplicate
from meridian.reference.models import Country

# The form fields "Use these identifiers" may fill, when they are empty.
FILLED_FIELDS = ("ror_id", "erasmus_code", "pic", "website", "name_zh", "registry_institution")
_MAX_NAME = 300  # characters, as the partner's name fields


def _existing_partner(
    request: HttpRequest, suggestion: RegistrySuggestion, own_pk: int | None
) -> Partner | None:
    """The partner (other than the one being edited) that already holds the institution or its identifiers."""
    visible = Partner.objects.visible_to(request.user)
    found = find_duplicate(
        ror_id=suggestion.ror_id,
        erasmus_code=suggestion.erasmus_code,
        pic=suggestion.pic,
        website=suggestion.website,
        exclude_pk=own_pk,
    )
    if found is not None:
        return visible.filter(pk=found[0].pk).first()
    linked = visible.filter(registry_institution_id=suggestion.institution_id)
    if own_pk is not None:
        linked = linked.exclude(pk=own_pk)
    return linked.order_by("pk").first()


@login_required
@require_GET
def partner_registry_match_view(request: HttpRequest) -> HttpResponse:
    """A small fragment for the partner form: the registry match of the typed names in the chosen country.

    Query parameters: `name`, `name_en`, `name_zh` (the form's name fields), `country` (ISO code) and, on the
    edit form, `partner` (the record's id, so that its own registry entry is not "already a partner").
    Without a name, a country or a confident match the fragment is empty. Who may create partners may ask.
    """
    if not permissions.can_create_partner(request.user):
        raise PermissionDenied(_("You may not create partners."))
    name = request.GET.get("name", "").strip()[:_MAX_NAME]
    others = [request.GET.get(key, "").strip()[:_MAX_NAME] for key in ("name_en", "name_zh")]
    country = request.GET.get("country", "").strip().upper()[:2]
    own = request.GET.get("partner", "")
    own_pk = int(own) if own.isdigit() and len(own) < 12 else None
    suggestion = None
    if (name or any(others)) and country:
        suggestion = registry_suggestion(name=name, country_code=country, names=others)
    if suggestion is None:
        return HttpResponse("")
    fields = suggestion.partner_fields()
    context = {
        "suggestion": suggestion,
        "country": Country.objects.filter(code=suggestion.country_code).first(),
        "existing": _existing_partner(request, suggestion, own_pk),
        "fill": json.dumps({key: fields[key] for key in FILLED_FIELDS if key in fields}, ensure_ascii=False),
    }
    return render(request, "partners/_registry_match.html", context)
