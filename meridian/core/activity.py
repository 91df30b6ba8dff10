"""Writing and reading the activity stream."""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import translation

from meridian.core.models import Activity


def activity_record(
    *, target: models.Model, verb: str, message: Callable[[], str] | str, actor=None, comment: str = ""
) -> Activity:
    """Record an activity. Give `message` as a callable that builds the translated text: it is rendered in
    English and in Chinese, so every reader sees it in their language whatever the actor's language was."""
    if callable(message):
        with translation.override("en"):
            text_en = str(message())
        with translation.override("zh-hans"):
            text_zh = str(message())
    else:
        text_en = text_zh = message
    return Activity.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        message=text_en[:500],
        message_zh=text_zh[:500],
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
