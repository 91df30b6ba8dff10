"""The ids of the work in progress: the request being answered, the background task being run.

Context variables rather than thread locals, so that each request or task sees only its own ids whatever runs
it (a gunicorn thread, the worker's loop, a task run inline by the immediate backend during a request).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("meridian_request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("meridian_task_id", default=None)
task_name_var: ContextVar[str | None] = ContextVar("meridian_task_name", default=None)

# An incoming X-Request-ID is kept when it is at most 128 characters of letters, digits and ``. _ : -``,
# starting with a letter or digit: enough for UUIDs and the ids of common proxies, and nothing that could
# break a log line (no spaces, quotes or control characters).
REQUEST_ID_MAX_LENGTH = 128
_SANE_REQUEST_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{REQUEST_ID_MAX_LENGTH - 1}}}")


def new_request_id() -> str:
    """A fresh request id: 32 lower-case hexadecimal digits (a random UUID4)."""
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """``value`` when it is a sane request id (see ``REQUEST_ID_MAX_LENGTH``), else a fresh one."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


@contextmanager
def bound(
    *, request_id: str | None = None, task_id: str | None = None, task_name: str | None = None
) -> Iterator[None]:
    """Set the given ids for the duration of the block (``None`` keeps the current value), then restore."""
    tokens = []
    if request_id is not None:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    if task_id is not None:
        tokens.append((task_id_var, task_id_var.set(task_id)))
    if task_name is not None:
        tokens.append((task_name_var, task_name_var.set(task_name)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
