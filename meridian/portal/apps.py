from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "meridian.portal"
    label = "portal"
    verbose_name = _("Global Vision portal")

    def ready(self) -> None:
        from meridian.portal import signals

        signals.connect()
