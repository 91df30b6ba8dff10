"""Background tasks of the workflow engine."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from meridian.core.notifications import notify
from meridian.workflow.choices import ApprovalState, TaskState
from meridian.workflow.models import StepTask
from meridian.workflow.registry import case_types


@task()
def overdue_steps_remind(now_iso: str | None = None) -> int:
    """Tell the people who decide each open approval step past its due time, once per step.

    Idempotent: a step is marked ``overdue_notified_at`` in the same transaction as its notice, so running the
    task twice sends nothing the second time. Returns the number of steps reminded about.
    """
    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    reminded = 0
    due = StepTask.objects.filter(
        state=TaskState.OPEN,
        approval__state=ApprovalState.RUNNING,
        due_at__lt=now,
        overdue_notified_at__isnull=True,
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            step = (
                StepTask.objects.select_for_update()
                .select_related("approval")
                .filter(pk=pk, overdue_notified_at__isnull=True)
                .first()
            )
            if step is None or step.approval.case_type not in case_types:
                continue
            case_type = case_types.get(step.approval.case_type)
            case = case_type.model_class._default_manager.filter(pk=step.approval.object_id).first()
            if case is None:
                continue
            _remind(step, case, case_type.title(case))
            step.overdue_notified_at = now
            step.save(update_fields=["overdue_notified_at"])
            reminded += 1
    return reminded


def _remind(step: StepTask, case, title: str) -> None:
    label = step.label
    due = timezone.localtime(step.due_at).strftime("%Y-%m-%d %H:%M")
    notify(
        recipients=list(step.assignees.all()),
        subject=lambda: _("Overdue: your decision on %(case)s — %(step)s") % {"case": title, "step": label},
        body=lambda: _("This approval step was due on %(due)s.") % {"due": due},
        url=case.get_absolute_url() if hasattr(case, "get_absolute_url") else "",
        verb="workflow.overdue",
        target=case,
    )
