"""Reads of foreign experts' hiring cases, restricted to what the reader may see
(``permissions.expert_visibility_filter``) and joined for a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, QuerySet

from meridian.visitors.choices import ExpertState
from meridian.visitors.models import ExpertChange, ExpertDocument, ExpertHiring

ACTIVE_STATES = tuple(s for s in ExpertState.values if s not in (ExpertState.LEFT, ExpertState.CANCELLED))


def expert_list(*, user) -> QuerySet[ExpertHiring]:
    """Every hiring case ``user`` may see, newest contract first, with person, nationality, unit and member of
    staff joined."""
    return ExpertHiring.objects.visible_to(user).select_related(
        "person", "person__nationality", "host_unit", "supervisor"
    )


def expert_get(*, user, pk: int) -> ExpertHiring | None:
    """One hiring case ``user`` may see, or None (the page answers 404)."""
    return expert_list(user=user).filter(pk=pk).first()


def expiring_within(queryset: QuerySet[ExpertHiring], days: int, *, today: date) -> QuerySet[ExpertHiring]:
    """Open cases whose contract, work permit or residence permit ends between ``today`` and ``days``
    calendar days later (both ends included)."""
    until = today + timedelta(days=days)
    window = (
        Q(contract_ends_on__range=(today, until))
        | Q(permit_expires_on__range=(today, until))
        | Q(residence_permit_expires_on__range=(today, until))
    )
    return queryset.filter(window, state__in=ACTIVE_STATES)


def expert_documents(hiring: ExpertHiring) -> QuerySet[ExpertDocument]:
    """The case's documents, newest first per kind, with the uploader joined."""
    return hiring.documents.select_related("uploaded_by").order_by("kind", "-uploaded_at", "-pk")


def expert_changes(hiring: ExpertHiring) -> QuerySet[ExpertChange]:
    """The reported changes of the case, latest first."""
    return hiring.changes.select_related("created_by").order_by("-happened_on", "-pk")
