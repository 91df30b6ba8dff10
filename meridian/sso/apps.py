from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "meridian.sso"
    label = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from meridian.sso import checks  # noqa: F401  (registers the configuration checks)
