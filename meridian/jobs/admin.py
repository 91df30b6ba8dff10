"""Jobs in the Django admin: to look at, never to change (jobs change only through their services)."""

from django.contrib import admin

from meridian.core.admin import ReadOnlyModelAdmin
from meridian.jobs.models import JobRun, ScheduledRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyModelAdmin):
    list_display = ["label", "kind", "actor", "state", "done", "total", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    search_fields = ["label", "actor__username", "message"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyModelAdmin):
    list_display = ["key", "slot", "enqueued_at", "task_id"]
    list_filter = ["key"]
