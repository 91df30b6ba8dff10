"""Reads of deadline clocks, restricted to what the reader may see, joined for a fixed query count."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, QuerySet
from django.utils import timezone

from meridian.clocks.choices import ObligationState
from meridian.clocks.models import Obligation
from meridian.clocks.permissions import obligation_visibility_filter


def obligation_list(*, user) -> QuerySet[Obligation]:
    """Every obligation ``user`` may see (any state), soonest due first, with person and unit joined."""
    rows = Obligation.objects.select_related("responsible", "unit")
    condition = obligation_visibility_filter(user)
    if condition is not None:
        rows = rows.filter(condition)
    return rows.order_by("due_at", "id")


def obligation_get(*, user, pk: int) -> Obligation | None:
    """One obligation ``user`` may see, or ``None`` (the view answers 404)."""
    return obligation_list(user=user).filter(pk=pk).first()


def obligations_open_for(subject: models.Model) -> QuerySet[Obligation]:
    """Open obligations on ``subject`` (any case or person), soonest due first."""
    return (
        Obligation.objects.filter(
            content_type=ContentType.objects.get_for_model(subject),
            object_id=subject.pk,
            state=ObligationState.OPEN,
        )
        .select_related("responsible", "unit")
        .order_by("due_at", "id")
    )


def obligations_for_subjects(model: type[models.Model], ids: list[int]) -> QuerySet[Obligation]:
    """Open obligations on any of the given records of ``model``, soonest due first."""
    return Obligation.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids, state=ObligationState.OPEN
    ).order_by("due_at", "id")


def obligation_overdue_count(*, user, now: datetime | None = None) -> int:
    """Open obligations ``user`` may see that are past due (one indexed range count)."""
    now = now or timezone.now()
    return obligation_list(user=user).filter(state=ObligationState.OPEN, due_at__lte=now).order_by().count()


def obligation_counts(*, user, now: datetime | None = None) -> dict[str, int]:
    """Open obligations ``user`` may see: ``overdue`` (past due) and ``week`` (due within the next 7 days).

    Two range counts on the (state, due) index rather than one pass over every open row.
    """
    now = now or timezone.now()
    rows = obligation_list(user=user).filter(state=ObligationState.OPEN).order_by()
    return {
        "overdue": rows.filter(due_at__lte=now).count(),
        "week": rows.filter(due_at__gt=now, due_at__lte=now + timedelta(days=7)).count(),
    }


def obligation_open_counts_by_rule(*, now: datetime | None = None) -> dict[str, tuple[int, int]]:
    """Every open obligation, whoever may see it, by rule: ``{rule: (open, overdue)}`` where ``overdue``
    counts those past due at ``now`` (default: the current time). One grouped count on the state index; for
    monitoring, not for display to a user."""
    now = now or timezone.now()
    rows = (
        Obligation.objects.filter(state=ObligationState.OPEN)
        .order_by()
        .values("rule")
        .annotate(open=Count("id"), overdue=Count("id", filter=models.Q(due_at__lte=now)))
    )
    return {row["rule"]: (row["open"], row["overdue"]) for row in rows}
