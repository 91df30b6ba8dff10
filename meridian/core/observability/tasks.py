"""Ids in background tasks: every record a task writes carries its task id, and the request id of the request
that enqueued it.

django-tasks announces each task (``task_enqueued``, ``task_started``, ``task_finished``), in the worker
and in the immediate backend alike. When a task is enqueued during a request, the request id is noted in the
cache under the task id (the worker may be another process, on another server sharing the cache), and an
INFO line ``Task enqueued`` with both ids is written; when the task starts, its task id, its name and that
request id are bound until it finishes.
"""

from __future__ import annotations

import contextlib
import logging
from contextvars import ContextVar, Token
from typing import Any

from django.core.cache import cache
from django_tasks.signals import log_task_started, task_enqueued, task_finished, task_started

from meridian.core.observability.context import request_id_var, task_id_var, task_name_var

logger = logging.getLogger("meridian.tasks")

# How long a queued task remembers the request that enqueued it (seconds): longer than any queue wait.
REQUEST_ID_SECONDS = 7 * 24 * 3600

_bound: dict[str, list[tuple[ContextVar[str | None], Token[str | None]]]] = {}


def request_id_key(task_id: str) -> str:
    """The cache key under which the id of the request that enqueued ``task_id`` is kept."""
    return f"observability:task-request:{task_id}"


def _task_name(task_result: Any) -> str:
    return str(getattr(task_result.task, "module_path", "") or "")


def on_task_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Note the current request id for the task and log the enqueue with both ids."""
    task_id = str(task_result.id)
    request_id = request_id_var.get()
    if request_id:
        with contextlib.suppress(Exception):  # an unreachable cache must never stop an enqueue
            cache.set(request_id_key(task_id), request_id, REQUEST_ID_SECONDS)
    logger.info(
        "Task enqueued: %s",
        _task_name(task_result),
        extra={"task_id": task_id, "task": _task_name(task_result)},
    )


def on_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Bind the task id, its name and the enqueuing request's id (when known) until the task finishes."""
    task_id = str(task_result.id)
    tokens: list[tuple[ContextVar[str | None], Token[str | None]]] = [
        (task_id_var, task_id_var.set(task_id)),
        (task_name_var, task_name_var.set(_task_name(task_result))),
    ]
    if request_id_var.get() is None:
        request_id = None
        with contextlib.suppress(Exception):
            request_id = cache.get(request_id_key(task_id))
        if request_id:
            tokens.append((request_id_var, request_id_var.set(str(request_id))))
    _bound[task_id] = tokens


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Restore the ids bound when the task started (the worker's loop, or the request that ran it inline)."""
    task_id = str(task_result.id)
    for var, token in reversed(_bound.pop(task_id, [])):
        try:
            var.reset(token)
        except ValueError:  # set in another context: clear it rather than leak it into the next task
            var.set(None)
    with contextlib.suppress(Exception):
        cache.delete(request_id_key(task_id))


def connect_task_signals() -> None:
    """Connect the receivers (idempotent). Ours runs before django-tasks' own "Task … RUNNING" line, so that
    line carries the ids too; on finishing, django-tasks' line is written before the ids are unbound."""
    task_enqueued.connect(on_task_enqueued, dispatch_uid="meridian.observability.enqueued")
    task_started.disconnect(log_task_started)
    task_started.connect(on_task_started, dispatch_uid="meridian.observability.started")
    task_started.connect(log_task_started)
    task_finished.connect(on_task_finished, dispatch_uid="meridian.observability.finished")
