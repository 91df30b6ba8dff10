from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Modules that register something at start-up, in order.
REGISTRATIONS = (
    "casework",
    "rules",
    "deadlines",
    "deadlines_long_stays",
    "documents",
    "notice_board",
    "statistics",
    "extensions",
)


class TravelConfig(AppConfig):
    name = "meridian.travel"
    label = "travel"
    verbose_name = _("Official travel")

    def ready(self) -> None:
        # Each module registers what official travel contributes: the case-type declarations, the rule pack,
        # deadline clocks, document sources and registry entries (navigation, dashboard, partner page, …).
        import importlib

        for name in REGISTRATIONS:
            try:
                importlib.import_module(f"meridian.travel.{name}")
            except ModuleNotFoundError as exc:  # a module not written yet
                if exc.name != f"meridian.travel.{name}":
                    raise
