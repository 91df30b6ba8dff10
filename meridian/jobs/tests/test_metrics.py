"""The background task queue on /metrics: tasks by status and the wait of the oldest due task."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from meridian.jobs.selectors import task_queue_depth, task_queue_oldest_ready_seconds
from meridian.jobs.tasks import noop

TOKEN = "metrics-token-0123456789"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def scrape() -> dict[tuple[str, tuple], float]:
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS, METRICS_TOKEN=TOKEN)
def test_queue_depth_and_oldest_wait_follow_the_queue():
    assert task_queue_depth() == {"ready": 0, "running": 0, "successful": 0, "failed": 0}
    assert task_queue_oldest_ready_seconds() == 0.0
    for number in range(3):
        noop.enqueue(number)
    first = DBTaskResult.objects.first()
    assert first is not None
    DBTaskResult.objects.filter(pk=first.pk).update(status="FAILED")
    DBTaskResult.objects.filter(status="READY").update(enqueued_at=timezone.now() - timedelta(minutes=10))

    samples = scrape()
    assert samples[("meridian_task_queue_depth", (("status", "ready"),))] == 2
    assert samples[("meridian_task_queue_depth", (("status", "failed"),))] == 1
    assert samples[("meridian_task_queue_depth", (("status", "running"),))] == 0
    assert 600 <= samples[("meridian_task_queue_oldest_ready_seconds", ())] < 700
    # A task that is not due yet is not waiting.
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() + timedelta(hours=1))
    assert task_queue_oldest_ready_seconds() == 0.0
