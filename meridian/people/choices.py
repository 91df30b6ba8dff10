"""Choices of the people context: kinds of person, gender codes, identity-document types, logged actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonKind(models.TextChoices):
    STAFF = "staff", _("Staff member")
    STUDENT = "student", _("Student")
    GUEST = "guest", _("Visiting guest")
    FOREIGN_EXPERT = "foreign_expert", _("Foreign expert")
    INTERNATIONAL_STUDENT = "international_student", _("International student")


class Gender(models.IntegerChoices):
    """ISO/IEC 5218 codes for the representation of human sexes."""

    NOT_KNOWN = 0, _("Not known")
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")
    NOT_APPLICABLE = 9, _("Not applicable")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    OFFICIAL_PASSPORT = "official_passport", _("Official or service passport")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Travel permit to Hong Kong and Macao")
    TAIWAN_PERMIT = "taiwan_permit", _("Travel permit to Taiwan")
    VISA = "visa", _("Visa")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    WORK_PERMIT = "work_permit", _("Work permit")


# The types a guest may enter on the self-service page (the others are issued to or through the university).
SELF_SERVICE_TYPES = (DocumentType.PASSPORT, DocumentType.HK_MACAO_PERMIT, DocumentType.TAIWAN_PERMIT)


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed (number masked)")
    UNMASK = "unmask", _("Showed the full number")
    DOWNLOAD = "download", _("Downloaded a scan")
    REVIEW_LOG = "review_log", _("Reviewed the access log")
    EXPORT_LOG = "export_log", _("Exported the access log")
