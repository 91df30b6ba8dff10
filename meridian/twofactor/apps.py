from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "meridian.twofactor"
    label = "twofactor"
    verbose_name = _("Two-factor sign-in")

    def ready(self) -> None:
        # Connects the sign-in signal that forgets the cached device state.
        from meridian.twofactor import middleware  # noqa: F401
