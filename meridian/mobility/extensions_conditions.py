"""What cooperation conditions register in the extension registry (loaded by ``MobilityConfig.ready()``):

- the agreement page's panel "Cooperation conditions (places)" (``registry.agreement_panels``), on exchange
  agreements (``selectors.conditions.EXCHANGE_AGREEMENT_TYPES``) and on any agreement that has conditions;
- the public partner page's block "Exchange places" (``registry.public_partner_panels``): the public facts of
  the conditions of the partner's active agreements and the public bits of its factsheet;
- the partner page's button "Exchange factsheet" for the office (``registry.partner_actions``);
- a cache watch (``registry.cache_watches``, group "public"), so the cached public pages renew when a
  condition or a factsheet changes.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import is_internal
from meridian.core.registry import AgreementPanel, CacheWatch, PartnerAction, PublicPartnerPanel, registry
from meridian.mobility import permissions
from meridian.mobility.models import CooperationCondition, PartnerFactsheet
from meridian.mobility.selectors import conditions as selectors
from meridian.mobility.services.conditions import condition_blocker


def _agreement_panel_visible(agreement, user) -> bool:
    if selectors.carries_conditions(agreement):
        return True
    return CooperationCondition.objects.visible_to(user).filter(agreement=agreement).exists()


def _agreement_panel(agreement, user) -> dict[str, Any]:
    may_edit = permissions.can_edit_conditions(user, agreement)
    blocker = condition_blocker(agreement)
    internal = is_internal(user)
    partners = list(agreement.partners.order_by("name"))
    factsheets = []
    if internal:
        sheets = {s.partner_id: s for s in PartnerFactsheet.objects.filter(partner__in=partners)}
        for partner in partners:
            factsheets.append(
                {
                    "partner": partner,
                    "sheet": sheets.get(partner.pk),
                    "can_edit": permissions.can_edit_factsheet(user, partner),
                }
            )
    return {
        "condition_years": selectors.agreement_conditions(agreement=agreement, user=user),
        "conditions_editable": may_edit and not blocker,
        "conditions_blocker": blocker if may_edit else "",
        "conditions_add_url": reverse("mobility:condition_create", args=[agreement.pk])
        if may_edit and not blocker
        else "",
        "conditions_internal": internal,
        "conditions_several_partners": len(partners) > 1,
        "conditions_factsheets": factsheets,
        "conditions_list_url": reverse("mobility:condition_list") if internal else "",
    }


def _factsheet_action_visible(partner, user) -> bool:
    return is_internal(user) and permissions.can_edit_factsheet(user, partner)


def _public_panel(partner) -> dict[str, Any]:
    return {
        "place_years": selectors.public_partner_conditions(partner),
        "factsheet": selectors.public_factsheet(partner),
    }


def register() -> None:
    registry.agreement_panels.add(
        AgreementPanel(
            key="conditions",
            title=_("Cooperation conditions (places)"),
            template="mobility/conditions/_agreement_panel.html",
            context=_agreement_panel,
            visible=_agreement_panel_visible,
            order=20,
        )
    )
    registry.public_partner_panels.add(
        PublicPartnerPanel(
            key="exchange_places",
            title=_("Exchange places"),
            template="mobility/conditions/_public_panel.html",
            context=_public_panel,
            visible=selectors.has_public_places,
            order=20,
        )
    )
    registry.partner_actions.add(
        PartnerAction(
            key="exchange_factsheet",
            label=_("Exchange factsheet"),
            url=lambda partner: reverse("mobility:factsheet_edit", args=[partner.pk]),
            visible=_factsheet_action_visible,
            order=60,
        )
    )
    registry.cache_watches.add(
        CacheWatch(
            key="mobility_conditions",
            group="public",
            models=lambda: [CooperationCondition, PartnerFactsheet],
        )
    )


register()
