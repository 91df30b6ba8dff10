"""Writing and reading the activity stream."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from meridian.core.models import Activity


def activity_record(
    *, target: models.Model, verb: str, message: str, actor=None, comment: str = ""
) -> Activity:
    return Activity.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        message=message[:500],
        comment=comment,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
    )


def activity_for(*, targets: dict[type[models.Model], list[int]], limit: int = 50) -> QuerySet[Activity]:
    """Activity about any of the given records, newest first."""
    condition = Q(pk__in=[])
    for model, ids in targets.items():
        if ids:
            condition |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    return Activity.objects.filter(condition).select_related("actor", "content_type")[:limit]
