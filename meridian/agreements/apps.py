from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "meridian.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        # Each module registers what agreements contribute: registry entries (navigation, dashboard, partner
        # page, figures, …), the case-type declaration, deadline rules, document sources and the import kind.
        from meridian.agreements import casework, deadlines, drafts, extensions, import_rows  # noqa: F401
