"""Reads of person records, identity documents and the access log, restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from meridian.core.activity import activity_for
from meridian.core.text import clean_spaces
from meridian.people import permissions
from meridian.people.models import AccessLog, Consent, DataPurpose, IdentityDocument, Person


def person_list(*, user) -> QuerySet[Person]:
    """People the user may see, with nationality and unit loaded (a fixed number of queries per page)."""
    return Person.objects.visible_to(user).select_related("nationality", "unit")


def person_search(queryset: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Every word of ``query`` must occur in the Latin family or given name or the Chinese name.

    "zhang san", "San Zhang" and "张三" all find 张三 (ZHANG San); a query without spaces also matches the
    Chinese name as a whole.
    """
    for word in clean_spaces(query).split():
        queryset = queryset.filter(
            Q(family_name__icontains=word) | Q(given_name__icontains=word) | Q(name_zh__icontains=word)
        )
    return queryset


def person_get(*, user, pk: int) -> Person:
    """The person if the user may see them; raises ``Person.DoesNotExist`` otherwise (views answer 404)."""
    return person_list(user=user).get(pk=pk)


def identity_documents_for(*, user, person: Person) -> list[IdentityDocument]:
    """The person's documents with their scans and purposes, or [] when the user may not see documents."""
    if not permissions.can_view_documents(user, person):
        return []
    return list(
        person.documents.prefetch_related("scans", "purposes__purpose").select_related("issuing_country")
    )


def identity_document_get(*, user, person: Person, pk: int) -> IdentityDocument:
    """One document of ``person`` the user may see; raises ``IdentityDocument.DoesNotExist`` otherwise."""
    if not permissions.can_view_documents(user, person):
        raise IdentityDocument.DoesNotExist
    return IdentityDocument.objects.select_related("person").get(pk=pk, person=person)


def identity_documents_expiring(*, before: date, today: date | None = None) -> QuerySet[IdentityDocument]:
    """Documents of people not erased that are still valid today and expire before ``before``.

    For deadline clocks and reminders: ordered by expiry date, with person, unit and account loaded. This
    is not restricted to a user; callers show the result only through the permission-checked pages.
    """
    today = today or timezone.localdate()
    return (
        IdentityDocument.objects.filter(
            expiry_date__gte=today, expiry_date__lt=before, person__purged_at__isnull=True
        )
        .select_related("person", "person__unit", "person__user")
        .order_by("expiry_date", "pk")
    )


@dataclass
class PersonDetail:
    documents: list[IdentityDocument] = field(default_factory=list)
    purposes: list[DataPurpose] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    activity: list = field(default_factory=list)
    can_edit: bool = False
    can_view_documents: bool = False
    can_manage_documents: bool = False
    can_issue_link: bool = False


def person_detail(*, user, person: Person) -> PersonDetail:
    can_view = permissions.can_view_documents(user, person)
    return PersonDetail(
        documents=identity_documents_for(user=user, person=person),
        purposes=list(person.purposes.filter(document__isnull=True).select_related("purpose")),
        consents=list(person.consents.select_related("purpose")) if can_view else [],
        activity=list(activity_for(targets={Person: [person.pk]}, user=user, limit=30)),
        can_edit=permissions.can_edit_person(user, person),
        can_view_documents=can_view,
        can_manage_documents=permissions.can_manage_documents(user, person),
        can_issue_link=permissions.can_issue_self_service_link(user, person),
    )


def access_log_list(*, user) -> QuerySet[AccessLog]:
    """Every access-log entry, newest first, for administrators; nothing for anyone else."""
    if not permissions.can_review_access_log(user):
        return AccessLog.objects.none()
    return AccessLog.objects.select_related("user", "person")
