"""What reference data registers in the extension registry: its navigation entry and cache watches."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import is_internal
from meridian.core.registry import CacheWatch, NavEntry, registry
from meridian.reference.models import Country, Place


def register() -> None:
    # The institution registry is a tool for university staff creating partners; students and partner
    # contacts have no use for it.
    registry.nav.add(
        NavEntry(
            key="registry", label=_("Registry"), url_name="reference:registry", visible=is_internal, order=40
        )
    )
    # Country names and regions appear in the public figures, the directory and its map.
    registry.cache_watches.add(CacheWatch(key="countries", group="public", models=lambda: [Country]))
    # City names in Chinese appear on the cached public partner pages.
    registry.cache_watches.add(CacheWatch(key="places", group="public", models=lambda: [Place]))


register()
