from datetime import time

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _expire_uploads():
    from meridian.imports.tasks import expire_uploads

    return expire_uploads


class ImportsConfig(AppConfig):
    name = "meridian.imports"
    label = "imports"
    verbose_name = _("Spreadsheet import")

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, ScheduledJob, registry
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
        # Once a day at night; a second run the same day finds nothing more to expire.
        registry.scheduled_jobs.add(
            ScheduledJob(key="imports.expire_uploads", task=_expire_uploads, at=time(3, 45))
        )
