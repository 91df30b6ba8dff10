import importlib
import pkgutil

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Modules that register something at start-up: the case types first, then every area's deadline clocks,
# document sources, scheduled jobs and registry entries, each in its own module named by its kind.
REGISTERING_PREFIXES = ("deadlines", "documents_", "tasks", "extensions")


class MobilityConfig(AppConfig):
    name = "meridian.mobility"
    label = "mobility"
    verbose_name = _("Student exchange")

    def ready(self) -> None:
        importlib.import_module("meridian.mobility.casework")
        names = sorted(
            info.name
            for info in pkgutil.iter_modules([self.path])
            if not info.ispkg and info.name.startswith(REGISTERING_PREFIXES)
        )
        for name in names:
            importlib.import_module(f"meridian.mobility.{name}")
