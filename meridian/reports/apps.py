from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "meridian.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, registry
        from meridian.reports.permissions import can_see_reports

        registry.nav.add(
            NavEntry(
                key="reports", label=_("Reports"), url_name="reports:list", visible=can_see_reports, order=85
            )
        )
