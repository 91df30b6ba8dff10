"""Identity-document expiry as deadline clocks, declared as plain data (people sits below clocks).

The clocks app loads this module at start-up: ``CLOCK_RULES`` declares the rule and its default escalation
ladder, ``clock_items(today)`` yields every obligation that should be open today. Its daily sync opens them
(idempotent per person, rule and key) and marks met those no longer yielded: the document was renewed (a
later document of the same type was added), deleted or purged.

The rule: a passport, permit or visa must be renewed before it expires. The clock opens
``DOCUMENT_EXPIRY_NOTICE_DAYS`` (default 180) calendar days before expiry; it is due on the expiry day, or,
for residence and work permits, 30 days earlier, because renewal must be applied for at least a month
before the permit ends (Exit and Entry Administration Law art. 32; see the design note on foreign experts).
A document stays yielded for 60 days after its due day so that an unrenewed document is marked missed, not
met. Titles name the type and date only, never the number.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meridian.people.choices import DocumentType
from meridian.people.models import IdentityDocument
from meridian.people.selectors import identity_documents_expiring

RULE = "people.document_expiry"
RENEW_AHEAD: dict[str, int] = {
    DocumentType.RESIDENCE_PERMIT: 30,
    DocumentType.WORK_PERMIT: 30,
}  # calendar days
KEEP_AFTER_DUE = 60  # calendar days

CLOCK_RULES: list[dict[str, Any]] = [
    {
        "code": RULE,
        "label": _("Identity document expires"),
        "description": _(
            "Opens before a passport, permit or visa expires; due on the expiry day (residence and work "
            "permits: 30 days before, when renewal must be applied for)."
        ),
        # (offset, unit, audience): the holder 90 days ahead, coordinators 30, the office 10 working days.
        "ladder": [(-90, "days", "responsible"), (-30, "days", "unit"), (-10, "working_days", "office")],
        "grace_days": 0,
        "met_note": "Renewed, replaced or removed.",
    }
]


def due_on(document: IdentityDocument) -> date:
    """The day by which the document must be renewed."""
    return document.expiry_date - timedelta(days=RENEW_AHEAD.get(document.kind, 0))


def _renewed(documents: list[IdentityDocument]) -> set[int]:
    """Ids of documents superseded by a later-expiring one of the same type held by the same person."""
    latest: dict[tuple[int, str], date] = {}
    for d in IdentityDocument.objects.filter(person_id__in={d.person_id for d in documents}).only(
        "person_id", "kind", "expiry_date"
    ):
        key = (d.person_id, d.kind)
        latest[key] = max(latest.get(key, d.expiry_date), d.expiry_date)
    return {d.pk for d in documents if latest.get((d.person_id, d.kind), d.expiry_date) > d.expiry_date}


def clock_items(today: date) -> Iterator[dict[str, Any]]:
    """Every document-expiry obligation that should be open on ``today`` (see the module docstring)."""
    window = timedelta(days=settings.DOCUMENT_EXPIRY_NOTICE_DAYS)
    earliest = today - timedelta(days=KEEP_AFTER_DUE)
    documents = list(identity_documents_expiring(before=today + window + timedelta(days=1), today=earliest))
    superseded = _renewed(documents)
    for document in documents:
        if document.pk in superseded:
            continue
        yield {
            "rule": RULE,
            "subject": document.person,
            "key": f"{document.pk}:{document.expiry_date.isoformat()}",
            "due_on": due_on(document),
            "title": lambda d=document: (
                gettext("%(type)s expires on %(date)s")
                % {"type": d.get_kind_display(), "date": d.expiry_date.isoformat()}
            ),
            "responsible": document.person.user,
            "unit": document.person.unit,
        }
