"""Writing and reading the activity stream."""

from collections.abc import Callable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import translation

from meridian.core.bulk import insert_objects
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


def activity_record_bulk(
    *,
    targets: Sequence[models.Model],
    verb: str,
    message: Callable[[models.Model], str],
    actor=None,
    batch_size: int = 1000,
) -> list[Activity]:
    """Record the same kind of activity for many saved records of one model at once (a bulk import).

    ``message(target)`` builds the translated text for one record; like ``activity_record`` it is rendered in
    English and in Chinese, but the language is switched twice in all rather than twice per record, and the
    rows are written in multi-row INSERTs (``meridian.core.bulk.insert_objects``) in batches of
    ``batch_size``. Gives the same rows as calling
    ``activity_record`` for each target. Returns the new activities in the order of ``targets``.
    """
    if not targets:
        return []
    with translation.override("en"):
        texts_en = [str(message(target)) for target in targets]
    with translation.override("zh-hans"):
        texts_zh = [str(message(target)) for target in targets]
    content_type = ContentType.objects.get_for_model(targets[0])
    actor = actor if actor is not None and actor.is_authenticated else None
    rows = [
        Activity(
            actor=actor,
            verb=verb,
            message=text_en[:500],
            message_zh=text_zh[:500],
            content_type=content_type,
            object_id=target.pk,
        )
        for target, text_en, text_zh in zip(targets, texts_en, texts_zh, strict=True)
    ]
    for start in range(0, len(rows), batch_size):
        insert_objects(rows[start : start + batch_size])
    return rows


def activity_for(*, targets: dict[type[models.Model], list[int]], limit: int = 50) -> QuerySet[Activity]:
    """Activity about any of the given records, newest first."""
    condition = Q(pk__in=[])
    for model, ids in targets.items():
        if ids:
            condition |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    return Activity.objects.filter(condition).select_related("actor", "content_type")[:limit]
