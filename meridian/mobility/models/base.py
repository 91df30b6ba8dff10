"""Helpers shared by the mobility models."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext_lazy as _


def private_storage() -> FileSystemStorage:
    """Application and mobility files (transcripts, passports, letters) live outside MEDIA_ROOT and are served
    only through checked views."""
    return FileSystemStorage(location=settings.PRIVATE_STORAGE_ROOT, base_url=None)


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
