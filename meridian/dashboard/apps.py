from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "meridian.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from meridian.accounts.permissions import is_internal
        from meridian.core.registry import DashboardTile, NavEntry, registry
        from meridian.dashboard.selectors import recent_activity

        # The dashboard is the staff's overview: students and partner contacts have pages of their own.
        registry.nav.add(
            NavEntry(
                key="dashboard",
                label=_("Dashboard"),
                url_name="dashboard:home",
                visible=is_internal,
                order=10,
            )
        )
        registry.dashboard_tiles.add(
            DashboardTile(
                key="activity",
                title=_("Recent activity"),
                template="dashboard/tiles/activity.html",
                context=lambda user: {"rows": recent_activity(user=user)},
                order=220,
            )
        )
