from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "meridian.workflow"
    label = "workflow"
    verbose_name = _("Workflow and approvals")

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, ScheduledJob, registry
        from meridian.workflow import permissions, selectors

        registry.nav.add(
            NavEntry(
                key="inbox",
                label=_("Inbox"),
                url_name="workflow:inbox",
                visible=permissions.can_use_inbox,
                count=lambda user: selectors.open_task_count(user=user) or None,
                order=15,
                active_apps=("workflow",),
            )
        )
        registry.nav.add(
            NavEntry(
                key="approval_chains",
                label=_("Approval chains"),
                url_name="workflow:chains",
                visible=permissions.can_read_chains,
                order=890,
            )
        )
        registry.scheduled_jobs.add(
            ScheduledJob(key="workflow.overdue_steps", task=_overdue_task, every=timedelta(hours=1))
        )


def _overdue_task():
    from meridian.workflow.tasks import overdue_steps_remind

    return overdue_steps_remind
