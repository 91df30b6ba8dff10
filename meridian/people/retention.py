"""Retention per purpose: delete identity documents and erase person data whose purposes have all ended.

PIPL art. 19 and 47: personal information is kept no longer than its purpose needs and deleted after. Each
document and each person record lists the purposes it was collected for (``DataPurpose``); a purpose keeps
the data ``Purpose.retention_days`` calendar days after it ends (or after collection when no end is known).

- A document is deleted, with its scan files, when every purpose it was collected for has run out.
- A person record is erased (personal fields emptied, change history dropped, consent addresses cleared)
  when it has purposes recorded, all of them ran out, no document is left, and it is not linked to a sign-in
  account (staff and students are kept as long as their account). The row itself stays, so that cases
  citing it keep working; it then reads "Erased person #id".

Every deletion writes an activity entry that names only record ids, types and purposes, never the data.
Running it twice changes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.people.models import Consent, DataPurpose, IdentityDocument, Person


@dataclass
class PurgeReport:
    documents: list[int] = field(default_factory=list)
    scans: int = 0
    people: list[int] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        prefix = "Would delete" if self.dry_run else "Deleted"
        return (
            f"{prefix} {len(self.documents)} identity document(s) with {self.scans} scan(s); "
            f"{'would erase' if self.dry_run else 'erased'} {len(self.people)} person record(s)."
        )


def _expired_groups(rows: list[DataPurpose], today: date) -> dict[int, list[DataPurpose]]:
    groups: dict[int, list[DataPurpose]] = defaultdict(list)
    for row in rows:
        groups[row.document_id or row.person_id].append(row)
    return {key: group for key, group in groups.items() if all(r.keep_until() < today for r in group)}


def _purpose_names(rows: list[DataPurpose]) -> Callable[[], str]:
    return lambda: ", ".join(sorted({str(r.purpose) for r in rows}))


def documents_past_retention(*, today: date) -> dict[int, list[DataPurpose]]:
    """Document id → its purposes, for documents whose every purpose has run out by ``today``."""
    rows = list(DataPurpose.objects.filter(document__isnull=False).select_related("purpose"))
    return _expired_groups(rows, today)


def people_past_retention(
    *, today: date, leaving_documents: Collection[int] = ()
) -> dict[int, list[DataPurpose]]:
    """Person id → purposes, for unlinked, not yet erased people whose person-level purposes all ran out.

    People who still hold a document (other than those in ``leaving_documents``) are kept.
    """
    rows = list(
        DataPurpose.objects.filter(
            document__isnull=True, person__purged_at__isnull=True, person__user__isnull=True
        ).select_related("purpose")
    )
    expired = _expired_groups(rows, today)
    holding = set(
        IdentityDocument.objects.filter(person_id__in=expired)
        .exclude(pk__in=leaving_documents)
        .values_list("person_id", flat=True)
    )
    return {pk: group for pk, group in expired.items() if pk not in holding}


def _delete_document(document: IdentityDocument, purposes: list[DataPurpose]) -> int:
    scans = list(document.scans.all())
    for scan in scans:
        scan.file.delete(save=False)
    person, kind, pk = document.person, document.get_kind_display(), document.pk
    names = _purpose_names(purposes)
    document.delete()
    activity_record(
        target=person,
        verb="purged",
        actor=None,
        message=lambda: (
            _(
                "Identity document #%(id)s (%(kind)s) and %(scans)s scan(s) deleted: "
                "retention ended for %(purposes)s"
            )
            % {"id": pk, "kind": kind, "scans": len(scans), "purposes": names()}
        ),
    )
    return len(scans)


def _erase_person(person_id: int, purposes: list[DataPurpose]) -> None:
    Person.objects.filter(pk=person_id).update(
        family_name="",
        given_name="",
        name_zh="",
        gender=0,
        birth_date=None,
        birth_place="",
        nationality=None,
        member_number="",
        email="",
        phone="",
        self_service_nonce="",
        purged_at=timezone.now(),
    )
    Person.history.filter(id=person_id).delete()
    Consent.objects.filter(person_id=person_id).update(ip_address=None)
    person = Person.objects.get(pk=person_id)
    names = _purpose_names(purposes)
    activity_record(
        target=person,
        verb="purged",
        actor=None,
        message=lambda: _("Personal data erased: retention ended for %(purposes)s") % {"purposes": names()},
    )


def personal_data_purge(
    *, today: date | None = None, dry_run: bool = False, report: Callable[[str], None] | None = None
) -> PurgeReport:
    """Delete documents and erase people past retention (see the module docstring); returns what it did.

    ``dry_run`` only reports. ``today`` defaults to the local date. Each record is handled in its own
    transaction, so one failure leaves the others done and the next run picks it up again.
    """
    today = today or timezone.localdate()
    result = PurgeReport(dry_run=dry_run)
    documents = documents_past_retention(today=today)
    people = people_past_retention(today=today, leaving_documents=set(documents))
    for document in IdentityDocument.objects.filter(pk__in=documents).select_related("person"):
        if dry_run:
            result.scans += document.scans.count()
        else:
            with transaction.atomic():
                result.scans += _delete_document(document, documents[document.pk])
        result.documents.append(document.pk)
        if report:
            report(f"document #{document.pk} of person #{document.person_id}")
    for person_id in sorted(people):
        if not dry_run:
            with transaction.atomic():
                _erase_person(person_id, people[person_id])
        result.people.append(person_id)
        if report:
            report(f"person #{person_id}")
    return result
