"""The public calendar of lectures in the public site's navigation ("Lectures"), registered at start-up."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from meridian.core.registry import PublicNavEntry, registry

ENTRY = PublicNavEntry(key="lectures", label=_("Lectures"), url_name="visitors_public:calendar", order=50)

if ENTRY.key not in registry.public_nav:
    registry.public_nav.add(ENTRY)
