from datetime import time

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _has_jobs(user) -> bool:
    from meridian.jobs.models import JobRun

    if not getattr(user, "is_authenticated", False):
        return False
    return JobRun.objects.filter(actor_id=user.pk).exists()


def _queue_depth():
    from meridian.jobs.selectors import task_queue_depth

    return [((status,), count) for status, count in task_queue_depth().items()]


def _oldest_ready():
    from meridian.jobs.selectors import task_queue_oldest_ready_seconds

    return [((), task_queue_oldest_ready_seconds())]


def _housekeeping():
    from meridian.jobs.tasks import housekeeping

    return housekeeping


class JobsConfig(AppConfig):
    name = "meridian.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from meridian.core.registry import MetricGauge, NavEntry, ScheduledJob, registry

        registry.nav.add(
            NavEntry(
                key="jobs", label=_("My jobs"), url_name="jobs:list", visible=_has_jobs, order=95,
                active_apps=("jobs",),
            )
        )  # fmt: skip
        registry.scheduled_jobs.add(ScheduledJob(key="jobs.housekeeping", task=_housekeeping, at=time(3, 30)))
        registry.metric_gauges.add(
            MetricGauge(
                key="task_queue_depth",
                help="Background tasks in the database queue, by status.",
                labels=("status",),
                samples=_queue_depth,
            )
        )
        registry.metric_gauges.add(
            MetricGauge(
                key="task_queue_oldest_ready_seconds",
                help="Seconds the oldest task that is due to run has been waiting (0 when none).",
                samples=_oldest_ready,
            )
        )
