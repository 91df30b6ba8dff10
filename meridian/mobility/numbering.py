"""Case numbers of the student-exchange context: ``<PREFIX>-<year>-<5-digit sequence>``."""

from __future__ import annotations

from django.db import models

CALL = "EXC"
APPLICATION = "EXA"
MOBILITY = "MOB"


def number_next(model: type[models.Model], *, prefix: str, year: int) -> str:
    """The next free number of ``model`` for ``year`` (its ``number`` field; the sequence is zero-padded, so
    the highest number sorts last). Callers save inside a transaction and retry on an ``IntegrityError``."""
    head = f"{prefix}-{year}-"
    last = (
        model.objects.filter(number__startswith=head)  # type: ignore[attr-defined]
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = last[len(head) :] if last else ""
    return f"{head}{(int(tail) if tail.isdigit() else 0) + 1:05d}"
