from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "meridian.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        # What agreements contribute to the shared screens (navigation, dashboard, partner page, figures, …)
        # and their case-type declaration on the workflow engine.
        from meridian.agreements import casework, extensions  # noqa: F401
