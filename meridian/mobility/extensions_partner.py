"""What the partner portal registers: partner contacts land on their portal after signing in (instead of
the staff dashboard), and see a "Partner portal" entry in the main navigation. Nobody else sees either."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import is_internal
from meridian.core.registry import Landing, NavEntry, registry
from meridian.mobility import permissions


def _portal_user(user) -> bool:
    """Partner contacts who are not also staff of the university."""
    return permissions.can_use_partner_portal(user) and not is_internal(user)


registry.landings.add(
    Landing(key="mobility_partner_portal", url_name="mobility:partner_home", applies=_portal_user, order=20)
)
registry.nav.add(
    NavEntry(
        key="mobility_partner_portal",
        label=_("Partner portal"),
        url_name="mobility:partner_home",
        visible=_portal_user,
        order=15,
    )
)
