from django.db import models
from django.utils.translation import gettext_lazy as _


class AssigneeKind(models.TextChoices):
    UNIT_LEADER = "unit_leader", _("Leader of the applicant's unit")
    UNIT_COORDINATOR = "unit_coordinator", _("Coordinator of the applicant's unit")
    INTERNATIONAL_OFFICE = "international_office", _("International Office")
    FUNCTION = "function", _("A university office (finance, HR, research, legal)")
    UNIVERSITY_LEADER = "university_leader", _("A university leader")
    PERSON = "person", _("A named person")


class UnitFunctionCode(models.TextChoices):
    FINANCE = "finance", _("Finance office")
    HR = "hr", _("Human resources")
    RESEARCH = "research", _("Research office")
    LEGAL = "legal", _("Legal office")
    GRADUATE_SCHOOL = "graduate_school", _("Graduate school")
    SECURITY = "security", _("Security office")


class PostKind(models.TextChoices):
    LEADER = "leader", _("Unit leader")
    SECRETARY = "secretary", _("Foreign-affairs secretary")


class DueUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")


class ApprovalState(models.TextChoices):
    RUNNING = "running", _("Running")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class TaskState(models.TextChoices):
    WAITING = "waiting", _("Waiting for earlier steps")
    OPEN = "open", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Not needed")
    CANCELLED = "cancelled", _("Cancelled")


class StepActionKind(models.TextChoices):
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return for correction")
    REJECT = "reject", _("Reject")
    DELEGATE = "delegate", _("Delegate")


class RuleSeverity(models.TextChoices):
    """What a failing rule of a rule pack does to a case."""

    BLOCK = "block", _("Blocks the case")
    JUSTIFY = "justify", _("Needs a written justification")
    WARN = "warn", _("Warning only")
