"""Bulk writes: one cache-invalidation signal per changed model instead of one per saved record.

Receivers that invalidate caches on every ``post_save`` (the portal's figures stamp, for example) ask
``change_deferred(model)`` first: inside ``one_signal_per_model()`` the change is only noted, and when the
block ends without an error ``records_changed`` is sent once per noted model. A bulk service that writes with
``bulk_create`` (which sends no ``post_save``) calls ``records_changed_in_bulk(model)`` itself.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connections, models, router
from django.db.models.signals import ModelSignal
from django.dispatch import Signal
from django.utils import timezone

# Sent with ``sender=<model class>`` after records of that model were created, changed or deleted in bulk.
records_changed = Signal()
# Sent with ``sender=<model class>`` and ``records=<the changed instances>`` after a bulk service changed
# existing records without ``save()`` (so without ``post_save``): receivers that follow changes of single
# records (a search column of another table, for example) follow these.
records_updated = ModelSignal(use_caching=True)


class BulkRowError(Exception):
    """A bulk service refused one item: ``row`` is the key the caller gave it (an import's row number in the
    file), ``error`` the service's own error (ValidationError, DuplicateError, ...)."""

    def __init__(self, row: int, error: Exception) -> None:
        super().__init__(f"row {row}: {error}")
        self.row = row
        self.error = error


_deferred: ContextVar[set[type[models.Model]] | None] = ContextVar("deferred_change_signals", default=None)


@contextmanager
def one_signal_per_model() -> Iterator[None]:
    """Inside the block per-record invalidation waits; on leaving it ``records_changed`` goes once per model.

    Use it inside the transaction that writes, so that the invalidation commits (or rolls back) with the data.
    When the block raises, nothing is sent (the caller's transaction is being rolled back). Nested blocks
    send at the outermost one.
    """
    if _deferred.get() is not None:
        yield
        return
    noted: set[type[models.Model]] = set()
    token = _deferred.set(noted)
    try:
        yield
    finally:
        _deferred.reset(token)
    for model in sorted(noted, key=lambda m: m._meta.label):
        records_changed.send(sender=model)


def change_deferred(model: type[models.Model]) -> bool:
    """True when a change of ``model`` is noted for later (inside ``one_signal_per_model``): skip it now."""
    noted = _deferred.get()
    if noted is None:
        return False
    noted.add(model)
    return True


def records_changed_in_bulk(model: type[models.Model]) -> None:
    """Announce that records of ``model`` changed without ``post_save`` (``bulk_create``, ``update``)."""
    if not change_deferred(model):
        records_changed.send(sender=model)


# Field classes whose Python values go to the database as they are (str, int, bool or None).
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.ForeignKey,
)
# Values a plain column passes to the driver as they are; anything else (a FieldFile in a history table's
# text column, a lazy translation) is converted by its field.
_PLAIN_VALUES = frozenset({str, int, bool, float})


def _db_value(field: models.Field, converter: models.Field | None, value: Any, connection: Any) -> Any:
    if value is None or (converter is None and type(value) in _PLAIN_VALUES):
        return value
    return field.get_db_prep_save(value, connection=connection)


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, returning_pk: bool = False
) -> list[Any]:
    """INSERT ``rows`` (``{attname: value}`` each; a column left out takes the field's default, evaluated
    once) into ``model``'s table in multi-row statements; returns the new primary keys in order when
    ``returning_pk``.

    The values are converted as ``bulk_create`` converts them (``get_db_prep_save``) except for plain text,
    number, boolean and foreign-key columns, which the database driver takes as they are: the same rows as
    ``bulk_create`` without building a model instance and compiling every value, which is most of the time
    of a large import's write transaction. Sends no signals and fills no ``auto_now`` field by itself (give
    the value). Like ``bulk_create`` it relies on the database returning new keys in insertion order.
    """
    if not rows:
        return []
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [f for f in opts.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    quote = connection.ops.quote_name
    convert = [None if isinstance(f, _PLAIN_FIELDS) else f for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    limit = connection.features.max_query_params or 65535
    per_statement = max(1, min(500, limit // len(fields)))
    table = quote(opts.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = f" RETURNING {quote(opts.pk.column)}" if returning_pk else ""
    keys: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                for field, converter in zip(fields, convert, strict=True):
                    value = row.get(field.attname, defaults[field.attname])
                    params.append(_db_value(field, converter, value, connection))
            values = ", ".join([placeholder] * len(chunk))
            # Table and column names come from the model, never from input; the values are parameters.
            statement = f"INSERT INTO {table} ({columns}) VALUES {values}{returning}"  # noqa: S608
            cursor.execute(statement, params)
            if returning_pk:
                keys.extend(row[0] for row in cursor.fetchall())
    return keys


def insert_objects(objs: Sequence[models.Model]) -> None:
    """INSERT unsaved instances of one model with ``insert_rows`` and give them their primary keys.

    ``auto_now``/``auto_now_add`` fields get one common timestamp; no signals are sent (see ``insert_rows``).
    """
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    now = timezone.now()
    stamped = [
        f.attname
        for f in opts.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    attnames = [
        f.attname for f in opts.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    rows = []
    for obj in objs:
        for name in stamped:
            setattr(obj, name, now)
        rows.append({name: getattr(obj, name) for name in attnames})
    keys = insert_rows(model, rows, returning_pk=True)
    db = router.db_for_write(model)
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = db


def records_updated_in_bulk(model: type[models.Model], records: Sequence[models.Model]) -> None:
    """Tell receivers of ``records_updated`` that these existing records of ``model`` were changed in bulk."""
    if records:
        records_updated.send(sender=model, records=list(records))


def update_rows(
    model: type[models.Model], attnames: Sequence[str], rows: Sequence[tuple[Any, Sequence[Any]]]
) -> None:
    """UPDATE ``model``'s table: for each ``(pk, values)`` set the columns of ``attnames`` to ``values``.

    One prepared statement run for every row (``executemany``), values converted as ``save()`` converts them
    (``get_db_prep_save``) except plain text, number, boolean and foreign-key columns (see ``insert_rows``).
    Sends no signals and fills no ``auto_now`` field (give the value).
    """
    if not rows:
        return
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    by_attname = {f.attname: f for f in opts.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    convert = [None if isinstance(f, _PLAIN_FIELDS) else f for f in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    # Table and column names come from the model, never from input; the values are parameters.
    statement = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s"  # noqa: S608
    params = []
    for pk, values in rows:
        row = [
            _db_value(field, converter, value, connection)
            for field, converter, value in zip(fields, convert, values, strict=True)
        ]
        row.append(pk)
        params.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)


@functools.cache
def _construction(model: type[models.Model]) -> tuple[list[tuple[Any, ...]], frozenset[str]]:
    """Per concrete field: (field, name, attname, relation?, callable default?, constant default)."""
    steps = []
    for field in model._meta.concrete_fields:
        call_default = field.has_default() and callable(field.default)
        constant = None if call_default else field.get_default()
        steps.append((field, field.name, field.attname, field.is_relation, call_default, constant))
    names = frozenset(f.name for f in model._meta.concrete_fields) | {
        f.attname for f in model._meta.concrete_fields
    }
    return steps, names


def new_instance(model: type[models.Model], values: dict[str, Any]) -> models.Model:
    """``model(**values)`` for values of concrete fields (by name or attname; a relation by name takes the
    related instance), built through Django's positional constructor: the same instance (values, defaults,
    related instances cached as the descriptor caches them, ``pre_init``/``post_init`` sent) at a fraction
    of the cost, for imports that build one instance per row. Raises TypeError for a name that is no
    concrete field of ``model`` (as the constructor does).
    """
    steps, names = _construction(model)
    unknown = set(values) - names
    if unknown:
        raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    args = []
    related: list[tuple[Any, models.Model]] = []
    for field, name, attname, is_relation, call_default, constant in steps:
        if attname in values:
            value = values[attname]
        elif name in values:
            value = values[name]
            if is_relation:
                related.append((field, value))
                value = None if value is None else getattr(value, field.target_field.attname)
        else:
            value = field.get_default() if call_default else constant
        args.append(value)
    instance = model(*args)
    for field, value in related:
        field.set_cached_value(instance, value)
    return instance
