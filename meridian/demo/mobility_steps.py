"""Shared steps of the demo's student exchange: taking one step on a day of the story (through the context's
``casework.evaluation_date``, in a savepoint, its refusal noted), dating what the step wrote with that day,
and small files for uploads."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from meridian.demo.visitors_steps import at, message, refusals

logger = logging.getLogger("meridian.demo.mobility")

T = TypeVar("T")

# The times a step leaves behind, by model: the rows a step wrote or changed carry the real time of the build;
# ``Stamp.stamp`` moves them back to the day the story takes the step. Due times are left alone (an approval
# task's is worked out again from its new opening time).
STEP_TIMES: dict[str, tuple[str, ...]] = {
    "workflow.TransitionLog": ("at",),
    "workflow.CaseApproval": ("started_at", "finished_at"),
    "workflow.StepTask": ("acted_at",),
    "core.Activity": ("created_at",),
    "core.Notification": ("created_at",),
    "agreements.Agreement": ("created_at", "updated_at", "state_changed_at"),
    "mobility.Call": ("created_at", "updated_at", "state_changed_at", "published_at", "results_published_at"),
    "mobility.CallReviewer": ("added_at",),
    "mobility.Application": (
        "created_at",
        "updated_at",
        "state_changed_at",
        "submitted_at",
        "eligibility_checked_at",
        "decided_at",
    ),
    "mobility.ApplicationFile": ("uploaded_at",),
    "mobility.Review": ("submitted_at", "updated_at"),
    "mobility.ReviewConflict": ("declared_at",),
    "mobility.AllocationRun": ("ran_at",),
    "mobility.CooperationCondition": ("created_at", "updated_at"),
    "mobility.PartnerFactsheet": ("updated_at",),
    "mobility.Mobility": (
        "created_at",
        "updated_at",
        "state_changed_at",
        "nominated_at",
        "decided_at",
        "invited_at",
        "invitation_used_at",
        "applied_at",
    ),
    "mobility.MobilityFile": ("uploaded_at",),
    "mobility.LearningAgreement": (
        "created_at",
        "updated_at",
        "state_changed_at",
        "student_signed_at",
        "sending_signed_at",
        "receiving_signed_at",
    ),
    "mobility.CourseResult": ("decided_at",),
    "mobility.GradeConversionTable": ("updated_at",),
    "people.Person": ("created_at", "updated_at"),
    "people.IdentityDocument": ("created_at", "updated_at"),
    "people.DataPurpose": ("collected_at",),
    "people.Consent": ("given_at",),
    "people.AccessLog": ("at",),
    "documents.GeneratedDocument": ("created_at",),
    "documents.DocumentEvent": ("at",),
}


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?([\w.]+)"?', re.IGNORECASE)


class Stamp:
    """Dates what one step wrote with the day the step was taken: run the step inside ``recording()``,
    then ``stamp``. Every time written during the step moves back by the same amount, so the step's events
    keep their order and the first falls on ``day`` at ``hour``; approval tasks opened in the step get their
    due time again from their new opening time, and documents generated in the step are issued on ``day``.
    Only the tables the step wrote to are looked at (the statements it ran say which)."""

    def __init__(self) -> None:
        self.started = timezone.now()
        self.tables: set[str] = set()

    @contextmanager
    def recording(self) -> Iterator[None]:
        def record(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
            match = _WRITE.match(sql)
            if match:
                self.tables.add(match.group(1))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            yield

    def stamp(self, day: date, hour: int = 10) -> None:
        from django.apps import apps

        from meridian.documents.models import GeneratedDocument
        from meridian.workflow.chains import due_at
        from meridian.workflow.models import StepTask

        shift = min(at(day, hour) - self.started, timedelta(0))
        if not shift or not self.tables:
            return
        since, written = self.started, self.tables
        if GeneratedDocument._meta.db_table in written:
            GeneratedDocument.objects.filter(created_at__gte=since).update(issued_on=day)
        tasks = []
        if StepTask._meta.db_table in written:
            tasks = list(StepTask.objects.filter(opened_at__gte=since).select_related("step"))
        for label, names in STEP_TIMES.items():
            model = apps.get_model(label)
            if model._meta.db_table in written:
                for name in names:
                    model.objects.filter(**{f"{name}__gte": since}).update(**{name: F(name) + shift})
            history = getattr(model, "history", None)
            if history is not None and history.model._meta.db_table in written:
                rows = history.model.objects.filter(history_date__gte=since)
                rows.update(history_date=F("history_date") + shift)
        for task in tasks:
            if task.opened_at is None:
                continue
            opened = task.opened_at + shift
            due = due_at(opened=opened, amount=task.step.due_amount, unit=task.step.due_unit)
            StepTask.objects.filter(pk=task.pk).update(opened_at=opened, due_at=due)


class Steps:
    """Takes the story's steps: each on its day (``casework.evaluation_date``), in a savepoint, dated with
    that day afterwards; a step a service refuses is noted ("what — why") and the story goes on without
    it."""

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes

    def take(self, what: str, day: date, step: Callable[[], T], hour: int = 10) -> T | None:
        from meridian.mobility.casework import evaluation_date

        stamp = Stamp()
        try:
            with transaction.atomic(), evaluation_date(day), stamp.recording():
                result = step()
        except refusals() as exc:
            self.notes.append(f"{what} refused — {message(exc)}")
            return None
        stamp.stamp(day, hour)
        return result

    def each(self, items: Iterable[Any], act: Callable[[Any], Any], what: Callable[[Any], str]) -> int:
        """Within a step: ``act`` on each item in its own savepoint, a refusal noted with ``what(item)``;
        returns how many went through."""
        done = 0
        for item in items:
            try:
                with transaction.atomic():
                    act(item)
            except refusals() as exc:
                self.notes.append(f"{what(item)} refused — {message(exc)}")
                continue
            done += 1
        return done


def note_all(notes: list[str]) -> None:
    for line in notes:
        logger.warning("Demo student exchange: %s", line)


# --- files --------------------------------------------------------------------------------------------------


def pdf(name: str, title: str = "Demo document") -> SimpleUploadedFile:
    """A one-page PDF named ``name`` (enough for the content check of uploads)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")[:80]
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj" % number + obj + b"endobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def call_at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware local time on ``day`` (may lie in the future: deadlines)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
