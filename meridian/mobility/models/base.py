"""Helpers shared by the mobility models."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from meridian.core.storage import private_storage as shared_private_storage


def private_storage() -> Storage:
    """Application and mobility files (transcripts, passports, letters) live outside MEDIA_ROOT and are served
    only through checked views."""
    return shared_private_storage()


def case_log() -> GenericRelation:
    """Every lifecycle move, in the workflow engine's one log for all case types."""
    return GenericRelation(
        "workflow.TransitionLog", content_type_field="content_type", object_id_field="object_id"
    )


def academic_year_label(year: int | None) -> str:
    """``2026`` → ``"2026/2027"``; ``None`` (conditions for the agreement's whole period) → ``""``."""
    return f"{year}/{year + 1}" if year else ""


def validate_month_day(value: str) -> None:
    """A yearly deadline as XML Schema ``gMonthDay`` (``--MM-DD``), as the EWP factsheet writes application
    and nomination deadlines. Raises ``ValidationError``."""
    import datetime

    if not value:
        return
    try:
        if len(value) != 7 or not value.startswith("--"):
            raise ValueError
        datetime.date(2024, int(value[2:4]), int(value[5:7]))  # 2024: a leap year accepts --02-29
    except ValueError as exc:
        raise ValidationError(
            _("Write the day as --MM-DD (for example --03-15 for 15 March)."), code="month_day"
        ) from exc


# --- plausible bounds of the numbers people type ------------------------------------------------------------
# The services check the same ranges with their own messages; the model validators keep any other writer
# (admin, imports, the shell) within them too, and the forms draw their limits from here.

PLACES = (1, 999)  # persons per academic year of a condition, or offered at a destination
MONTHS_PER_PLACE = 12  # a place is at most one academic year abroad (EWP total-months-per-year)
TOTAL_MONTHS = (Decimal(0), Decimal(PLACES[1] * MONTHS_PER_PLACE))  # all places of a condition together
DESTINATION_MONTHS = (Decimal("0.5"), Decimal(24))  # months per person offered in a call
STAY_MONTHS = (Decimal("0.1"), Decimal(24))  # planned length of one mobility
PREFERENCES = (1, 10)  # destinations a student may rank (and so the ranks)
YEARS_OF_STUDY = (1, 8)  # first year of a bachelor's up to the last year of a doctorate
OFFER_DAYS = (1, 60)  # days to accept an offered place
WEIGHT = (Decimal(0), Decimal(100))  # percent of the score
MAX_POINTS = (1, 1000)  # points a criterion gives at most
GRADE_SCALE_MIN = Decimal("0.01")  # a grade scale's maximum is positive
EQF_LEVELS = (5, 8)  # short cycle to doctorate
CREDITS = (Decimal(0), Decimal(60))  # credits of one course
PERCENT = (Decimal(0), Decimal(100))


def bounded(low=None, high=None) -> list:
    """Validators keeping a number within ``low`` … ``high`` (either may be None)."""
    validators: list = []
    if low is not None:
        validators.append(MinValueValidator(low))
    if high is not None:
        validators.append(MaxValueValidator(high))
    return validators
