from django.db import models
from django.utils.translation import gettext_lazy as _


class IscedLevel(models.TextChoices):
    BROAD = "broad", _("Broad field")
    NARROW = "narrow", _("Narrow field")
    DETAILED = "detailed", _("Detailed field")


class CefrLevel(models.TextChoices):
    A1 = "A1", _("A1 Breakthrough")
    A2 = "A2", _("A2 Waystage")
    B1 = "B1", _("B1 Threshold")
    B2 = "B2", _("B2 Vantage")
    C1 = "C1", _("C1 Effective operational proficiency")
    C2 = "C2", _("C2 Mastery")


class RegistrySource(models.TextChoices):
    ROR = "ror", _("ROR")
    ECHE = "eche", _("Erasmus charter holders")
    DOMAINS = "domains", _("World universities and domains")


class InstitutionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NameKind(models.TextChoices):
    NAME = "name", _("Name")
    LABEL = "label", _("Name in another language")
    ALIAS = "alias", _("Alias")
    ACRONYM = "acronym", _("Acronym")
