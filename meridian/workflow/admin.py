"""The workflow's records in the Django admin, read only.

Chains, offices, posts and deputies are configured on the workflow's own pages (versioned, checked); moves and
decisions happen only through the services.
"""

from django.contrib import admin

from meridian.core.admin import ReadOnlyModelAdmin
from meridian.workflow.models import (
    ApprovalChain,
    ApprovalChainVersion,
    ApprovalStep,
    CaseApproval,
    Deputy,
    StepTask,
    TransitionLog,
    UnitFunction,
    UnitPost,
)


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyModelAdmin):
    list_display = [
        "at",
        "case_type",
        "object_id",
        "action",
        "from_state",
        "to_state",
        "actor",
        "on_behalf_of",
    ]
    list_filter = ["case_type", "action"]
    search_fields = ["comment", "actor__username"]
    list_select_related = ["actor", "on_behalf_of"]


@admin.register(ApprovalChain)
class ApprovalChainAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "case_type", "unit", "is_active"]
    list_filter = ["case_type", "is_active"]


@admin.register(ApprovalChainVersion)
class ApprovalChainVersionAdmin(ReadOnlyModelAdmin):
    list_display = ["chain", "number", "created_at", "created_by", "note"]


@admin.register(ApprovalStep)
class ApprovalStepAdmin(ReadOnlyModelAdmin):
    list_display = ["version", "order", "label", "assignee_kind", "function", "person"]


@admin.register(CaseApproval)
class CaseApprovalAdmin(ReadOnlyModelAdmin):
    list_display = ["case_type", "object_id", "chain_version", "round", "state", "started_at", "finished_at"]
    list_filter = ["case_type", "state"]


@admin.register(StepTask)
class StepTaskAdmin(ReadOnlyModelAdmin):
    list_display = ["approval", "order", "label", "state", "due_at", "acted_by", "on_behalf_of", "acted_at"]
    list_filter = ["state", "assignee_kind"]


@admin.register(UnitFunction)
class UnitFunctionAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "unit"]


@admin.register(UnitPost)
class UnitPostAdmin(ReadOnlyModelAdmin):
    list_display = ["unit", "post", "user"]


@admin.register(Deputy)
class DeputyAdmin(ReadOnlyModelAdmin):
    list_display = ["principal", "deputy", "starts_on", "ends_on", "created_by"]
