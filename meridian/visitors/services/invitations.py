"""Issuing a visit's visa invitation: its number, its date and the invitation letters.

Called by the ``issue_invitation`` move of a visit (``casework.py``), inside the move's transaction, after the
visit has become "invitation issued".
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from meridian.visitors.models import Visit

INVITATION_PREFIX = "INV"


def invitation_number_next(*, year: int) -> str:
    """The next free invitation number of ``year``: ``INV-<year>-<4-digit sequence>`` (0001, 0002, …)."""
    prefix = f"{INVITATION_PREFIX}-{year}-"
    highest = 0
    for number in Visit.objects.filter(invitation_number__startswith=prefix).values_list(
        "invitation_number", flat=True
    ):
        tail = number[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


def _assign_number(visit: Visit) -> None:
    """Give ``visit`` the next invitation number and today's date (``casework.today()``).

    The database keeps invitation numbers unique (constraint ``unique_visit_invitation_number``): when a
    concurrent issue took the same number, the insert fails inside a savepoint and the next one is tried.
    """
    from meridian.visitors.casework import today

    issued_on = today()
    for _attempt in range(20):
        number = invitation_number_next(year=issued_on.year)
        try:
            visit.invitation_number, visit.invitation_issued_on = number, issued_on
            with transaction.atomic():
                visit.save(update_fields=["invitation_number", "invitation_issued_on"])
        except IntegrityError:
            visit.invitation_number, visit.invitation_issued_on = "", None
            continue
        return
    raise IntegrityError("No free invitation number could be reserved.")


def invitation_record_issue(*, visit: Visit, actor: Any) -> None:
    """Record that the invitation of ``visit`` is issued: assign ``invitation_number`` (``INV-<year>-<seq>``,
    unique, see ``invitation_number_next``) and ``invitation_issued_on`` (``casework.today()``) unless it has
    them, then generate the invitation letters (English and Chinese, plus the guests' language where a
    template exists: ``documents.letter_codes``) so they are attached to the case.

    Idempotent: a second call keeps the number and date and generates only letters that are missing (a
    revoked letter counts as missing). ``actor`` None (the system) records the number and date only; the
    letters are then generated from the visit's documents panel. Raises what ``visit_document_generate``
    raises (the move is then undone with it).
    """
    from meridian.documents.models import GeneratedDocument
    from meridian.visitors.documents import letter_codes, visit_document_generate

    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.invitation_number:
            visit.invitation_number, visit.invitation_issued_on = (
                locked.invitation_number,
                locked.invitation_issued_on,
            )
        else:
            _assign_number(visit)
        if actor is None:
            return
        existing = set(
            GeneratedDocument.objects.for_subject(locked)
            .filter(revoked_at__isnull=True)
            .values_list("template__code", flat=True)
        )
        for code in letter_codes(locked):
            if code not in existing:
                visit_document_generate(visit=locked, template_code=code, actor=actor)
