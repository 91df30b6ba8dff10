from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "meridian.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        import datetime

        from meridian.core.registry import ScheduledJob, registry

        def digest():
            from meridian.core.notifications import notifications_digest

            return notifications_digest

        registry.scheduled_jobs.add(
            ScheduledJob(key="notifications-digest", task=digest, at=datetime.time(7, 30))
        )

        from meridian.core.observability.tasks import connect_task_signals

        connect_task_signals()
