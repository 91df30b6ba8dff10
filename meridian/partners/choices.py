from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerType(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    ENTERPRISE = "enterprise", _("Enterprise")
    GOVERNMENT = "government", _("Government body")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    FOUNDATION = "foundation", _("Foundation / NGO")
    HOSPITAL = "hospital", _("Hospital")
    OTHER = "other", _("Other")


class RelationshipStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    FORMER = "former", _("Former")


class PartnerUnitKind(models.TextChoices):
    FACULTY = "faculty", _("Faculty / school")
    DEPARTMENT = "department", _("Department")
    INSTITUTE = "institute", _("Institute / centre")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class ContactLanguage(models.TextChoices):
    EN = "en", _("English")
    ZH = "zh", _("Chinese")
    FR = "fr", _("French")
    DE = "de", _("German")
    RU = "ru", _("Russian")
    JA = "ja", _("Japanese")
    KO = "ko", _("Korean")
    ES = "es", _("Spanish")
    OTHER = "other", _("Other")


class PortalRole(models.TextChoices):
    """What a partner contact with a sign-in account may do in the partner portal."""

    COORDINATOR = "coordinator", _("Exchange coordinator (acts for the partner)")
    VIEWER = "viewer", _("Viewer (reads only)")
