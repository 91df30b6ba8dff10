"""How the long-running processes (worker, scheduler) treat their database connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections


@contextmanager
def connections_kept_open() -> Iterator[None]:
    """Keep this process's database connections across tasks instead of reconnecting after each one.

    A worker is one long-lived, single-threaded process; with the web server's short connection lifetime
    (SQLite's is zero) it would reconnect after every task, which makes small tasks several times slower.
    A connection that had an error is still closed and opened afresh by Django before the next task. The
    previous lifetimes are restored on exit.
    """
    saved = {alias: connections[alias].settings_dict.get("CONN_MAX_AGE") for alias in connections}
    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = None
        connections[alias].close_at = None
    try:
        yield
    finally:
        for alias, max_age in saved.items():
            connections[alias].settings_dict["CONN_MAX_AGE"] = max_age
