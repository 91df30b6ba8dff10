from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementType(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding / framework agreement")
    STUDENT_EXCHANGE = "student_exchange", _("Student exchange")
    STAFF_EXCHANGE = "staff_exchange", _("Staff exchange")
    JOINT_EDUCATION = "joint_education", _("Joint education programme")
    RESEARCH = "research", _("Research cooperation")
    JOINT_LAB = "joint_lab", _("Joint laboratory or R&D centre")
    ADVANCED_TRAINING = "advanced_training", _("Advanced training")
    CONFERENCE = "conference", _("International conference cooperation")
    GOVERNMENT = "government", _("Government-level cooperation")
    ERASMUS_IIA = "erasmus_iia", _("Erasmus+ inter-institutional agreement")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    ADVANCED_TRAINING = "advanced_training", _("Advanced training")
    RESEARCH = "research", _("Research cooperation")
    STUDENT_EXCHANGE = "student_exchange", _("Student exchange")
    STAFF_EXCHANGE = "staff_exchange", _("Teaching-staff exchange")
    JOINT_EDUCATION = "joint_education", _("Joint education")
    CONFERENCE = "conference", _("Conference cooperation")
    GOVERNMENT = "government", _("Government cooperation")
    JOINT_LAB = "joint_lab", _("Joint lab / R&D centre")
    CULTURAL = "cultural", _("Cultural exchange")
    RECRUITMENT = "recruitment", _("International student recruitment")


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active (signed)")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    RENEWED = "renewed", _("Renewed")


class Side(models.TextChoices):
    HOME = "home", _("Our university")
    PARTNER = "partner", _("Partner")


class DocumentKind(models.TextChoices):
    SIGNED = "signed", _("Signed copy")
    DRAFT = "draft", _("Draft")
    ANNEX = "annex", _("Annex")


class ReminderKind(models.TextChoices):
    DAYS_180 = "180", _("180 days before the end")
    DAYS_90 = "90", _("90 days before the end")
    DAYS_30 = "30", _("30 days before the end")
    EXPIRED = "expired", _("On expiry")
