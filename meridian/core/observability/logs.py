"""Log records that say which request or task they belong to, written as JSON lines or as plain text.

``RequestContextFilter`` (on the handler, so it sees every record that reaches it, whichever logger emitted
it) stamps ``request_id``, ``task_id`` and ``task`` from ``context`` on each record and masks secrets in the
path that Django's request warnings repeat. ``JsonFormatter`` writes one JSON object per line with a fixed
set of fields plus the record's extras; ``logging_config`` builds the ``LOGGING`` setting for either format.
Imported by the settings: nothing here may touch Django's app registry.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from meridian.core.observability.context import request_id_var, task_id_var, task_name_var

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(log_context)s] %(message)s"

# Extras that must never reach a log line: Django attaches the whole request to its request warnings (its
# text holds the query string; its cookies and headers hold session ids and tokens).
EXCLUDED_EXTRAS = ("request", "log_context", "taskName", "color_message")


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``task_id`` and ``task`` (``str`` or ``None``) and ``log_context`` (text form) to
    every record, and replaces a raw request path in a record's arguments by its ``safe_path``. Never drops a
    record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # An id given explicitly (``extra={"task_id": ...}``) wins over the context's.
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        task_id = getattr(record, "task_id", None) or task_id_var.get()
        record.request_id = request_id
        record.task_id = task_id
        record.task = getattr(record, "task", None) or task_name_var.get()
        parts = [f"req={request_id}"] if request_id else []
        if task_id:
            parts.append(f"task={task_id}")
        record.log_context = " ".join(parts) or "-"
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple) and record.args:
            record.args = _without_raw_path(record.args, request)
        return True


def _without_raw_path(args: tuple[Any, ...], request: Any) -> tuple[Any, ...]:
    from meridian.core.observability.redact import safe_path

    raw = getattr(request, "path", None)
    if not raw:
        return args
    raw_forms = {raw, raw.encode("unicode_escape").decode("ascii")}
    if not any(isinstance(a, str) and a in raw_forms for a in args):
        return args
    safe = safe_path(request)
    return tuple(safe if isinstance(a, str) and a in raw_forms else a for a in args)


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per record: ``time`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``,
    ``message``, ``request_id``, ``task_id``, ``task``, then the record's extras (the access log's
    ``method``, ``path``, ``status``, ``duration_ms``, …), and ``exc_info`` for an exception."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *EXCLUDED_EXTRAS])
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict) -> None:
        log_record["time"] = (
            datetime.fromtimestamp(record.created, tz=UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )
        log_record["level"] = record.levelname
        log_record["logger"] = record.name
        log_record["message"] = record.getMessage()
        for key in ("request_id", "task_id", "task"):
            log_record[key] = getattr(record, key, None)
        super().add_fields(log_record, record, message_dict)


def logging_config(*, log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """The ``LOGGING`` setting: every record to standard error, through ``RequestContextFilter``, as JSON
    lines (``log_format="json"``) or text lines (``"text"``), at ``level`` and above.

    Raises ``ValueError`` for another format or an unknown level name.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}")
    level = level.upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ValueError(f"LOG_LEVEL must be a level name (DEBUG, INFO, WARNING, ERROR), got {level!r}")
    formatter: dict[str, Any]
    if log_format == "json":
        formatter = {"()": "meridian.core.observability.logs.JsonFormatter"}
    else:
        formatter = {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "meridian.core.observability.logs.RequestContextFilter"}},
        "formatters": {"meridian": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "meridian"}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"axes": {"level": "WARNING"}},
    }
