"""Writing and reading the activity stream.

Every entry carries the visibility of its subject and of its content. Each context declares, for each model
whose activity it records, an ``ActivityRule`` in ``registry.activity_rules``: which records' activity a user
may read (the record's own visibility) and which entries are internal (contacts and other personal data,
merges, internal notes, the university's deliberation) and who may read those. Every surface that lists
activity for a user (the dashboard, the activity panels of record pages) reads through
``activity_visibility`` / ``activity_for`` / ``activity_recent``, which turn those rules into one database
condition: no per-row permission check, however large the table.

A model without a rule: the dashboard shows none of its activity, and a record page (which has checked the
record itself) shows its entries except those written ``internal=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import translation

from meridian.core.bulk import insert_objects
from meridian.core.models import Activity
from meridian.core.registry import ALL_VERBS, ActivityRule, registry

NOTHING = Q(pk__in=[])


def activity_rule(model: type[models.Model]) -> ActivityRule | None:
    """The rule registered for `model` (its concrete model), or None when no context declared one."""
    label = model._meta.concrete_model._meta.label_lower
    for rule in registry.activity_rules:
        if rule.model()._meta.concrete_model._meta.label_lower == label:
            return rule
    return None


def activity_is_internal(*, model: type[models.Model], verb: str) -> bool:
    """Whether an entry with `verb` about a record of `model` is internal under the model's rule."""
    rule = activity_rule(model)
    return rule is not None and rule.is_internal_verb(verb)


def activity_record(
    *,
    target: models.Model,
    verb: str,
    message: Callable[[], str] | str,
    actor=None,
    comment: str = "",
    internal: bool = False,
) -> Activity:
    """Record an activity. Give `message` as a callable that builds the translated text: it is rendered in
    English and in Chinese, so every reader sees it in their language whatever the actor's language was.

    The entry is internal (``Activity.internal``) when the caller says so or when the target model's
    ``ActivityRule`` lists `verb` as internal; a caller cannot make an internal verb public."""
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
        internal=internal or activity_is_internal(model=target._meta.model, verb=verb),
    )


def activity_record_bulk(
    *,
    targets: Sequence[models.Model],
    verb: str,
    message: Callable[[models.Model], str],
    actor=None,
    batch_size: int = 1000,
    internal: bool = False,
) -> list[Activity]:
    """Record the same kind of activity for many saved records of one model at once (a bulk import).

    ``message(target)`` builds the translated text for one record; like ``activity_record`` it is rendered in
    English and in Chinese, but the language is switched twice in all rather than twice per record, and the
    rows are written in multi-row INSERTs (``meridian.core.bulk.insert_objects``) in batches of
    ``batch_size``. Gives the same rows as calling
    ``activity_record`` for each target (``internal`` as there). Returns the new activities in the order of
    ``targets``.
    """
    if not targets:
        return []
    with translation.override("en"):
        texts_en = [str(message(target)) for target in targets]
    with translation.override("zh-hans"):
        texts_zh = [str(message(target)) for target in targets]
    content_type = ContentType.objects.get_for_model(targets[0])
    actor = actor if actor is not None and actor.is_authenticated else None
    internal = internal or activity_is_internal(model=type(targets[0]), verb=verb)
    rows = [
        Activity(
            actor=actor,
            verb=verb,
            message=text_en[:500],
            message_zh=text_zh[:500],
            content_type=content_type,
            object_id=target.pk,
            internal=internal,
        )
        for target, text_en, text_zh in zip(targets, texts_en, texts_zh, strict=True)
    ]
    for start in range(0, len(rows), batch_size):
        insert_objects(rows[start : start + batch_size])
    return rows


def _internal_entries(rule: ActivityRule | None) -> Q | None:
    """The condition on Activity rows that marks an entry internal under `rule` (None: every entry)."""
    if rule is not None and rule.internal_verbs == ALL_VERBS:
        return None
    condition = Q(internal=True)
    if rule is not None and rule.internal_verbs:
        condition |= Q(verb__in=list(rule.internal_verbs))
    return condition


def _model_condition(
    user, model: type[models.Model], content_type: ContentType, ids: Iterable[int] | None = None
) -> Q | None:
    """Activity about `model` (about the records `ids` when given) that `user` may read under its rule;
    None when the user may read none of it."""
    rule = activity_rule(model)
    condition = Q(content_type=content_type)
    if ids is not None:
        condition &= Q(object_id__in=list(ids))
    if rule is None and ids is None:
        return None  # no declared visibility: not listed outside its own record's page
    internal = _internal_entries(rule)
    sees = rule.internal_ids(user) if rule is not None else False
    if internal is None and (sees is False or sees is None):
        return None  # every entry is internal and the user reads no internal details
    if rule is not None:
        visible = rule.visible_ids(user)
        if visible is not None:
            condition &= Q(object_id__in=visible)
    if sees is True:
        return condition
    if sees is False or sees is None:
        return None if internal is None else condition & ~internal
    # Internal entries only about the records listed in `sees`.
    if internal is None:
        return condition & Q(object_id__in=sees)
    return condition & (~internal | Q(object_id__in=sees))


def activity_visibility(*, user, models: Iterable[type[models.Model]]) -> Q | None:
    """The condition on Activity rows about any of `models` that `user` may read.

    Per model, from its ``ActivityRule``: entries about records the user may see, minus internal entries
    unless the rule lets the user read the record's internal details. A model without a rule contributes
    nothing. None when the user may read nothing at all (no query is needed).
    """
    model_list = list(models)
    if not model_list:
        return None
    types = ContentType.objects.get_for_models(*model_list)
    parts = [_model_condition(user, model, types[model]) for model in model_list]
    return _any(parts)


def _any(parts: Iterable[Q | None]) -> Q | None:
    condition: Q | None = None
    for part in parts:
        if part is not None:
            condition = part if condition is None else condition | part
    return condition


def activity_for(
    *, targets: dict[type[models.Model], list[int]], user, limit: int = 50
) -> QuerySet[Activity]:
    """Activity about any of the given records that `user` may read, newest first (at most `limit`).

    The caller has checked the records themselves; each model's ``ActivityRule`` still applies (records the
    user may not see, internal entries for readers who may not see the record's internal details), and for
    a model without a rule the entries written ``internal=True`` are left out.
    """
    condition = _any(
        _model_condition(user, model, ContentType.objects.get_for_model(model), ids)
        for model, ids in targets.items()
        if ids
    )
    return Activity.objects.filter(NOTHING if condition is None else condition).select_related(
        "actor", "content_type"
    )[:limit]


# How many of the newest entries the dashboard looks through before widening its search (the last step,
# None, is the whole table: a user who may read very little is still served).
RECENT_WINDOWS: tuple[int | None, ...] = (200, 2_000, 20_000, None)


def activity_recent(*, user, models: Iterable[type[models.Model]], limit: int) -> list[Activity]:
    """The newest `limit` entries about any of `models` that `user` may read (the dashboard's timeline).

    Filtered in the database, without sorting the table: the entries are looked for among the newest 200
    rows (their ids read along the ``(-created_at, -id)`` index, then the rows by primary key), then the
    newest 2,000 and 20,000; only a user who
    may read fewer than `limit` of those has the whole table searched.
    """
    condition = activity_visibility(user=user, models=models)
    if condition is None:
        return []
    rows: list[Activity] = []
    for window in RECENT_WINDOWS:
        readable = Activity.objects.filter(condition)
        if window is not None:
            # The window's ids are read first (along the index), so that the database looks the rows up by
            # primary key: given the subquery, PostgreSQL's planner chose to scan the whole table.
            newest = Activity.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
            readable = readable.filter(pk__in=list(newest[:window]))
        rows = list(readable.order_by("-created_at", "-id").select_related("actor")[:limit])
        if len(rows) >= limit or window is None:
            break
        if not Activity.objects.order_by("-created_at", "-id")[window : window + 1].exists():
            break  # the window held the whole table: there is nothing more to find
    return rows
