from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "meridian.portal"
    label = "portal"
    verbose_name = _("Global Vision portal")

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, registry
        from meridian.portal import figures, signals
        from meridian.portal.permissions import can_edit_articles

        signals.connect()
        figures.register()
        registry.nav.add(
            NavEntry(
                key="website",
                label=_("Website"),
                url_name="portal:manage_list",
                visible=can_edit_articles,
                active_apps=("portal",),
                order=60,
            )
        )
        # The public site: every signed-in user may open it; it is never the current staff page.
        registry.nav.add(
            NavEntry(
                key="global_vision",
                label=_("Global Vision"),
                url_name="portal:home",
                active_apps=("directory",),
                order=70,
            )
        )
