from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "meridian.imports"
    label = "imports"
    verbose_name = _("Spreadsheet import")

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, registry
        from meridian.imports.permissions import can_use_imports

        registry.nav.add(
            NavEntry(
                key="imports",
                label=_("Import"),
                url_name="imports:start",
                visible=can_use_imports,
                order=80,
                active_apps=("imports",),
            )
        )
