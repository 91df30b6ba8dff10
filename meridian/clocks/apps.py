from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClocksConfig(AppConfig):
    name = "meridian.clocks"
    label = "clocks"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from meridian.clocks import checks  # noqa: F401 - registers the calendar range check
        from meridian.clocks.extensions import register
        from meridian.clocks.sources import load_lower_sources

        register()
        load_lower_sources()
