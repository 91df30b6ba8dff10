from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Modules that register something at start-up, in order.
REGISTRATIONS = (
    "casework",
    "casework_experts",
    "rules",
    "rules_experts",
    "rules_lectures",
    "deadlines",
    "deadlines_experts",
    "deadlines_lectures",
    "documents",
    "statistics",
    "extensions",
)


class VisitorsConfig(AppConfig):
    name = "meridian.visitors"
    label = "visitors"
    verbose_name = _("Visitors and foreign experts")

    def ready(self) -> None:
        # Each module registers what this context contributes: case types, the rule pack, deadline clocks,
        # document sources and registry entries (navigation, dashboard, partner page, …).
        import importlib

        for name in REGISTRATIONS:
            try:
                importlib.import_module(f"meridian.visitors.{name}")
            except ModuleNotFoundError as exc:  # a module not written yet
                if exc.name != f"meridian.visitors.{name}":
                    raise
