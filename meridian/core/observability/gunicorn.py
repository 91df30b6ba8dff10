"""Gunicorn settings that ``meridian serve-all`` passes to gunicorn.

Used as ``--config python:meridian.core.observability.gunicorn``:

- The server's own messages (worker start and stop, timeouts) go through the same logging set-up as the app:
  ``LOG_FORMAT`` and ``LOG_LEVEL`` apply to them too, and they carry no access log of gunicorn's own (the app
  writes one line per request, without query strings; see ``middleware``).
- ``child_exit`` tells prometheus_client that a worker is gone, as its multi-process mode requires.

Command-line options given to gunicorn override these.
"""

from __future__ import annotations

import os
from typing import Any

from meridian.core.observability.logs import logging_config

logconfig_dict = logging_config(
    log_format=(os.environ.get("LOG_FORMAT") or "text").lower(), level=os.environ.get("LOG_LEVEL") or "INFO"
)
# Gunicorn's messages go to the root logger's handler instead of handlers of its own; its access log (INFO
# records, with full query strings) is dropped: the app's access line replaces it.
logconfig_dict["loggers"].update(
    {
        "gunicorn.error": {"handlers": [], "propagate": True},
        "gunicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
    }
)


def child_exit(server: Any, worker: Any) -> None:
    """Gunicorn hook, in the master process: drop the live figures of the worker that ended."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
