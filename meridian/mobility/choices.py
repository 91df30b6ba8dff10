"""Choices of the student-exchange context. Codes follow the Erasmus inter-institutional agreement and the
Erasmus Without Paper (EWP) APIs where those have one, so that an EWP connector can map them later."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Seen from our university: outgoing = we send (the partner receives), incoming = the partner sends."""

    OUTGOING = "outgoing", _("Outgoing (we send)")
    INCOMING = "incoming", _("Incoming (the partner sends)")


class MobilityType(models.TextChoices):
    SEMESTER = "semester", _("Semester study")
    FULL_YEAR = "full_year", _("Full-year study")
    SHORT_PROGRAMME = "short_programme", _("Short programme")
    SUMMER_SCHOOL = "summer_school", _("Summer school")
    TRAINEESHIP = "traineeship", _("Traineeship")
    STAFF_TEACHING = "staff_teaching", _("Staff teaching")
    STAFF_TRAINING = "staff_training", _("Staff training")


STUDENT_MOBILITY_TYPES = (
    MobilityType.SEMESTER,
    MobilityType.FULL_YEAR,
    MobilityType.SHORT_PROGRAMME,
    MobilityType.SUMMER_SCHOOL,
    MobilityType.TRAINEESHIP,
)


class Semester(models.TextChoices):
    """Terms of an academic year (EWP says first/second semester; Chinese universities autumn/spring)."""

    AUTUMN = "autumn", _("Autumn semester")
    SPRING = "spring", _("Spring semester")
    FULL_YEAR = "full_year", _("Full academic year")
    SUMMER = "summer", _("Summer")


class CefrLevel(models.TextChoices):
    """Common European Framework of Reference for Languages (Council of Europe, 2001/2020)."""

    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


CEFR_ORDER = {level: index for index, level in enumerate(CefrLevel.values)}


class CallState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    CLOSED = "closed", _("Closed: selection")
    ALLOCATED = "allocated", _("Places allocated")
    PUBLISHED = "published", _("Results in publicity")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PRE_APPROVED = "pre_approved", _("Approved by the school")
    INELIGIBLE = "ineligible", _("Not eligible")
    OFFERED = "offered", _("Place offered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ACCEPTED = "accepted", _("Place accepted")
    DECLINED = "declined", _("Place declined")
    NOMINATED = "nominated", _("Nominated to the partner")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DocumentKind(models.TextChoices):
    """Documents a call may require and a student uploads."""

    TRANSCRIPT = "transcript", _("Transcript of records")
    LANGUAGE = "language", _("Language certificate")
    MOTIVATION = "motivation", _("Motivation letter")
    PASSPORT = "passport", _("Passport copy")
    CV = "cv", _("CV")
    RECOMMENDATION = "recommendation", _("Letter of recommendation")
    OTHER = "other", _("Other")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Short answer")
    LONG_TEXT = "long_text", _("Long answer")
    YES_NO = "yes_no", _("Yes or no")


class CriterionSource(models.TextChoices):
    """Where a scoring criterion's points come from: reviewers score, or computed from the application."""

    REVIEWERS = "reviewers", _("Scored by reviewers")
    GRADES = "grades", _("Computed from the grade average")
    LANGUAGE = "language", _("Computed from the language level")


class EligibilityOutcome(models.TextChoices):
    PASS = "pass", _("Met")
    FAIL = "fail", _("Not met")
    CHECK = "check", _("To be checked by the school")


class MobilityState(models.TextChoices):
    """One mobility (a nomination, then the stay). Outgoing: nominated → (documents requested →) accepted by
    the partner → in mobility → returned → completed (recognition decided). Incoming: nominated by the partner
    → invited (the student completes the application) → applied → accepted (acceptance letter) → in mobility
    (arrived and registered) → returned → completed (transcript issued)."""

    NOMINATED = "nominated", _("Nominated")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested")
    INVITED = "invited", _("Invited to apply")
    APPLIED = "applied", _("Application completed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("In mobility")
    RETURNED = "returned", _("Returned")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class MobilityFileKind(models.TextChoices):
    TRANSCRIPT = "transcript", _("Transcript of records")
    ACCEPTANCE = "acceptance", _("Acceptance letter")
    NOMINATION = "nomination", _("Nomination letter")
    PASSPORT = "passport", _("Passport copy")
    LANGUAGE = "language", _("Language certificate")
    INSURANCE = "insurance", _("Insurance certificate")
    REGISTRATION = "registration", _("Registration record")
    OTHER = "other", _("Other")


class LearningAgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Signed by the student, awaiting the coordinators")
    APPROVED = "approved", _("Approved by all three parties")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a change")


class LearningAgreementKind(models.TextChoices):
    BEFORE = "before", _("Before the mobility")
    CHANGES = "changes", _("Changes during the mobility")


class ComponentChange(models.TextChoices):
    """How a course row of a change differs from the approved learning agreement (EWP: inserted/deleted)."""

    UNCHANGED = "", _("Unchanged")
    ADDED = "added", _("Added")
    REMOVED = "removed", _("Removed")


class CreditSystem(models.TextChoices):
    ECTS = "ects", _("ECTS credits")
    LOCAL = "local", _("Local credits")
    US = "us", _("US semester credit hours")
    CN = "cn", _("Chinese credits (学分)")


class RecognitionDecision(models.TextChoices):
    PENDING = "pending", _("To be decided")
    RECOGNISED = "recognised", _("Recognised")
    PARTIAL = "partial", _("Partly recognised")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")


class ConversionBasis(models.TextChoices):
    TABLE = "table", _("Agreed conversion table")
    DISTRIBUTION = "distribution", _("Grade distribution (ECTS grading table)")
