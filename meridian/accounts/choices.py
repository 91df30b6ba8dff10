from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    SCHOOL = "school", _("School / college")
    DEPARTMENT = "department", _("Department")
    OFFICE = "office", _("Office")


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    OFFICER = "officer", _("International Office officer")
    COORDINATOR = "coordinator", _("Unit coordinator")
    STAFF = "staff", _("Staff member")
    STUDENT = "student", _("Student")
    LEADERSHIP = "leadership", _("Leadership viewer")
    PARTNER_CONTACT = "partner_contact", _("Partner contact")


class GrantAction(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REVOKED = "revoked", _("Revoked")
