"""Shared steps of the demo visitors' stories: which refusals of a service the story notes instead of failing,
local times of a day, dating what a step wrote with the day it was taken, and a small photo."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from meridian.core.errors import DomainError

OFFICER = "demo-officer"  # the International Office officer who issues, locks and reviews


def refusals() -> tuple[type[BaseException], ...]:
    from meridian.core.errors import PermissionDeniedError, TransitionError

    return (DomainError, ValidationError, PermissionDeniedError, TransitionError, KeyError, ValueError)


def message(exc: BaseException) -> str:
    return getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [])) or str(exc)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` local time, never later than now."""
    return min(timezone.make_aware(datetime.combine(day, time(hour, minute))), timezone.now())


@contextmanager
def quiet_pdf_progress() -> Iterator[None]:
    """The PDF renderer logs each step of each letter at INFO: keep the demo command's output readable."""
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        progress.setLevel(level)


def png(index: int = 0) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (60 + 50 * index, 120, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile(f"visit-{index}.png", buffer.getvalue(), content_type="image/png")


# The times a step of the demo leaves behind, by model: the rows a step wrote or changed carry the real time
# of the build; ``Marks.stamp`` moves them back to the day the story takes the step. Due times are not listed:
# a step task's is worked out again from its new opening time, an obligation's follows the event it counts
# from (which the story gives).
STEP_TIMES: dict[str, tuple[str, ...]] = {
    "workflow.TransitionLog": ("at",),
    "workflow.CaseApproval": ("started_at", "finished_at"),
    "workflow.StepTask": ("acted_at",),
    "core.Activity": ("created_at",),
    "core.Notification": ("created_at",),
    "visitors.Visit": (
        "created_at",
        "updated_at",
        "state_changed_at",
        "rules_checked_at",
        "note_submitted_at",
    ),
    "visitors.VisitGuest": ("link_sent_at", "submitted_at", "locked_at"),
    "visitors.GuestFile": ("uploaded_at",),
    "visitors.VisitFile": ("uploaded_at",),
    "visitors.AccommodationRegistration": ("created_at",),
    "visitors.ExpertHiring": ("created_at", "updated_at", "state_changed_at"),
    "visitors.ExpertDocument": ("uploaded_at",),
    "visitors.ExpertChange": ("created_at",),
    "people.Person": ("created_at", "updated_at"),
    "people.IdentityDocument": ("created_at", "updated_at"),
    "people.DocumentScan": ("uploaded_at",),
    "people.DataPurpose": ("collected_at",),
    "people.Consent": ("given_at",),
    "people.AccessLog": ("at",),
    "documents.GeneratedDocument": ("created_at",),
    "documents.DocumentEvent": ("at",),
    "clocks.Obligation": ("opened_at", "closed_at"),
    "clocks.ObligationEvent": ("at",),
}


class Marks:
    """Dates what a step wrote (log entries, activities, notifications, the state's change, approval tasks,
    guests' data, consents, documents, clocks…: ``STEP_TIMES``) with the day the step was taken: take the
    marks before the step, ``stamp`` after it.

    Every time written during the step moves back by the same amount, so the step's events keep their order
    and the first of them falls on ``day`` at ``hour``; the opened approval tasks get their due time again
    from their new opening time, and documents generated in the step are issued on ``day`` (the platform
    dates them with the real day)."""

    def __init__(self) -> None:
        self.started = timezone.now()

    def shift(self, day: date, hour: int = 10) -> timedelta:
        """How far the step's times move back (never forward: a step on today keeps the real times)."""
        return min(at(day, hour) - self.started, timedelta(0))

    def stamp(self, case: Any, day: date, hour: int = 10) -> None:
        from django.apps import apps

        from meridian.documents.models import GeneratedDocument
        from meridian.workflow.chains import due_at
        from meridian.workflow.models import StepTask

        shift = self.shift(day, hour)
        since = self.started
        # Documents first: their creation time is the mark of the step's documents.
        GeneratedDocument.objects.filter(created_at__gte=since).update(issued_on=day)
        tasks = list(StepTask.objects.filter(opened_at__gte=since).select_related("step"))
        for label, names in STEP_TIMES.items():
            model = apps.get_model(label)
            for name in names:
                model.objects.filter(**{f"{name}__gte": since}).update(**{name: F(name) + shift})
            history = getattr(model, "history", None)
            if history is not None:
                stamped = history.model.objects.filter(history_date__gte=since)
                stamped.update(history_date=F("history_date") + shift)
        for task in tasks:
            if task.opened_at is None:  # not opened in the step after all
                continue
            opened = task.opened_at + shift
            due = due_at(opened=opened, amount=task.step.due_amount, unit=task.step.due_unit)
            StepTask.objects.filter(pk=task.pk).update(opened_at=opened, due_at=due)
        if case is not None:
            case.refresh_from_db()
