"""Choices of the official-travel context: trip states, kinds, purposes, roles, budget lines, custody."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TripState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLICITY = "publicity", _("Publicity notice running")
    UNDER_REVIEW = "under_review", _("Under approval")
    APPROVED = "approved", _("Approved by the university")
    AUTHORISED = "authorised", _("Externally approved")
    ABROAD = "abroad", _("Travelling")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class RegionKind(models.TextChoices):
    ABROAD = "abroad", _("Abroad (foreign countries)")
    HK_MACAO = "hk_macao", _("Hong Kong or Macao")
    TAIWAN = "taiwan", _("Taiwan")


class DelegationKind(models.TextChoices):
    """Administrative delegations fall under the number/size/days limits; academic exchange by teaching and
    research staff is managed by actual need (厅字〔2016〕17号 as applied by universities)."""

    ADMINISTRATIVE = "administrative", _("Administrative delegation")
    ACADEMIC = "academic", _("Academic exchange by teaching and research staff")


class Purpose(models.TextChoices):
    ACADEMIC_EXCHANGE = "academic_exchange", _("Academic exchange")
    CONFERENCE = "conference", _("International conference")
    LECTURE = "lecture", _("Lecturing")
    RESEARCH = "research", _("Research cooperation")
    TRAINING = "training", _("Training")
    NEGOTIATION = "negotiation", _("Negotiation or signing")
    ADMINISTRATIVE_VISIT = "administrative_visit", _("Administrative visit")
    STUDENT_PROGRAMME = "student_programme", _("Student-led programme")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    MEMBER = "member", _("Member")
    INTERPRETER = "interpreter", _("Interpreter")


class FundingSource(models.TextChoices):
    UNIT_BUDGET = "unit_budget", _("Unit budget")
    RESEARCH_FUNDS = "research_funds", _("Research funds")
    UNIVERSITY = "university", _("University budget")
    INVITER = "inviter", _("Paid by the inviting organisation")
    GOVERNMENT_SCHOLARSHIP = "government_scholarship", _("Government scholarship")
    OTHER = "other", _("Other")


class BudgetKind(models.TextChoices):
    TRAVEL = "travel", _("International travel")
    ACCOMMODATION = "accommodation", _("Accommodation")
    MEALS = "meals", _("Meals")
    INCIDENTALS = "incidentals", _("Incidentals")
    REGISTRATION = "registration", _("Registration fees")
    OTHER = "other", _("Other")


class TripFileKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation letter")
    INVITATION_TRANSLATION = "invitation_translation", _("Translation of the invitation letter")
    CONFERENCE_NOTICE = "conference_notice", _("Conference notice or acceptance")
    PAPER = "paper", _("Paper or abstract")
    EXTERNAL_APPROVAL = "external_approval", _("Approval document (scan)")
    PASSPORT_STAMPS = "passport_stamps", _("Passport stamp pages")
    OTHER = "other", _("Other")


class PlanKind(models.TextChoices):
    GENERAL = "general", _("Trips abroad and to Taiwan")
    HK_MACAO = "hk_macao", _("Trips to Hong Kong and Macao")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the office")
    CONSOLIDATED = "consolidated", _("Consolidated")


class NoticePhase(models.TextChoices):
    BEFORE = "before", _("Before the trip")
    AFTER = "after", _("After return")


class NoticeState(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChangeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")


class OutcomeKind(models.TextChoices):
    CONTACT = "contact", _("New contact")
    AGREEMENT = "agreement", _("Agreement signed")
    PROJECT = "project", _("Project started")
    OTHER = "other", _("Other outcome")


class CustodyState(models.TextChoices):
    IN_CUSTODY = "in_custody", _("In the office's custody")
    ISSUED = "issued", _("Issued to the holder")
    AT_AUTHORITY = "at_authority", _("At an embassy or authority (visa)")
    CANCELLED = "cancelled", _("Cancelled or handed back to the issuer")
    LOST = "lost", _("Reported lost")


class CustodyAction(models.TextChoices):
    REGISTER = "register", _("Registered")
    ISSUE = "issue", _("Issued to the holder")
    RETURN = "return", _("Returned to the office")
    SEND = "send", _("Sent to an embassy or authority")
    CANCEL = "cancel", _("Cancelled")
    LOSE = "lose", _("Reported lost")


class LongStayState(models.TextChoices):
    SELECTED = "selected", _("Selected")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    DEPARTED = "departed", _("Departed")
    REGISTERED = "registered", _("Registered with the embassy")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Summary accepted")
    CANCELLED = "cancelled", _("Cancelled")


class LongStayProgramme(models.TextChoices):
    GOVERNMENT_SCHOLARSHIP = "government_scholarship", _("Government scholarship (CSC)")
    UNIT_FUNDED = "unit_funded", _("Visiting scholar funded by the unit")
    OTHER = "other", _("Other")
