from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ObligationState(models.TextChoices):
    OPEN = "open", pgettext_lazy("deadline state", "Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    WAIVED = "waived", _("Waived")


class DueUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")


class Audience(models.TextChoices):
    """Who a ladder step reaches, in the order a clock escalates."""

    RESPONSIBLE = "responsible", _("Responsible person")
    UNIT = "unit", _("Unit coordinators")
    OFFICE = "office", _("International Office")


class EventKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder sent")
    ESCALATION = "escalation", _("Escalation sent")
    NOTICE = "notice", _("Notice sent")
    SKIPPED = "skipped", _("Superseded by a later step")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    WAIVED = "waived", _("Waived")


class CalendarDayKind(models.TextChoices):
    CLOSURE = "closure", _("Site closure (not a working day)")
    WORKING = "working", _("Extra working day")
